import CZMQ

/// One message frame in libzmq's own buffer.
///
/// Building a frame in place (`init(count:fill:)`) writes straight into the
/// buffer libzmq sends from: no copy between encoding and the wire.
final class ZMQMessage {
    let raw: UnsafeMutablePointer<zmq_msg_t>

    /// An empty frame (the REQ/REP delimiter).
    convenience init() {
        self.init(count: 0) { _ in }
    }

    /// A frame holding a copy of `bytes`.
    convenience init(_ bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initialize(from: bytes)
        }
    }

    /// A frame holding `text` as UTF-8.
    convenience init(_ text: String) {
        self.init(Array(text.utf8))
    }

    /// A frame of `count` bytes that `fill` writes in place.
    init(count: Int, fill: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        raw = .allocate(capacity: 1)
        // zmq_msg_init_size fails only on allocation failure, where Swift would trap anyway.
        if zmq_msg_init_size(raw, count) != 0 { zmq_msg_init(raw) }
        fill(UnsafeMutableBufferPointer(start: zmq_msg_data(raw)?.assumingMemoryBound(to: UInt8.self), count: size))
    }

    /// An empty message ready for zmq_msg_recv.
    init(receiving: Void) {
        raw = .allocate(capacity: 1)
        zmq_msg_init(raw)
    }

    deinit {
        zmq_msg_close(raw)
        raw.deallocate()
    }

    /// Bytes in this frame.
    var size: Int { zmq_msg_size(raw) }

    /// A copy of the frame's bytes.
    var bytes: [UInt8] {
        guard size > 0, let data = zmq_msg_data(raw) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: size))
    }

    /// Whether more frames of the same multipart message follow.
    var hasMore: Bool { zmq_msg_more(raw) != 0 }
}
