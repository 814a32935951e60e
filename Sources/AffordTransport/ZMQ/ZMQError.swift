import CZMQ

/// A failed libzmq call: which call, on what, and zmq_strerror's text.
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The C function that failed, with its subject (e.g. `zmq_bind(tcp://*:5555)`).
    let call: String
    /// errno as libzmq reported it.
    let errno: Int32
    /// zmq_strerror(errno).
    let message: String

    init(_ call: String, errno: Int32 = zmq_errno()) {
        self.call = call
        self.errno = errno
        self.message = String(cString: zmq_strerror(errno))
    }

    public var description: String { "\(call): \(message) (errno \(errno))" }

    /// A non-blocking call had nothing to do, or a timeout ran out.
    var isWouldBlock: Bool { errno == afford_zmq_eagain() }
}

/// Throws a `ZMQError` naming `call` when a libzmq return code is negative.
@discardableResult
func zmqCheck(_ rc: Int32, _ call: @autoclosure () -> String) throws(ZMQError) -> Int32 {
    if rc < 0 { throw ZMQError(call()) }
    return rc
}

/// The text of a NUL-terminated C buffer (Z85 keys, endpoint names).
func string(fromCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
