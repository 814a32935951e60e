import CZMQ

/// A libzmq context: owns the I/O threads; shared by every socket of the process.
///
/// libzmq contexts are thread-safe, so this is `Sendable`. Close (or drop) every
/// socket before the last reference goes away: termination waits for them.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// A context with `ioThreads` background I/O threads.
    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError("zmq_ctx_new") }
        self.handle = handle
        try zmqCheck(zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads), "zmq_ctx_set(ZMQ_IO_THREADS)")
    }

    deinit {
        // Sockets hold a strong reference to their context, so none is open here.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == afford_zmq_eintr() {}
    }

    /// Whether this libzmq was built with CURVE security.
    static var hasCurve: Bool { zmq_has("curve") != 0 }
}
