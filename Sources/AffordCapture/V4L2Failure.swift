import AffordCore
#if canImport(Glibc)
import Glibc
#endif

/// A failed device operation, keeping what usb_cam throws away: the ioctl and errno.
struct V4L2Failure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed, e.g. "VIDIOC_DQBUF" or "open".
    var operation: String
    var path: String
    /// 0 when the failure is not an errno (a poll timeout, a capability check).
    var errno: Int32
    var detail: String?

    init(_ operation: String, path: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// A poll that saw no frame within the timeout: the camera stalled.
    static func timeout(path: String, milliseconds: Int) -> V4L2Failure {
        V4L2Failure("poll", path: path, errno: ETIMEDOUT, detail: "no frame within \(milliseconds) ms")
    }

    var description: String {
        var text = "\(operation) on \(path)"
        if errno != 0 { text += ": \(String(cString: strerror(errno))) (\(Self.errnoName(errno)))" }
        if let detail { text += ": \(detail)" }
        return text
    }

    /// Worth reconnecting: the camera went away, glitched or stalled. Anything else
    /// (not a V4L2 device, permission, unsupported format) will not fix itself.
    var isTransient: Bool {
        [ENODEV, EIO, ETIMEDOUT, ENOENT, ENXIO, EBUSY, EPIPE, EPROTO].contains(errno)
    }

    var affordError: AffordError { AffordError(.device, description) }

    static func errnoName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            ENOENT: "ENOENT", ENODEV: "ENODEV", EIO: "EIO", ENOTTY: "ENOTTY", EINVAL: "EINVAL",
            EACCES: "EACCES", EBUSY: "EBUSY", ETIMEDOUT: "ETIMEDOUT", ENXIO: "ENXIO", EPIPE: "EPIPE",
            EPROTO: "EPROTO", ENOMEM: "ENOMEM", EAGAIN: "EAGAIN", EPERM: "EPERM", ENOSPC: "ENOSPC",
        ]
        return names[code] ?? "errno \(code)"
    }
}
