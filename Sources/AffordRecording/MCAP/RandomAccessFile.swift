import AffordCore
import Glibc

/// A read-only file read with `pread`, so a reader can re-read without seeking state.
final class RandomAccessFile {
    let path: String
    let size: UInt64
    private var descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AffordError(.io, "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let message = String(cString: strerror(errno))
            _ = Glibc.close(descriptor)
            throw AffordError(.io, "cannot stat '\(path)': \(message)")
        }
        size = UInt64(info.st_size)
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Replaces `buffer`'s contents with exactly `count` bytes from `offset`.
    func read(at offset: UInt64, count: Int, into buffer: inout [UInt8]) throws {
        guard descriptor >= 0 else { throw AffordError(.io, "read from closed file '\(path)'") }
        if buffer.count != count { buffer = [UInt8](repeating: 0, count: count) }
        var done = 0
        try buffer.withUnsafeMutableBytes { target in
            while done < count {
                let got = pread(descriptor, target.baseAddress.map { $0 + done }, count - done, off_t(offset) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw AffordError(.io, "read of '\(path)' at offset \(offset) failed: \(String(cString: strerror(errno)))")
                }
                if got == 0 {
                    throw AffordError(.corruptLog, "'\(path)' ended at offset \(offset + UInt64(done)) while reading \(count) bytes")
                }
                done += got
            }
        }
    }
}
