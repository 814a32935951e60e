@testable import AffordCapture
import CV4L2
import Foundation
import Synchronization

/// A fake V4L2 driver behind `V4L2SystemCalls`: it answers the real ioctl structs, so
/// `LibV4L2Device`'s marshalling (enumeration, S_FMT, REQBUFS, mmap, DQBUF) runs in tests.
final class FakeKernel: V4L2SystemCalls {
    enum Event: Sendable {
        case frame(sequence: UInt32, bytes: [UInt8])
        case fail(Int32)
    }

    struct Camera: Sendable {
        var formats: [FormatDescription]
        var controls: [ControlInfo] = []
        var capabilities = UInt32(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING)
        /// What S_FMT answers instead of the request, if set (a driver that substitutes).
        var substitute: (FourCC, Int, Int)?
        var events: [Event] = []
        /// Stamp buffers with CLOCK_MONOTONIC at DQBUF instead of 12 s plus the sequence in µs.
        var stampsFromClock = false
        /// Stamp every buffer with this instead, if set (a driver's nonsense COPY stamp).
        var stamp: timeval?
    }

    fileprivate struct OpenFile {
        var node: String
        var bufferAddresses: [Int] = []  // bit patterns of the "mmap'd" buffers
        var queued: [UInt32] = []
    }

    struct State {
        var links: [String: String] = [:]
        var cameras: [String: Camera] = [:]
        fileprivate var files: [Int32: OpenFile] = [:]
        var nextFd: Int32 = 100
        /// Every ioctl and notable argument, in order.
        var calls: [String] = []
        /// Where the camera reappears after DQBUF fails with ENODEV (unplugged), if anywhere.
        var replug: (link: String, node: String, camera: Camera)?
    }

    let state: Mutex<State>
    static let bufferSize = 1 << 16

    init(links: [String: String], cameras: [String: Camera]) {
        state = Mutex(State(links: links, cameras: cameras))
    }

    func resolve(_ path: String) -> String? {
        state.withLock { state in
            let node = state.links[path] ?? path
            guard state.cameras[node] != nil || node == path && FileManager.default.fileExists(atPath: path) else {
                errno = ENOENT
                return nil
            }
            return node
        }
    }

    func open(_ node: String) -> Int32 {
        state.withLock { state in
            guard state.cameras[node] != nil else { errno = ENOENT; return -1 }
            state.nextFd += 1
            state.files[state.nextFd] = OpenFile(node: node)
            return state.nextFd
        }
    }

    func rawIoctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32 { ioctl(fd, request, argument) }
    func adopt(_ fd: Int32) -> Int32 { fd }

