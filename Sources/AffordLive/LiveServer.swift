import AffordCore
import AffordRecording
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The live view: on each endpoint, HTTP (`/metrics`, `/healthz`, the page at `/`) and the Foxglove
/// WebSocket protocol (an upgrade with subprotocol `foxglove.websocket.v1`, on any path).
///
/// It is a `ResultSink` and takes camera frames through `observe`. Both only queue, latest
/// wins per camera; the server's own thread encodes what some client subscribes to, so the
/// pipeline never waits on it. Each client's unsent bytes are bounded (`LiveHub`).
public final class LiveServer: ResultSink, Sendable {
    /// What the daemon tells the HTTP endpoints and the status channel; set once it runs.
    public struct Providers: Sendable {
        /// The Prometheus text exposition.
        public var metrics: @Sendable () -> String
        /// Whether the daemon is healthy (the watchdog's rule), with a one-line reason.
        public var health: @Sendable () -> (healthy: Bool, summary: String)
        /// Each camera's status message body (JSON, as the ZeroMQ status topic carries it).
        public var status: @Sendable () -> [(camera: String, json: [UInt8])]

        public init(metrics: @escaping @Sendable () -> String,
                    health: @escaping @Sendable () -> (healthy: Bool, summary: String),
                    status: @escaping @Sendable () -> [(camera: String, json: [UInt8])]) {
            self.metrics = metrics
            self.health = health
            self.status = status
        }
    }

    public struct Counters: Sendable, Equatable {
        public var clientsConnected: UInt64
        public var clients: Int
        public var messagesSent: UInt64
        public var messagesDropped: UInt64
        public var requestsRefused: UInt64
        public var httpRequests: UInt64
        public var peakUnsentBytes: Int
    }

    private enum Item: Sendable {
        case frame(Frame)
        case result(FrameResult)
    }

    /// `host:port` of every listener, with port 0 resolved.
    public let boundAddresses: [String]
    let hub: LiveHub
    private let group: MultiThreadedEventLoopGroup
    private let listeners: [any Channel]
    private let providers = Shared<Providers?>(nil)
    private let httpRequests = Shared<UInt64>(0)
    private let queue: Mailbox<Item>
    private let worker = Shared<OwnedThread?>(nil)
    private let statusIntervalNs: UInt64

