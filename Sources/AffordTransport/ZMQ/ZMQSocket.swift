import AffordCore
import CZMQ
#if canImport(Glibc)
import Glibc
#endif

/// A libzmq socket, owned by the thread that created it.
///
/// libzmq sockets are not thread-safe. Every call checks (in release builds too) that
/// it runs on the creating thread; create sockets inside the thread that uses them.
final class ZMQSocket {
    /// The socket patterns affordd uses.
    enum Kind: Sendable {
        case pub, sub, router, dealer, req, rep, pair

        var value: Int32 {
            switch self {
            case .pub: ZMQ_PUB
            case .sub: ZMQ_SUB
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .req: ZMQ_REQ
            case .rep: ZMQ_REP
            case .pair: ZMQ_PAIR
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    /// Keeps the context alive while the socket is open.
    private let context: ZMQContext
    private let owner: pthread_t
    private var isClosed = false
    /// ipc:// and inproc:// endpoints this socket bound, unbound before it closes: libzmq 4.3
    /// leaves ipc files behind, and it frees a closed socket's inproc names later, on its reaper
    /// thread, so binding the same name at once (a reload's new ZAP handler) could fail.
    private var unbindAtClose: [String] = []
    let kind: Kind

    init(_ context: ZMQContext, _ kind: Kind) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, kind.value) else { throw ZMQError("zmq_socket(\(kind))") }
        self.handle = handle
        self.context = context
        self.kind = kind
        self.owner = pthread_self()
    }

    deinit { close() }

    /// Closes now rather than at deinit, removing the files of bound ipc:// endpoints.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        for endpoint in unbindAtClose {
            zmq_unbind(handle, endpoint)
            guard endpoint.hasPrefix("ipc://") else { continue }
            let path = endpoint.dropFirst("ipc://".count)
            // Binding unlinked any earlier file at this path, so the file is ours; "@" names are abstract.
            if !path.hasPrefix("@") { unlink(String(path)) }
        }
        zmq_close(handle)
    }

    /// Traps when a socket is used off its owning thread, in release builds too: libzmq would
    /// corrupt its state silently. Two pthread calls, cheap enough for every send.
    @inline(__always)
    private func checkOwner() {
        precondition(pthread_equal(pthread_self(), owner) != 0, "ZMQSocket (\(kind)) used off the thread that created it")
    }

    func set(_ options: ZMQOption...) throws(ZMQError) {
        checkOwner()
        for option in options {
            try zmqCheck(option.apply(to: handle), "zmq_setsockopt(\(option.name))")
        }
    }

    /// Binds to `tcp://host:port` or `ipc:///path` (or `inproc://name`).
    func bind(_ endpoint: String) throws(ZMQError) {
        checkOwner()
        try zmqCheck(zmq_bind(handle, endpoint), "zmq_bind(\(endpoint))")
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { unbindAtClose.append(endpoint) }
    }

    /// Binds, retrying while the address is still in use for up to `seconds`: a socket
    /// closed just before releases its port on libzmq's I/O thread, a moment later.
    func bind(_ endpoint: String, retryingAddressInUseFor seconds: Double) throws(ZMQError) {
        let deadline = MonotonicClock.nowNs() + UInt64(max(0, min(seconds, 60)) * 1e9)
        while true {
            do {
                return try bind(endpoint)
            } catch where error.errno == EADDRINUSE && MonotonicClock.nowNs() < deadline {
                usleep(20_000)
            }
        }
    }

    func connect(_ endpoint: String) throws(ZMQError) {
        checkOwner()
        try zmqCheck(zmq_connect(handle, endpoint), "zmq_connect(\(endpoint))")
    }

    /// The endpoint actually bound last, e.g. the port chosen for `tcp://127.0.0.1:*`.
    func lastEndpoint() throws(ZMQError) -> String {
        checkOwner()
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        try zmqCheck(zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size), "zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        return string(fromCBuffer: buffer)
    }

    /// Sends all frames as one multipart message. Returns false when a
    /// non-blocking send would block (the message was not sent).
    @discardableResult
    func send(_ frames: [ZMQMessage], dontWait: Bool = false) throws(ZMQError) -> Bool {
        checkOwner()
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            if zmq_msg_send(frame.raw, handle, flags) < 0 {
                let error = ZMQError("zmq_msg_send(frame \(index) of \(frames.count))")
                // Only the first frame can would-block; later ones are queued atomically.
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message; nil when nothing arrived in time
    /// (`dontWait` with an empty queue, or a wait interrupted by a signal).
    func receive(dontWait: Bool = false) throws(ZMQError) -> [ZMQMessage]? {
        checkOwner()
        var frames: [ZMQMessage] = []
        repeat {
            let frame = ZMQMessage(receiving: ())
            if zmq_msg_recv(frame.raw, handle, dontWait ? ZMQ_DONTWAIT : 0) < 0 {
                let error = ZMQError("zmq_msg_recv")
                if frames.isEmpty && (error.isWouldBlock || error.errno == afford_zmq_eintr()) { return nil }
                throw error
            }
            frames.append(frame)
        } while frames.last?.hasMore == true
        return frames
    }

    /// Waits up to `timeoutMs` (-1: forever) for any of `sockets` to have input;
    /// returns which ones do. An interrupted wait reports none.
    static func pollReadable(_ sockets: [ZMQSocket], timeoutMs: Int) throws(ZMQError) -> [Bool] {
        for socket in sockets { socket.checkOwner() }
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let count = items.count
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32(count), timeoutMs) }
        if rc < 0 {
            let error = ZMQError("zmq_poll")
            if error.errno == afford_zmq_eintr() { return Array(repeating: false, count: count) }
            throw error
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
