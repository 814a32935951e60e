@testable import AffordCapture
import AffordCore
import CV4L2
import Foundation
import Testing

/// `LibV4L2Device`'s ioctl marshalling against a fake driver that fills the real structs.
@Suite struct LibV4L2DeviceTests {
    static let byID = "/dev/v4l/by-id/usb-Fake_Cam-video-index0"

    static func kernel(_ camera: FakeKernel.Camera, node: String = "/dev/video0") -> FakeKernel {
        FakeKernel(links: [byID: node], cameras: [node: camera])
    }

    @Test func enumerationRoundTripsTheFormatAndControlTables() throws {
        let kernel = Self.kernel(FakeKernel.Camera(formats: RecordedFormatTables.uvcWebcam, controls: CameraControlTests.uvc))
        let device = try LibV4L2Opener(calls: kernel).open("usb-Fake_Cam-video-index0")
        defer { device.close() }
        #expect(device.node == "/dev/video0" && device.identity.card == "Fake UVC Camera")
        #expect(try device.formats() == RecordedFormatTables.uvcWebcam)
        let controls = try device.controls()
        #expect(controls == CameraControlTests.uvc.sorted { $0.id < $1.id }, "\(controls)")
    }

    @Test func configureSetsFormatRateAndMapsBuffers() throws {
        let kernel = Self.kernel(FakeKernel.Camera(formats: RecordedFormatTables.uvcWebcam))
        let device = try LibV4L2Opener(calls: kernel).open(Self.byID)
        let chosen = try FormatNegotiation.negotiate(CaptureRequest(width: 640, height: 480, fps: 30, preference: [.yuyv]),
                                                     from: try device.formats())
        let layout = try device.configure(chosen, bufferCount: 4)
        #expect(layout == StreamLayout(bytesPerLine: 1280, imageSize: FakeKernel.bufferSize, interval: FrameInterval(fps: 30)))
        device.close()
        #expect(kernel.state.withLock { $0.calls } == ["S_FMT YUYV 640x480", "S_PARM 1/30", "REQBUFS 4", "close"])
    }

    @Test func aDriverThatSubstitutesIsRefusedNotMislabelled() throws {
        var camera = FakeKernel.Camera(formats: RecordedFormatTables.uvcWebcam)
        camera.substitute = (.yuyv, 640, 480)
        let device = try LibV4L2Opener(calls: Self.kernel(camera)).open(Self.byID)
        defer { device.close() }
        let chosen = try FormatNegotiation.negotiate(CaptureRequest(width: 640, height: 480, fps: 30), from: try device.formats())
        let failure = #expect(throws: V4L2Failure.self) { try device.configure(chosen, bufferCount: 4) }
        #expect(failure?.description.contains("driver set YUYV 640x480; refusing to mislabel frames") == true)
    }

    @Test func captureOnlyDevicesWithoutStreamingAreRefused() throws {
        var camera = FakeKernel.Camera(formats: [])
        camera.capabilities = UInt32(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_READWRITE)
        let failure = #expect(throws: V4L2Failure.self) { try LibV4L2Opener(calls: Self.kernel(camera)).open(Self.byID) }
        #expect(failure?.description == "VIDIOC_QUERYCAP on \(Self.byID) -> /dev/video0: Fake UVC Camera lacks streaming I/O (capabilities 0x1000001)")
    }