    /// Binds every `(host, port)` (port 0: any free one) and starts the encoding thread.
    public init(endpoints: [(host: String, port: Int)], cameras: [String], statusIntervalSeconds: Double = 1,
                maxUnsentBytesPerClient: Int = 4 << 20) throws {
        let hub = LiveHub(maxUnsentBytes: maxUnsentBytesPerClient)
        self.hub = hub
        statusIntervalNs = statusIntervalSeconds.isFinite ? UInt64(min(max(statusIntervalSeconds, 0.05), 3600) * 1e9) : 1_000_000_000
        queue = Mailbox(keys: cameras.flatMap { ["frame/\($0)", "result/\($0)"] })
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var listeners: [any Channel] = []
        let providers = self.providers, requests = httpRequests
        do {
            for (host, port) in endpoints {
                guard (0...65535).contains(port) else { throw AffordError(.invalidConfig, "live view: port \(port) outside 0...65535") }
                let bootstrap = ServerBootstrap(group: group)
                    .serverChannelOption(.backlog, value: 64)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try Self.configure(channel, hub: hub, providers: providers, requests: requests)
                        }
                    }
                do {
                    listeners.append(try bootstrap.bind(host: host, port: port).wait())
                } catch {
                    throw AffordError(.io, "live view: cannot listen on \(host):\(port): \(error)")
                }
            }
        } catch {
            for listener in listeners { try? listener.close().wait() }
            try? group.syncShutdownGracefully()
            throw error
        }
        self.listeners = listeners
        boundAddresses = listeners.map { listener in
            let address = listener.localAddress
            return "\(address?.ipAddress ?? "?"):\(address?.port ?? 0)"
        }
        for camera in cameras {
            for channel in [FoxgloveChannel.image(camera: camera), .annotations(camera: camera), .status(camera: camera),
                            PresenceMessage.channel(camera: camera)] {
                hub.channelID(channel)
            }
        }
        let thread = OwnedThread(name: "affordd-live") { [self] in encodeLoop() }
        worker.withLock { $0 = thread }
    }

    /// Hands the server what it serves from the daemon.
    public func attach(_ providers: Providers) { self.providers.withLock { $0 = providers } }

    /// ResultSink: queues the result; never blocks.
    public func consume(_ result: FrameResult) throws { queue.put(.result(result), for: "result/\(result.camera)") }

    /// Queues a camera frame; never blocks.
    public func observe(_ frame: Frame) { queue.put(.frame(frame), for: "frame/\(frame.camera)") }

    public var counters: Counters {
        let hub = hub.counters
        return Counters(clientsConnected: hub.clientsConnected, clients: self.hub.clientCount, messagesSent: hub.messagesSent,
                        messagesDropped: hub.messagesDropped, requestsRefused: hub.requestsRefused,
                        httpRequests: httpRequests.value, peakUnsentBytes: hub.peakUnsentBytes)
    }

    /// Stops the thread, closes every connection and the listeners. Idempotent.
    public func close() {
        guard let thread = worker.withLock({ $0.take() }) else { return }
        queue.close()
        thread.join()
        for listener in listeners { try? listener.close().wait() }
        try? group.syncShutdownGracefully()
    }

    private func encodeLoop() {
        let encoder = FoxgloveEncoder()
        let offset = MonotonicClock.realtimeOffsetNs()
        var nextStatusNs = MonotonicClock.nowNs()
        while true {
            let deadline = Date(timeIntervalSinceNow: Double(nextStatusNs &- min(nextStatusNs, MonotonicClock.nowNs())) / 1e9)
            let (items, ending) = queue.takeAll(waitingUntil: deadline)
            for item in items { publish(item, encoder: encoder, offset: offset) }
            if ending != nil { return }
            let now = MonotonicClock.nowNs()
            if now >= nextStatusNs {
                nextStatusNs = now + statusIntervalNs
                publishStatus(wallNs: MonotonicClock.wallNs())
            }
        }
    }

    private func publish(_ item: Item, encoder: FoxgloveEncoder, offset: Int64) {
        do {
            switch item {
            case .frame(let frame):
                let channel = FoxgloveEncoder.channel(for: frame)
                hub.channelID(channel)
                let wallNs = frame.captureWallNs ?? MonotonicClock.wallNs(monotonic: frame.captureMonotonicNs, offset: offset)
                // A depth camera's paired depth gets its own channel, advertised with its first frame.
                if frame.depth != nil {
                    let depth = FoxgloveChannel.depth(camera: frame.camera)
                    hub.channelID(depth)
                    if hub.isWanted(depth), let payload = try encoder.encodeDepth(frame, wallNs: wallNs) {
                        hub.publish(payload, on: depth, timestampNs: wallNs)
                    }
                }
                guard hub.isWanted(channel) else { return }
                hub.publish(try encoder.encode(frame, wallNs: wallNs), on: channel, timestampNs: wallNs)
            case .result(let result):
                for action in result.actions { hub.channelID(.heatmap(camera: result.camera, action: action.action)) }
                let wallNs = result.captureWallNs ?? MonotonicClock.wallNs(monotonic: result.captureMonotonicNs, offset: offset)
                for (channel, payload) in try encoder.encode(result, wallNs: wallNs, heatmapMaxWidth: Self.maxLiveHeatmapWidth,
                                                             wanted: hub.isWanted) {
                    hub.publish(payload, on: channel, timestampNs: wallNs)
                }
                let presence = PresenceMessage.channel(camera: result.camera)
                if hub.isWanted(presence) {
                    hub.publish(Array(try JSONEncoder().encode(PresenceMessage(result, wallNs: wallNs))), on: presence, timestampNs: wallNs)
                }
            }
        } catch {
            // An encoding failure is a bug, not a client's doing: the message is skipped, the stream goes on.
        }
    }

    private func publishStatus(wallNs: UInt64) {
        guard let providers = providers.value else { return }
        for (camera, json) in providers.status() {
            let channel = FoxgloveChannel.status(camera: camera)
            if hub.isWanted(channel) { hub.publish(json, on: channel, timestampNs: wallNs) }
        }
    }

    // MARK: Pipeline set-up (on the connection's event loop)

    private static func configure(_ channel: any Channel, hub: LiveHub, providers: Shared<Providers?>,
                                  requests: Shared<UInt64>) throws {
        let http = HTTPHandler(page: LivePage.html, providers: providers, requests: requests)
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: FoxgloveSession.maxMessageBytes,
            shouldUpgrade: { channel, head in
                let offered = head.headers[canonicalForm: "sec-websocket-protocol"].map { String($0) }
                guard offered.contains(foxgloveSubprotocol) else { return channel.eventLoop.makeSucceededFuture(nil) }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", foxgloveSubprotocol)]))
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 16,
                                                    maxAccumulatedFrameSize: FoxgloveSession.maxMessageBytes))
                    try channel.pipeline.syncOperations.addHandler(FoxgloveHandler(hub: hub))
                }
            })
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                // After the upgrade the HTTP handler would see WebSocket frames.
                context.pipeline.removeHandler(name: HTTPHandler.name, promise: nil)
            }))
        try channel.pipeline.syncOperations.addHandler(http, name: HTTPHandler.name)
    }

    static let foxgloveSubprotocol = "foxglove.websocket.v1"
    /// Live heatmaps are averaged down to at most this width (a recording keeps the full size).
    static let maxLiveHeatmapWidth = 320
}
