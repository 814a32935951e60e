import Glibc
import AffordCore

/// Where an MCAP writer's bytes go: a file, or a test's failing stand-in.
protocol ByteSink: AnyObject {
    /// Writes all of `bytes` or throws.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Pushes written bytes to stable storage where that means anything.
    func sync() throws
    func close() throws
}

/// A file opened for writing with POSIX calls, so errors keep their errno.
final class FileByteSink: ByteSink {
    let path: String
    private var descriptor: Int32

    /// Creates or truncates `path`; with `exclusive`, an existing file is an error instead
    /// (`alreadyExists` tells the caller to pick another name).
    init(path: String, exclusive: Bool = false) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw AffordError(code == EEXIST ? .alreadyExists : .io,
                              "cannot create recording '\(path)': \(String(cString: strerror(code)))")
        }
    }

    deinit { if descriptor >= 0 { _ = Glibc.close(descriptor) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw AffordError(.io, "write to closed recording '\(path)'") }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw AffordError(.io, "write to '\(path)' failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func sync() throws {
        guard descriptor >= 0, fdatasync(descriptor) == 0 || errno == EINVAL else {
            throw AffordError(.io, "fdatasync of '\(path)' failed: \(String(cString: strerror(errno)))")
        }
    }

    func close() throws {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        guard result == 0 else {
            throw AffordError(.io, "close of '\(path)' failed: \(String(cString: strerror(errno)))")
        }
    }
}
