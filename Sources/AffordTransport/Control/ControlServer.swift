import AffordCore
import Foundation

/// Serves control commands: request/reply on a bound ROUTER, and broadcasts
/// from controllers' PUB sockets on a connected SUB, through one parser.
///
/// ROUTER frames are `[identity, body, attachments…]` from DEALER clients, or
/// `[identity, "", body, …]` from REQ clients; the reply keeps the same envelope.
/// Requests are handled one at a time on the server's own thread.
public final class ControlServer: Sendable {
    public struct Configuration: Sendable {
        /// ROUTER bind endpoints, e.g. `tcp://*:5561`, `ipc:///run/affordd/control.sock`.
        var endpoints: [String]
        /// Controllers' PUB endpoints to connect the SUB socket to (none: no SUB socket).
        var controllerEndpoints: [String]
        /// Topic prefixes the SUB socket accepts.
        var broadcastTopics: [String]
        /// The controllers' CURVE server key, when their PUB sockets use CURVE.
        var controllerServerKey: CurveKey?
        /// libzmq disconnects peers that send a larger message.
        var maxMessageBytes: Int64
        /// A handler slower than this gets an error reply; its late result is dropped.
        var handlerTimeoutSeconds: Double

        public init(
            endpoints: [String], controllerEndpoints: [String] = [], broadcastTopics: [String] = ["afford/control/"],
            controllerServerKey: CurveKey? = nil, maxMessageBytes: Int64 = 1 << 20, handlerTimeoutSeconds: Double = 10
        ) {
            self.endpoints = endpoints
            self.controllerEndpoints = controllerEndpoints
            self.broadcastTopics = broadcastTopics
            self.controllerServerKey = controllerServerKey
            self.maxMessageBytes = maxMessageBytes
            self.handlerTimeoutSeconds = handlerTimeoutSeconds
        }
    }

    /// Control traffic so far; malformed inputs are counted, never fatal.
    public struct Counters: Sendable, Equatable, Codable {
        public var requests: UInt64 = 0
        var succeeded: UInt64 = 0
        /// Handler threw or timed out.
        public var failed: UInt64 = 0
        /// Refused by the parser or with a broken envelope.
        public var malformed: UInt64 = 0
        public var broadcasts: UInt64 = 0
        public var malformedBroadcasts: UInt64 = 0
    }

    let boundEndpoints: [String]
    private let counterStore: Shared<Counters>
    private let thread: SocketThread

    /// Binds, connects and starts serving on a new thread.
    public init(context: ZMQContext, configuration: Configuration, handler: any ControlHandler, security: CurveServer? = nil) throws {
        guard !configuration.endpoints.isEmpty || !configuration.controllerEndpoints.isEmpty else {
            throw AffordError(.invalidConfig, "control server needs a bind or a controller endpoint")
        }
        let counters = Shared(Counters())
        counterStore = counters
        let bound = Shared<[String]>([])
        thread = try SocketThread(
            name: "affordd-control",
            setUp: {
                let router = try ZMQSocket(context, .router)
                try router.set(.linger(milliseconds: 0), .maxMessageSize(configuration.maxMessageBytes), .sendHighWaterMark(64))
                try security?.configure(router)
                for endpoint in configuration.endpoints {
                    try router.bind(endpoint, retryingAddressInUseFor: 2)
                    let resolved = try router.lastEndpoint()
                    bound.withLock { $0.append(resolved) }
                }
                var subscriber: ZMQSocket?
                if !configuration.controllerEndpoints.isEmpty {
                    let sub = try ZMQSocket(context, .sub)
                    try sub.set(.linger(milliseconds: 0), .maxMessageSize(configuration.maxMessageBytes))
                    if let serverKey = configuration.controllerServerKey {
                        guard let security else {
                            throw AffordError(.invalidConfig, "a controller server key needs the daemon's own CURVE key pair")
                        }
                        try security.configureClient(sub, serverKey: serverKey)
                    }
                    for topic in configuration.broadcastTopics { try sub.set(.subscribe(topic)) }
                    for endpoint in configuration.controllerEndpoints { try sub.connect(endpoint) }
                    subscriber = sub
                }
                return ControlLoop(
                    router: router, subscriber: subscriber, handler: handler, counters: counters,
                    handlerTimeoutSeconds: configuration.handlerTimeoutSeconds)
            },
            step: { $0.step() },
            tearDown: { $0.close() })
        boundEndpoints = bound.value
    }

    deinit { thread.stop() }

    public var counters: Counters { counterStore.value }

    /// Stops serving and closes both sockets; waits at most one poll interval plus a running handler.
    public func close() { thread.stop() }
}
