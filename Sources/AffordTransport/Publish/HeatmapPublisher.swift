import AffordCore
import Foundation

/// Publishes each frame's heatmaps, centroids and periodic status on a PUB socket.
///
/// `consume` may be called from any thread or task: it only queues the result.
/// A dedicated thread owns the socket, encodes and sends. When that thread falls
/// behind, the oldest queued frame is dropped (counted), so memory stays bounded;
/// slow subscribers are bounded by SNDHWM, beyond which libzmq drops for them.
public final class HeatmapPublisher: ResultSink, Sendable {
    public struct Configuration: Sendable {
        /// Where to bind, e.g. `tcp://*:5560`, `ipc:///run/affordd/pub.sock`.
        public var endpoints: [String]
        public var encoding: HeatmapEncoding
        /// Per-subscriber queue limit in whole messages (one heatmap is one message).
        public var sendHighWaterMark: Int32
        /// Results waiting for the publisher thread before the oldest is dropped.
        public var queueCapacity: Int
        /// How often `statusSource` is polled and published, in seconds.
        public var statusIntervalSeconds: Double

        public init(
            endpoints: [String], encoding: HeatmapEncoding = .mono8, sendHighWaterMark: Int32 = 16,
            queueCapacity: Int = 2, statusIntervalSeconds: Double = 1.0
        ) {
            self.endpoints = endpoints
            self.encoding = encoding
            self.sendHighWaterMark = sendHighWaterMark
            self.queueCapacity = queueCapacity
            self.statusIntervalSeconds = statusIntervalSeconds
        }
    }

    /// What the publisher did so far; also published inside every status message.
    public struct Counters: Sendable, Equatable, Codable {
        public var framesPublished: UInt64 = 0
        /// Frames dropped because the publisher thread was behind.
        public var framesDropped: UInt64 = 0
        public var messagesSent: UInt64 = 0
        public var sendErrors: UInt64 = 0
        public var lastError: String?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case framesPublished = "frames_published"
            case framesDropped = "frames_dropped"
            case messagesSent = "messages_sent"
            case sendErrors = "send_errors"
            case lastError = "last_error"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(framesPublished, forKey: .framesPublished)
            try c.encode(framesDropped, forKey: .framesDropped)
            try c.encode(messagesSent, forKey: .messagesSent)
            try c.encode(sendErrors, forKey: .sendErrors)
            try c.encode(lastError, forKey: .lastError)
        }
    }

    /// The endpoints actually bound, with wildcard ports resolved.
    public let boundEndpoints: [String]
    /// The settings it started with; `encoding` and `statusIntervalSeconds` may change since (`update`).
    public let configuration: Configuration
    private let queue: PublisherQueue
    private let live: Shared<LiveSettings>
    private let thread: SocketThread

    /// Binds every endpoint and starts the publisher thread. `security` makes the
    /// socket a CURVE server; `statusSource` is polled every status interval.
    public init(
        context: ZMQContext, configuration: Configuration, security: CurveServer? = nil,
        statusSource: (@Sendable () -> [PipelineStatus])? = nil
    ) throws {
        guard !configuration.endpoints.isEmpty else { throw AffordError(.invalidConfig, "publisher needs at least one endpoint") }
        self.configuration = configuration
        let queue = PublisherQueue(capacity: configuration.queueCapacity)
        self.queue = queue
        let live = Shared(LiveSettings(encoding: configuration.encoding,
                                       statusIntervalSeconds: configuration.statusIntervalSeconds))
        self.live = live
        let bound = Shared<[String]>([])
        thread = try SocketThread(
            name: "affordd-publish",
            setUp: {
                let socket = try ZMQSocket(context, .pub)
                try socket.set(.sendHighWaterMark(configuration.sendHighWaterMark), .linger(milliseconds: 0))
                try security?.configure(socket)
                for endpoint in configuration.endpoints {
                    try socket.bind(endpoint, retryingAddressInUseFor: 2)
                    let resolved = try socket.lastEndpoint()
                    bound.withLock { $0.append(resolved) }
                }
                return PublisherLoop(socket: socket, queue: queue, settings: live, statusSource: statusSource)
            },
            step: { $0.step() },
            tearDown: { $0.socket.close() })
        boundEndpoints = bound.value
    }

    deinit { thread.stop() }

    /// Queues `result` for publishing; never blocks on the network.
    public func consume(_ result: FrameResult) throws {
        try Topic.validate(result.camera, as: "camera")
        for action in result.actions { try Topic.validate(action.action, as: "action") }
        queue.push(result)
    }

    public var counters: Counters { queue.counters.value }

    /// Changes the encoding and status period in place: a reload that changes only these keeps the socket.
    public func update(encoding: HeatmapEncoding, statusIntervalSeconds: Double) {
        live.withLock { $0 = LiveSettings(encoding: encoding, statusIntervalSeconds: statusIntervalSeconds) }
    }

    /// Stops the thread and closes the socket (LINGER 0: unsent messages are dropped).
    public func close() { thread.stop() }
}

/// The publisher settings a reload may change without rebinding.
struct LiveSettings: Sendable {
    var encoding: HeatmapEncoding
    var statusIntervalSeconds: Double

    /// Nanoseconds between statuses, bounded so the conversion can never trap.
    var statusIntervalNs: UInt64 {
        guard statusIntervalSeconds.isFinite else { return 1_000_000_000 }
        return UInt64(min(max(statusIntervalSeconds, 0.05), 3600) * 1e9)
    }
}

/// Results on their way to the publisher thread: a bounded FIFO (one key, so cameras keep their
/// order) whose drops are the publisher's `framesDropped`.
final class PublisherQueue: Sendable {
    static let key = "results"
    let counters = Shared(HeatmapPublisher.Counters())
    private let mailbox: Mailbox<FrameResult>

    init(capacity: Int) { mailbox = Mailbox(keys: [Self.key], capacity: capacity) }

    func push(_ result: FrameResult) {
        if mailbox.put(result, for: Self.key) { counters.withLock { $0.framesDropped += 1 } }
    }

    /// Everything queued, oldest first, after waiting up to `timeoutMs` for something to arrive.
    func take(timeoutMs: Int) -> [FrameResult] {
        mailbox.takeAll(waitingUntil: Date(timeIntervalSinceNow: Double(max(0, timeoutMs)) / 1000)).items
    }
}