    @Test func cameraStreamsThroughMmapAndFollowsTheLinkAfterReplug() throws {
        let jpegLike: (UInt32) -> [UInt8] = { [0xFF, 0xD8, UInt8($0), 0xFF, 0xD9] }
        var first = FakeKernel.Camera(formats: RecordedFormatTables.uvcWebcam, controls: CameraControlTests.uvc)
        first.events = [.frame(sequence: 0, bytes: jpegLike(0)), .frame(sequence: 2, bytes: jpegLike(2)), .fail(ENODEV)]
        var second = first
        second.events = [.frame(sequence: 0, bytes: jpegLike(9))]
        let kernel = FakeKernel(links: [Self.byID: "/dev/video0"], cameras: ["/dev/video0": first])
        // Unplugged after its second frame, it comes back as /dev/video3.
        kernel.state.withLock { $0.replug = (Self.byID, "/dev/video3", second) }
        let camera = V4L2Camera(
            config: V4L2CameraConfig(name: "wrist", device: Self.byID, request: CaptureRequest(width: 640, height: 480, fps: 30),
                                     controls: [ControlSetting("gain", 7)],
                                     backoff: ReconnectBackoff(initialSeconds: 0.001, maximumSeconds: 0.002)),
            opener: LibV4L2Opener(calls: kernel))
        defer { camera.close() }
        var frames: [Frame] = []
        while let frame = try camera.nextFrame() {
            frames.append(frame)
            if frame.pixels == jpegLike(9) { break }
        }
        let last = try #require(frames.last)
        #expect(last.format == .mjpeg && last.width == 640 && last.captureMonotonicNs == 12_000_000_000)
        let stats = camera.statistics
        #expect(stats.frames == 3 && stats.drops == 1 && stats.deviceNode == "/dev/video3", "\(stats)")
        #expect(stats.lastError?.contains("VIDIOC_DQBUF on \(Self.byID) -> /dev/video0: No such device (ENODEV)") == true, "\(stats)")
        let calls = kernel.state.withLock { $0.calls }
        #expect(calls.filter { $0 == "S_CTRL 0x980913=7" }.count == 2, "\(calls)")
        #expect(calls.filter { $0 == "S_FMT MJPG 640x480" }.count == 2)
    }

    @Test func aNegativeOrHugeDriverStampIsReplacedByTheDequeueTime() throws {
        for stamp in [timeval(tv_sec: -5, tv_usec: 0), timeval(tv_sec: Int.max, tv_usec: 999_999), timeval(tv_sec: 1, tv_usec: -1)] {
            var source = FakeKernel.Camera(formats: RecordedFormatTables.uvcWebcam)
            source.events = [.frame(sequence: 0, bytes: [0xFF, 0xD8, 0, 0xFF, 0xD9])]
            source.stamp = stamp
            let camera = V4L2Camera(
                config: V4L2CameraConfig(name: "odd", device: Self.byID, request: CaptureRequest(width: 640, height: 480, fps: 30)),
                opener: LibV4L2Opener(calls: Self.kernel(source)))
            defer { camera.close() }
            let before = MonotonicClock.nowNs()
            let frame = try #require(try camera.nextFrame())
            #expect((before...MonotonicClock.nowNs()).contains(frame.captureMonotonicNs), "stamp \(stamp)")
        }
    }

    @Test func timevalsConvertOnlyInsideUInt64() {
        #expect(DequeuedBuffer.nanoseconds(seconds: 12, microseconds: 34) == 12_000_034_000)
        #expect(DequeuedBuffer.nanoseconds(seconds: 18_446_744_073, microseconds: 709_551) == 18_446_744_073_709_551_000)
        #expect(DequeuedBuffer.nanoseconds(seconds: 18_446_744_073, microseconds: 709_552) == nil)
        #expect(DequeuedBuffer.nanoseconds(seconds: 18_446_744_074, microseconds: 0) == nil)
        #expect(DequeuedBuffer.nanoseconds(seconds: -1, microseconds: 0) == nil)
        #expect(DequeuedBuffer.nanoseconds(seconds: 0, microseconds: 1_000_000) == nil)
    }

    @Test func placeholderSizesAreDroppedSoNoAreaOverflows() throws {
        let huge = Int(UInt32.max)
        let table = [FormatDescription(fourCC: .z16, name: "16-bit Depth", sizes: [
            FrameSizeOption(width: 640, height: 480, intervals: RecordedFormatTables.rates(30)),
            FrameSizeOption(width: huge, height: huge, intervals: RecordedFormatTables.rates(30)),
        ])]
        let device = try LibV4L2Opener(calls: Self.kernel(FakeKernel.Camera(formats: table))).open(Self.byID)
        defer { device.close() }
        let listed = try device.formats()
        #expect(listed.flatMap(\.sizes).map(\.width) == [640])
        let depth = try FormatNegotiation.negotiateDepth(width: 1280, height: 720, fps: 30, from: listed)
        #expect(depth.width == 640 && depth.height == 480)
        #expect(StepwiseSizes.plausible(width: 32768, height: 1) && !StepwiseSizes.plausible(width: 32769, height: 1))
        #expect(!StepwiseSizes.plausible(width: 640, height: 0))
    }
}

