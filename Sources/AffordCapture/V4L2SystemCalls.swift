import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// The raw calls `LibV4L2Device` makes, each returning and setting errno like its C
/// counterpart. `LibV4L2Calls` is libv4l2 itself; tests put a fake kernel here to run the
/// ioctl marshalling (enumeration, S_FMT, mmap, DQBUF) without a camera.
public protocol V4L2SystemCalls: Sendable {
    /// The device node behind `path` (by-id links followed), or nil with errno set.
    func resolve(_ path: String) -> String?
    func open(_ node: String) -> Int32
    /// An ioctl on the plain fd, before libv4l2 owns it.
    func rawIoctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32
    /// Hands the fd to libv4l2 (`v4l2_fd_open`); returns the fd or -1.
    func adopt(_ fd: Int32) -> Int32
    /// `v4l2_ioctl` once adopted.
    func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32
    func mmap(_ fd: Int32, length: Int, offset: Int64) -> UnsafeMutableRawPointer?
    func munmap(_ address: UnsafeMutableRawPointer, length: Int)
    /// Waits for POLLIN: 1 ready, 0 timeout, -1 error.
    func poll(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32
    /// Waits for POLLIN on any of `fds`: per fd, whether it is ready (an error or hang-up
    /// counts, so the next DQBUF says what happened); all false on timeout; nil on error, errno set.
    func poll(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Bool]?
    func close(_ fd: Int32, adopted: Bool)
}

/// The real calls: libc for the probe, libv4l2 (with libv4lconvert and plugins) after.
public struct LibV4L2Calls: V4L2SystemCalls {
    public init() {}

    public func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func open(_ node: String) -> Int32 { afford_open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC) }

    public func rawIoctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32 {
        afford_ioctl(fd, request, argument)
    }

    public func adopt(_ fd: Int32) -> Int32 { v4l2_fd_open(fd, 0) }

    public func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32 {
        afford_v4l2_ioctl(fd, request, argument)
    }

    public func mmap(_ fd: Int32, length: Int, offset: Int64) -> UnsafeMutableRawPointer? {
        let address = v4l2_mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset)
        return address == MAP_FAILED ? nil : address
    }

    public func munmap(_ address: UnsafeMutableRawPointer, length: Int) { _ = v4l2_munmap(address, length) }

    public func poll(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32 {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&descriptor, 1, timeoutMilliseconds)
    }

    public func poll(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Bool]? {
        var descriptors = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        guard Glibc.poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds) >= 0 else { return nil }
        return descriptors.map { $0.revents != 0 }
    }

    public func close(_ fd: Int32, adopted: Bool) {
        if adopted { _ = v4l2_close(fd) } else { _ = Glibc.close(fd) }
    }
}
