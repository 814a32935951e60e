import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// Opens real devices through libv4l2 (so libv4lconvert can supply RGB24).
public struct LibV4L2Opener: V4L2DeviceOpener {
    let calls: any V4L2SystemCalls

    public init(calls: any V4L2SystemCalls = LibV4L2Calls()) { self.calls = calls }

    public func open(_ path: String) throws -> any V4L2Device { try LibV4L2Device(path: path, calls: calls) }

    public func waitForBuffers(on devices: [any V4L2Device], timeoutMilliseconds: Int) throws -> [Bool] {
        guard let ready = calls.poll(devices.map(\.pollDescriptor), timeoutMilliseconds: Int32(clamping: timeoutMilliseconds))
        else {
            // A signal: nothing is known to be ready, and the caller waits again.
            if errno == EINTR { return devices.map { _ in false } }
            throw V4L2Failure("poll", path: devices.map(\.node).joined(separator: ", "), errno: errno)
        }
        return ready
    }

    /// A bare name ("usb-Logitech_C920-video-index0") is looked up under /dev/v4l/by-id.
    static func expand(_ path: String) -> String {
        path.contains("/") ? path : "/dev/v4l/by-id/" + path
    }
}

/// One open V4L2 device: the system calls behind the `V4L2Device` seam.
final class LibV4L2Device: V4L2Device {
    let node: String
    let identity: DeviceIdentity
    /// "configured -> node" when a link was followed, for messages.
    private let label: String
    private let fd: Int32
    var pollDescriptor: Int32 { fd }
    private let calls: any V4L2SystemCalls
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private var streaming = false
    private var isClosed = false

    init(path configured: String, calls: any V4L2SystemCalls) throws {
        self.calls = calls
        let path = LibV4L2Opener.expand(configured)
        guard let resolved = calls.resolve(path) else {
            throw V4L2Failure("open", path: path, errno: errno)
        }
        node = resolved
        label = node == path ? node : "\(path) -> \(node)"
        let raw = calls.open(node)
        guard raw >= 0 else { throw V4L2Failure("open", path: label, errno: errno) }

        // A plain QUERYCAP first, so a file that is not a V4L2 device fails with its own
        // errno here rather than somewhere inside libv4l2.
        var probe = v4l2_capability()
        if withUnsafeMutablePointer(to: &probe, { calls.rawIoctl(raw, AFFORD_VIDIOC_QUERYCAP, UnsafeMutableRawPointer($0)) }) == -1 {
            let code = errno
            calls.close(raw, adopted: false)
            throw V4L2Failure("VIDIOC_QUERYCAP", path: label, errno: code,
                              detail: code == ENOTTY || code == EINVAL ? "not a V4L2 device" : nil)
        }
        // libv4l2 takes the fd: libv4lconvert adds emulated formats, and plugins such as
        // libv4l-mplane present multi-planar CSI cameras as single-plane ones.
        guard calls.adopt(raw) == raw else {
            let code = errno
            calls.close(raw, adopted: false)
            throw V4L2Failure("v4l2_fd_open", path: label, errno: code)
        }
        fd = raw
        // Capabilities as the application sees them through libv4l2 and its plugins.
        var capability = v4l2_capability()
        if withUnsafeMutablePointer(to: &capability, { calls.ioctl(raw, AFFORD_VIDIOC_QUERYCAP, UnsafeMutableRawPointer($0)) }) == -1 {
            let code = errno
            calls.close(raw, adopted: true)
            throw V4L2Failure("VIDIOC_QUERYCAP", path: label, errno: code)
        }
        let identity = DeviceIdentity(driver: cString(capability.driver), card: cString(capability.card),
                                      busInfo: cString(capability.bus_info))
        let caps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? capability.device_caps : capability.capabilities
        let missing = [(UInt32(V4L2_CAP_VIDEO_CAPTURE), "video capture"), (UInt32(V4L2_CAP_STREAMING), "streaming I/O")]
            .filter { caps & $0.0 == 0 }.map(\.1)
        if !missing.isEmpty {
            calls.close(raw, adopted: true)
            throw V4L2Failure("VIDIOC_QUERYCAP", path: label, errno: 0, detail:
                "\(identity.card) lacks \(missing.joined(separator: " and ")) (capabilities 0x\(String(caps, radix: 16)))")
        }
        // Assigned last: once every property is set, a throw would run deinit and close twice.
        self.identity = identity
    }

    deinit { close() }

    /// The ioctl on a plain C struct (never a Swift object), returning -1/errno like the C call.
    private func call<T>(_ request: UInt, _ argument: inout T) -> Int32 {
        withUnsafeMutablePointer(to: &argument) { calls.ioctl(fd, request, UnsafeMutableRawPointer($0)) }
    }

