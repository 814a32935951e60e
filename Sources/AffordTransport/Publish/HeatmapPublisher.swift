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
        /// Results (and statuses) waiting for the publisher thread before the oldest frame is dropped.
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
    private let mailbox: PublisherMailbox
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
        let mailbox = PublisherMailbox(capacity: max(1, configuration.queueCapacity))
        self.mailbox = mailbox
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
                return PublisherLoop(socket: socket, mailbox: mailbox, settings: live, statusSource: statusSource)
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
        mailbox.push(.frame(result))
    }

    /// Queues a status message now, besides the periodic ones.
    public func publish(status: PipelineStatus) throws {
        try Topic.validate(status.camera, as: "camera")
        mailbox.push(.status(status))
    }

    public var counters: Counters { mailbox.counters.value }

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

/// What the publisher thread sends, in order.
enum PublisherItem: Sendable {
    case frame(FrameResult)
    case status(PipelineStatus)
}

/// A bounded hand-off from any thread to the publisher thread; the rules are `PublisherQueue`'s.
final class PublisherMailbox: Sendable {
    let counters = Shared(HeatmapPublisher.Counters())
    private let queue: ConditionLock<PublisherQueue>

    init(capacity: Int) { queue = ConditionLock(PublisherQueue(capacity: capacity)) }

    func push(_ item: PublisherItem) {
        if queue.withLock({ $0.push(item) }) { counters.withLock { $0.framesDropped += 1 } }
    }

    /// Everything queued, after waiting up to `timeoutMs` for something to arrive.
    func take(timeoutMs: Int) -> [PublisherItem] {
        let deadline = Date(timeIntervalSinceNow: Double(max(0, timeoutMs)) / 1000)
        return queue.wait(until: deadline) { $0.isEmpty ? nil : $0.drain() } ?? []
    }
}

/// The publisher's queue: first in, first out, at most `capacity` items. Results and statuses
/// share one order (a status must not overtake the frames it counts), so unlike the pipeline's
/// per-camera `LatestMailbox` this is a FIFO; when full, the oldest frame goes, never a status.
struct PublisherQueue: Sendable {
    let capacity: Int
    private(set) var items: [PublisherItem] = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var isEmpty: Bool { items.isEmpty }

    /// Appends `item`; returns true when a frame was dropped to make room.
    mutating func push(_ item: PublisherItem) -> Bool {
        items.append(item)
        guard items.count > capacity else { return false }
        let oldestFrame = items.firstIndex { if case .frame = $0 { true } else { false } }
        let removed = items.remove(at: oldestFrame ?? 0)
        if case .frame = removed { return true }
        return false
    }

    /// Everything queued, oldest first; the queue is empty afterwards.
    mutating func drain() -> [PublisherItem] {
        defer { items.removeAll(keepingCapacity: true) }
        return items
    }
}
