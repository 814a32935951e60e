import CZMQ

/// The socket options affordd sets, typed so callers cannot pass the wrong size.
enum ZMQOption: Sendable {
    /// Outbound queue limit in messages; PUB drops beyond it.
    case sendHighWaterMark(Int32)
    /// How long close waits for unsent messages, in ms (0: drop them).
    case linger(milliseconds: Int32)
    /// SUB: accept messages whose first frame starts with this prefix.
    case subscribe(String)
    /// Act as a CURVE server (needs `curveSecretKey`).
    case curveServer(Bool)
    case curvePublicKey(CurveKey)
    case curveSecretKey(CurveKey)
    /// CURVE client: the server's long-term public key.
    case curveServerKey(CurveKey)
    /// Routes handshakes through the ZAP handler with this domain.
    case zapDomain(String)
    /// Peers sending a larger message are disconnected, in bytes (-1: no limit).
    case maxMessageSize(Int64)

    var name: String {
        switch self {
        case .sendHighWaterMark: "ZMQ_SNDHWM"
        case .linger: "ZMQ_LINGER"
        case .subscribe: "ZMQ_SUBSCRIBE"
        case .curveServer: "ZMQ_CURVE_SERVER"
        case .curvePublicKey: "ZMQ_CURVE_PUBLICKEY"
        case .curveSecretKey: "ZMQ_CURVE_SECRETKEY"
        case .curveServerKey: "ZMQ_CURVE_SERVERKEY"
        case .zapDomain: "ZMQ_ZAP_DOMAIN"
        case .maxMessageSize: "ZMQ_MAXMSGSIZE"
        }
    }

    /// Calls zmq_setsockopt with this option's C name and correctly sized value.
    func apply(to socket: UnsafeMutableRawPointer) -> Int32 {
        switch self {
        case .sendHighWaterMark(let v): Self.set(socket, ZMQ_SNDHWM, v)
        case .linger(let v): Self.set(socket, ZMQ_LINGER, v)
        case .subscribe(let prefix): Self.set(socket, ZMQ_SUBSCRIBE, Array(prefix.utf8))
        case .curveServer(let on): Self.set(socket, ZMQ_CURVE_SERVER, Int32(on ? 1 : 0))
        case .curvePublicKey(let key): Self.set(socket, ZMQ_CURVE_PUBLICKEY, key.bytes)
        case .curveSecretKey(let key): Self.set(socket, ZMQ_CURVE_SECRETKEY, key.bytes)
        case .curveServerKey(let key): Self.set(socket, ZMQ_CURVE_SERVERKEY, key.bytes)
        case .zapDomain(let domain): Self.set(socket, ZMQ_ZAP_DOMAIN, Array(domain.utf8))
        case .maxMessageSize(let v): Self.set(socket, ZMQ_MAXMSGSIZE, v)
        }
    }

    private static func set<T: FixedWidthInteger>(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: T) -> Int32 {
        withUnsafeBytes(of: value) { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
    }

    private static func set(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
    }
}