    private func ioctl<T>(_ request: UInt, _ name: String, _ argument: inout T) throws {
        if call(request, &argument) == -1 {
            throw V4L2Failure(name, path: label, errno: errno)
        }
    }

    /// Runs an enumeration ioctl from index 0 until the driver answers EINVAL.
    private func enumerate<T>(_ request: UInt, _ name: String, _ make: (UInt32) -> T) throws -> [T] {
        var results: [T] = []
        for index in UInt32(0)... {
            var item = make(index)
            if call(request, &item) == -1 {
                if errno == EINVAL { break }
                throw V4L2Failure(name, path: label, errno: errno)
            }
            results.append(item)
        }
        return results
    }

    func formats() throws -> [FormatDescription] {
        let descriptions = try enumerate(AFFORD_VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT") { index in
            var description = v4l2_fmtdesc()
            description.index = index
            description.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            return description
        }
        return try descriptions.map { description in
            FormatDescription(
                fourCC: FourCC(rawValue: description.pixelformat), name: cString(description.description),
                emulated: description.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0,
                sizes: try sizes(for: description.pixelformat))
        }
    }

    private func sizes(for pixelFormat: UInt32) throws -> [FrameSizeOption] {
        let entries = try enumerate(AFFORD_VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES") { index in
            var size = v4l2_frmsizeenum()
            size.index = index
            size.pixel_format = pixelFormat
            return size
        }
        var sizes: [(Int, Int)] = []
        for entry in entries {
            if entry.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append((Int(entry.discrete.width), Int(entry.discrete.height)))
            } else {
                sizes += StepwiseSizes.expand(entry.stepwise)
            }
        }
        return try sizes.filter(StepwiseSizes.plausible).map { width, height in
            FrameSizeOption(width: width, height: height,
                            intervals: try intervals(for: pixelFormat, width: width, height: height))
        }
    }

    private func intervals(for pixelFormat: UInt32, width: Int, height: Int) throws -> [FrameInterval] {
        let entries = try enumerate(AFFORD_VIDIOC_ENUM_FRAMEINTERVALS, "VIDIOC_ENUM_FRAMEINTERVALS") { index in
            var interval = v4l2_frmivalenum()
            interval.index = index
            interval.pixel_format = pixelFormat
            interval.width = UInt32(width)
            interval.height = UInt32(height)
            return interval
        }
        return entries.flatMap { entry -> [FrameInterval] in
            if entry.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue {
                return [FrameInterval(numerator: entry.discrete.numerator, denominator: entry.discrete.denominator)]
            }
            return StepwiseSizes.expand(entry.stepwise)
        }
    }

    func controls() throws -> [ControlInfo] {
        var controls: [ControlInfo] = []
        var query = v4l2_queryctrl()
        query.id = UInt32(V4L2_CTRL_FLAG_NEXT_CTRL)
        while call(AFFORD_VIDIOC_QUERYCTRL, &query) == 0 {
            let settable = [V4L2_CTRL_TYPE_INTEGER, V4L2_CTRL_TYPE_BOOLEAN, V4L2_CTRL_TYPE_MENU, V4L2_CTRL_TYPE_INTEGER_MENU]
                .map(\.rawValue).contains(query.type)
            if settable && query.flags & UInt32(V4L2_CTRL_FLAG_DISABLED) == 0 {
                controls.append(ControlInfo(
                    id: query.id, name: cString(query.name), minimum: Int(query.minimum), maximum: Int(query.maximum),
                    step: Int(query.step), defaultValue: Int(query.default_value),
                    writable: query.flags & UInt32(V4L2_CTRL_FLAG_READ_ONLY) == 0))
            }
            // A fresh struct per query, so nothing of the previous answer leaks into the next.
            let next = query.id | UInt32(V4L2_CTRL_FLAG_NEXT_CTRL)
            query = v4l2_queryctrl()
            query.id = next
        }
        if errno != EINVAL { throw V4L2Failure("VIDIOC_QUERYCTRL", path: label, errno: errno) }
        return controls
    }

    func setControl(_ control: ControlInfo, value: Int) throws {
        var setting = v4l2_control(id: control.id, value: Int32(clamping: value))
        do {
            try ioctl(AFFORD_VIDIOC_S_CTRL, "VIDIOC_S_CTRL", &setting)
        } catch var failure as V4L2Failure {
            failure.detail = "\(control.key) = \(value)"
            throw failure
        }
    }

    func configure(_ format: NegotiatedFormat, bufferCount: Int) throws -> StreamLayout {
        var requested = v4l2_format()
        requested.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        requested.fmt.pix.width = UInt32(format.width)
        requested.fmt.pix.height = UInt32(format.height)
        requested.fmt.pix.pixelformat = format.fourCC.rawValue
        requested.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        try ioctl(AFFORD_VIDIOC_S_FMT, "VIDIOC_S_FMT", &requested)
        let got = requested.fmt.pix
        guard got.pixelformat == format.fourCC.rawValue, Int(got.width) == format.width, Int(got.height) == format.height else {
            throw V4L2Failure("VIDIOC_S_FMT", path: label, errno: 0, detail: "asked for \(format), driver set "
                + "\(FourCC(rawValue: got.pixelformat)) \(got.width)x\(got.height); refusing to mislabel frames")
        }
        let interval = try setInterval(format.interval)
        try mapBuffers(count: bufferCount)
        return StreamLayout(bytesPerLine: Int(got.bytesperline), imageSize: Int(got.sizeimage), interval: interval)
    }

    /// VIDIOC_S_PARM; drivers without rate control (ENOTTY/EINVAL) keep their own rate.
    private func setInterval(_ interval: FrameInterval?) throws -> FrameInterval? {
        guard let interval else { return nil }
        var parameters = v4l2_streamparm()
        parameters.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        parameters.parm.capture.timeperframe = v4l2_fract(numerator: interval.numerator, denominator: interval.denominator)
        if call(AFFORD_VIDIOC_S_PARM, &parameters) == -1 {
            if errno == ENOTTY || errno == EINVAL { return nil }
            throw V4L2Failure("VIDIOC_S_PARM", path: label, errno: errno)
        }
        let actual = parameters.parm.capture.timeperframe
        return FrameInterval(numerator: actual.numerator, denominator: actual.denominator)
    }

    private func mapBuffers(count: Int) throws {
        var request = v4l2_requestbuffers()
        request.count = UInt32(count)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try ioctl(AFFORD_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
        guard request.count >= 2 else {
            throw V4L2Failure("VIDIOC_REQBUFS", path: label, errno: ENOMEM, detail: "driver granted \(request.count) buffers")
        }
        for index in 0..<request.count {
            var buffer = bufferDescriptor(index: index)
            try ioctl(AFFORD_VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer)
            guard let memory = calls.mmap(fd, length: Int(buffer.length), offset: Int64(buffer.m.offset)) else {
                throw V4L2Failure("v4l2_mmap", path: label, errno: errno)
            }
            buffers.append(UnsafeMutableRawBufferPointer(start: memory, count: Int(buffer.length)))
            try ioctl(AFFORD_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
        }
    }

    private func bufferDescriptor(index: UInt32) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = index
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        return buffer
    }

    func startStreaming() throws {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try ioctl(AFFORD_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type)
        streaming = true
    }

    func dequeue(timeoutMilliseconds: Int, _ body: (DequeuedBuffer) -> Void) throws -> Bool {
        let ready = calls.poll(fd, timeoutMilliseconds: Int32(clamping: timeoutMilliseconds))
        if ready == -1 {
            if errno == EINTR { return true }
            throw V4L2Failure("poll", path: label, errno: errno)
        }
        if ready == 0 { return false }
        var buffer = bufferDescriptor(index: 0)
        if call(AFFORD_VIDIOC_DQBUF, &buffer) == -1 {
            if errno == EAGAIN { return true }
            throw V4L2Failure("VIDIOC_DQBUF", path: label, errno: errno)
        }
        guard Int(buffer.index) < buffers.count else {
            throw V4L2Failure("VIDIOC_DQBUF", path: label, errno: EIO, detail: "driver returned unknown buffer \(buffer.index)")
        }
        let memory = buffers[Int(buffer.index)]
        let timestampKind = buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK)
        let stampNs = DequeuedBuffer.nanoseconds(seconds: Int(buffer.timestamp.tv_sec), microseconds: Int(buffer.timestamp.tv_usec))
        body(DequeuedBuffer(
            bytes: UnsafeRawBufferPointer(start: memory.baseAddress, count: min(Int(buffer.bytesused), memory.count)),
            sequence: buffer.sequence,
            timestampNs: stampNs ?? 0,
            monotonicTimestamp: stampNs != nil && timestampKind == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC),
            damaged: buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0))
        try ioctl(AFFORD_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
        return true
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        if streaming {
            var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            _ = call(AFFORD_VIDIOC_STREAMOFF, &type)
        }
        for buffer in buffers {
            if let address = buffer.baseAddress { calls.munmap(address, length: buffer.count) }
        }
        buffers = []
        calls.close(fd, adopted: true)
    }
}

/// Reads a fixed-size C char array (imported as a tuple) up to its NUL.
private func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}