    func mmap(_ fd: Int32, length: Int, offset: Int64) -> UnsafeMutableRawPointer? {
        state.withLock { state in
            state.files[fd]?.bufferAddresses[Int(offset) / Self.bufferSize]
        }.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    func munmap(_ address: UnsafeMutableRawPointer, length: Int) {}

    func poll(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32 {
        let pending = state.withLock { state in state.files[fd].map { !(state.cameras[$0.node]?.events.isEmpty ?? true) } ?? false }
        if !pending { Thread.sleep(forTimeInterval: 0.002) }
        return 1  // an idle camera wakes with EAGAIN rather than timing out
    }

    func poll(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Bool]? {
        let pending = state.withLock { state in
            fds.map { fd in state.files[fd].map { !(state.cameras[$0.node]?.events.isEmpty ?? true) } ?? false }
        }
        if pending.contains(true) { return pending }
        Thread.sleep(forTimeInterval: 0.002)
        return fds.map { _ in true }  // as above: idle cameras wake with EAGAIN
    }

    func close(_ fd: Int32, adopted: Bool) {
        state.withLock { state in
            for address in state.files[fd]?.bufferAddresses ?? [] { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
            state.files[fd] = nil
            state.calls.append("close")
        }
    }

    func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) -> Int32 {
        state.withLock { state in
            guard let file = state.files[fd] else { errno = EBADF; return -1 }
            // An unplugged device's open fd answers ENODEV, as uvcvideo's does.
            guard state.cameras[file.node] != nil else { errno = ENODEV; return -1 }
            let code = handle(request, argument, file: &state.files[fd]!, camera: &state.cameras[file.node]!, calls: &state.calls)
            if code == ENODEV {
                state.cameras[file.node] = nil
                if let replug = state.replug {
                    state.cameras[replug.node] = replug.camera
                    state.links[replug.link] = replug.node
                    state.replug = nil
                }
            }
            if code != 0 { errno = code; return -1 }
            return 0
        }
    }

    private static func monotonicTimeval() -> timeval {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return timeval(tv_sec: now.tv_sec, tv_usec: now.tv_nsec / 1000)
    }

    private func fill<T>(_ field: inout T, _ text: String) {
        withUnsafeMutableBytes(of: &field) { bytes in
            let text = Array(text.utf8.prefix(bytes.count - 1))
            for i in 0..<bytes.count { bytes[i] = i < text.count ? text[i] : 0 }
        }
    }

    private func handle(_ request: UInt, _ argument: UnsafeMutableRawPointer, file: inout OpenFile,
                        camera: inout Camera, calls: inout [String]) -> Int32 {
        switch request {
        case AFFORD_VIDIOC_QUERYCAP:
            let cap = argument.assumingMemoryBound(to: v4l2_capability.self)
            fill(&cap.pointee.driver, "fake")
            fill(&cap.pointee.card, "Fake UVC Camera")
            cap.pointee.capabilities = camera.capabilities | UInt32(V4L2_CAP_DEVICE_CAPS)
            cap.pointee.device_caps = camera.capabilities
        case AFFORD_VIDIOC_ENUM_FMT:
            let description = argument.assumingMemoryBound(to: v4l2_fmtdesc.self)
            guard Int(description.pointee.index) < camera.formats.count else { return EINVAL }
            let format = camera.formats[Int(description.pointee.index)]
            description.pointee.pixelformat = format.fourCC.rawValue
            description.pointee.flags = format.emulated ? UInt32(V4L2_FMT_FLAG_EMULATED) : 0
            fill(&description.pointee.description, format.name)
        case AFFORD_VIDIOC_ENUM_FRAMESIZES:
            let size = argument.assumingMemoryBound(to: v4l2_frmsizeenum.self)
            guard let format = camera.formats.first(where: { $0.fourCC.rawValue == size.pointee.pixel_format }),
                  Int(size.pointee.index) < format.sizes.count else { return EINVAL }
            size.pointee.type = V4L2_FRMSIZE_TYPE_DISCRETE.rawValue
            size.pointee.discrete.width = UInt32(format.sizes[Int(size.pointee.index)].width)
            size.pointee.discrete.height = UInt32(format.sizes[Int(size.pointee.index)].height)
        case AFFORD_VIDIOC_ENUM_FRAMEINTERVALS:
            let interval = argument.assumingMemoryBound(to: v4l2_frmivalenum.self)
            guard let format = camera.formats.first(where: { $0.fourCC.rawValue == interval.pointee.pixel_format }),
                  let size = format.sizes.first(where: { $0.width == interval.pointee.width && $0.height == interval.pointee.height }),
                  Int(interval.pointee.index) < size.intervals.count else { return EINVAL }
            interval.pointee.type = V4L2_FRMIVAL_TYPE_DISCRETE.rawValue
            interval.pointee.discrete.numerator = size.intervals[Int(interval.pointee.index)].numerator
            interval.pointee.discrete.denominator = size.intervals[Int(interval.pointee.index)].denominator
        case AFFORD_VIDIOC_QUERYCTRL:
            let query = argument.assumingMemoryBound(to: v4l2_queryctrl.self)
            let after = query.pointee.id & ~UInt32(V4L2_CTRL_FLAG_NEXT_CTRL)
            guard let control = camera.controls.sorted(by: { $0.id < $1.id }).first(where: { $0.id > after }) else { return EINVAL }
            query.pointee.id = control.id
            query.pointee.type = V4L2_CTRL_TYPE_INTEGER.rawValue
            fill(&query.pointee.name, control.name)
            query.pointee.minimum = Int32(control.minimum)
            query.pointee.maximum = Int32(control.maximum)
            query.pointee.step = Int32(control.step)
            query.pointee.default_value = Int32(control.defaultValue)
            query.pointee.flags = control.writable ? 0 : UInt32(V4L2_CTRL_FLAG_READ_ONLY)
        case AFFORD_VIDIOC_S_CTRL:
            let control = argument.assumingMemoryBound(to: v4l2_control.self).pointee
            calls.append("S_CTRL 0x\(String(control.id, radix: 16))=\(control.value)")
        case AFFORD_VIDIOC_S_FMT:
            let format = argument.assumingMemoryBound(to: v4l2_format.self)
            calls.append("S_FMT \(FourCC(rawValue: format.pointee.fmt.pix.pixelformat)) \(format.pointee.fmt.pix.width)x\(format.pointee.fmt.pix.height)")
            if let (fourCC, width, height) = camera.substitute {
                format.pointee.fmt.pix.pixelformat = fourCC.rawValue
                format.pointee.fmt.pix.width = UInt32(width)
                format.pointee.fmt.pix.height = UInt32(height)
            }
            let bytesPerPixel: UInt32 = [FourCC.yuyv.rawValue, FourCC.z16.rawValue].contains(format.pointee.fmt.pix.pixelformat) ? 2 : 0
            format.pointee.fmt.pix.bytesperline = format.pointee.fmt.pix.width * bytesPerPixel
            format.pointee.fmt.pix.sizeimage = UInt32(Self.bufferSize)
        case AFFORD_VIDIOC_S_PARM:
            let interval = argument.assumingMemoryBound(to: v4l2_streamparm.self).pointee.parm.capture.timeperframe
            calls.append("S_PARM \(interval.numerator)/\(interval.denominator)")
        case AFFORD_VIDIOC_REQBUFS:
            let request = argument.assumingMemoryBound(to: v4l2_requestbuffers.self)
            calls.append("REQBUFS \(request.pointee.count)")
            file.bufferAddresses = (0..<Int(request.pointee.count)).map { _ in
                Int(bitPattern: UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 64))
            }
        case AFFORD_VIDIOC_QUERYBUF:
            let buffer = argument.assumingMemoryBound(to: v4l2_buffer.self)
            guard Int(buffer.pointee.index) < file.bufferAddresses.count else { return EINVAL }
            buffer.pointee.length = UInt32(Self.bufferSize)
            buffer.pointee.m.offset = buffer.pointee.index * UInt32(Self.bufferSize)
        case AFFORD_VIDIOC_QBUF:
            file.queued.append(argument.assumingMemoryBound(to: v4l2_buffer.self).pointee.index)
        case AFFORD_VIDIOC_STREAMON:
            calls.append("STREAMON")
        case AFFORD_VIDIOC_STREAMOFF:
            calls.append("STREAMOFF")
        case AFFORD_VIDIOC_DQBUF:
            guard !camera.events.isEmpty else { return EAGAIN }
            switch camera.events.removeFirst() {
            case .fail(let code):
                return code
            case .frame(let sequence, let bytes):
                guard !file.queued.isEmpty, let memory = UnsafeMutableRawPointer(bitPattern: file.bufferAddresses[Int(file.queued[0])])
                else { return EIO }
                let buffer = argument.assumingMemoryBound(to: v4l2_buffer.self)
                buffer.pointee.index = file.queued.removeFirst()
                bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                buffer.pointee.bytesused = UInt32(bytes.count)
                buffer.pointee.sequence = sequence
                buffer.pointee.timestamp = camera.stamp ?? (camera.stampsFromClock ? Self.monotonicTimeval()
                    : timeval(tv_sec: 12, tv_usec: Int(sequence)))
                buffer.pointee.flags = UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
            }
        default:
            return ENOTTY
        }
        return 0
    }
}
