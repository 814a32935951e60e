import AffordCore
#if canImport(Glibc)
import Glibc
#endif

/// CURVE security for affordd's server sockets (PUB and control ROUTER).
///
/// Owns the context's ZAP handler (`inproc://zeromq.zap.01`, a REP socket on its
/// own thread) that admits only allow-listed client public keys. A socket it
/// configures refuses plain (NULL-mechanism) peers, since the handshake needs CURVE.
public final class CurveServer: Sendable {
    /// The ZAP domain affordd's server sockets authenticate in.
    static let zapDomain = "affordd"
    static let zapEndpoint = "inproc://zeromq.zap.01"

    let keyPair: CurveKeyPair
    private let allowed: Shared<Set<CurveKey>>
    private let counters = Shared(Counters())
    private let thread: SocketThread

    /// Handshake outcomes so far.
    public struct Counters: Sendable, Equatable {
        var accepted: UInt64 = 0
        var refused: UInt64 = 0
        /// ZAP requests that were not well-formed CURVE requests.
        var malformed: UInt64 = 0
    }

    /// Starts the ZAP handler on `context`; at most one per context.
    public init(context: ZMQContext, keyPair: CurveKeyPair, allowedClients: [CurveKey]) throws {
        guard ZMQContext.hasCurve else { throw AffordError(.unsupported, "this libzmq was built without CURVE") }
        self.keyPair = keyPair
        let allowed = Shared(Set(allowedClients))
        let counters = self.counters
        self.allowed = allowed
        thread = try SocketThread(
            name: "affordd-zap",
            setUp: {
                let socket = try ZMQSocket(context, .rep)
                try socket.set(.linger(milliseconds: 0))
                do {
                    try socket.bind(Self.zapEndpoint)
                } catch let error as ZMQError where error.errno == EADDRINUSE {
                    throw AffordError(
                        .transport, "another CurveServer already handles ZAP on this context: keep one per context")
                }
                return socket
            },
            step: { socket in
                do {
                    guard try ZMQSocket.pollReadable([socket], timeoutMs: 50)[0],
                          let request = try socket.receive(dontWait: true) else { return }
                    let verdict = ZAPVerdict(request: request.map(\.bytes)) { key in allowed.withLock { $0.contains(key) } }
                    counters.withLock { verdict.count(into: &$0) }
                    try socket.send(verdict.reply.map { ZMQMessage($0) })
                } catch {
                    // A broken ZAP socket refuses every handshake (libzmq fails closed); nothing to do but wait.
                }
            },
            tearDown: { $0.close() })
    }

    deinit { thread.stop() }

    var handshakeCounters: Counters { counters.value }

    /// Makes `socket` a CURVE server authenticated through this handler. Call before bind.
    func configure(_ socket: ZMQSocket) throws(ZMQError) {
        try socket.set(
            .curveServer(true), .curveSecretKey(keyPair.secretKey), .curvePublicKey(keyPair.publicKey),
            .zapDomain(Self.zapDomain))
    }

    /// Makes `socket` a CURVE client of a server with `serverKey`, using the daemon's own pair.
    func configureClient(_ socket: ZMQSocket, serverKey: CurveKey) throws(ZMQError) {
        try socket.set(.curveServerKey(serverKey), .curvePublicKey(keyPair.publicKey), .curveSecretKey(keyPair.secretKey))
    }

    /// Stops the ZAP handler; later handshakes on this context fail.
    func stop() { thread.stop() }
}

/// The decision for one ZAP request (RFC 27): a pure function of its frames.
struct ZAPVerdict {
    enum Outcome { case accepted, refused, malformed }
    let outcome: Outcome
    let reply: [[UInt8]]

    init(request frames: [[UInt8]], isAllowed: (CurveKey) -> Bool) {
        // version, request id, domain, address, routing id, mechanism, credentials...
        let requestID = frames.count > 1 ? frames[1] : []
        func answer(_ outcome: Outcome, _ code: String, _ text: String, user: String = "") -> (Outcome, [[UInt8]]) {
            (outcome, [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []])
        }
        let result: (Outcome, [[UInt8]])
        if frames.count < 7 || frames[0] != Array("1.0".utf8) {
            result = answer(.malformed, "500", "malformed ZAP request")
        } else if frames[5] != Array("CURVE".utf8) {
            result = answer(.refused, "400", "CURVE required")
        } else if let key = try? CurveKey(bytes: frames[6]), isAllowed(key) {
            result = answer(.accepted, "200", "OK", user: key.z85)
        } else {
            result = answer(.refused, "400", "client key not allowed")
        }
        (outcome, reply) = result
    }

    func count(into counters: inout CurveServer.Counters) {
        switch outcome {
        case .accepted: counters.accepted += 1
        case .refused: counters.refused += 1
        case .malformed: counters.malformed += 1
        }
    }
}
