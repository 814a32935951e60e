@testable import AffordCapture
import AffordCore
import CV4L2
import Foundation
import Testing

/// A colour node and a Z16 depth node on one capture thread, through `LibV4L2Device` and the fake kernel.
@Suite struct DepthCaptureTests {
    static let colourNode = "/dev/video0"
    static let depthNode = "/dev/video1"
    static let width = 160, height = 120

    static let colourTable = [FormatDescription(fourCC: .mjpeg, name: "Motion-JPEG", sizes: [
        FrameSizeOption(width: width, height: height, intervals: RecordedFormatTables.rates(30, 15)),
    ])]
    static let depthTable = [FormatDescription(fourCC: .z16, name: "16-bit Depth", sizes: [
        FrameSizeOption(width: 320, height: 240, intervals: RecordedFormatTables.rates(30)),
        FrameSizeOption(width: width, height: height, intervals: RecordedFormatTables.rates(30, 15)),
    ])]

    static func jpegLike(_ sequence: UInt32) -> [UInt8] { [0xFF, 0xD8, UInt8(sequence), 0xFF, 0xD9] }

    static func millimetres(x: Int, y: Int, sequence: UInt32) -> UInt16 { UInt16(400 + x + 7 * y + Int(sequence)) }

    /// A Z16 image, little endian, rows unpadded.
    static func z16(_ sequence: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let value = millimetres(x: x, y: y, sequence: sequence)
                bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
            }
        }
        return bytes
    }

    static func kernel(colour: [FakeKernel.Event], depth: [FakeKernel.Event]?, stampsFromClock: Bool = false) -> FakeKernel {
        var cameras = [colourNode: FakeKernel.Camera(formats: colourTable, events: colour, stampsFromClock: stampsFromClock)]
        if let depth { cameras[depthNode] = FakeKernel.Camera(formats: depthTable, events: depth, stampsFromClock: stampsFromClock) }
        return FakeKernel(links: [:], cameras: cameras)
    }

    static func camera(_ kernel: FakeKernel, toleranceMilliseconds: UInt64 = 20,
                       transform: (@Sendable (DepthImage) throws -> DepthImage)? = nil,
                       log: V4L2CameraTests.LogLines = V4L2CameraTests.LogLines()) -> V4L2Camera {
        V4L2Camera(
            config: V4L2CameraConfig(
                name: "head", device: colourNode, request: CaptureRequest(width: width, height: height, fps: 30),
                backoff: ReconnectBackoff(initialSeconds: 0.001, maximumSeconds: 0.004),
                depth: V4L2DepthConfig(device: depthNode, metresPerUnit: 0.001,
                                       toleranceNs: toleranceMilliseconds * 1_000_000, transform: transform)),
            opener: LibV4L2Opener(calls: kernel), log: log.logger)
    }

    /// Takes frames until the one carrying colour frame `sequence` arrives.
    static func frames(from camera: V4L2Camera, until sequence: UInt32) throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try camera.nextFrame() {
            frames.append(frame)
            if frame.pixels == jpegLike(sequence) { break }
        }
        return frames
    }

    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: 5)
        while !condition() {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.001)
        }
        return true
    }

    static func expectDepth(_ frame: Frame, ofSequence sequence: UInt32, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let depth = try #require(frame.depth, sourceLocation: sourceLocation)
        #expect(depth.width == width && depth.height == height && depth.stampNs == frame.captureMonotonicNs,
                sourceLocation: sourceLocation)
        let expected = (0..<height).flatMap { y in
            (0..<width).map { x in Float(millimetres(x: x, y: y, sequence: sequence)) * 0.001 }
        }
        #expect(depth.metres == expected, sourceLocation: sourceLocation)
    }

    @Test func pairedFramesCarryZ16MillimetresAsMetres() throws {
        let kernel = Self.kernel(colour: (0..<3).map { .frame(sequence: $0, bytes: Self.jpegLike($0)) },
                                 depth: (0..<3).map { .frame(sequence: $0, bytes: Self.z16($0)) })
        let camera = Self.camera(kernel)
        defer { camera.close() }
        let frames = try Self.frames(from: camera, until: 2)
        for frame in frames {
            try Self.expectDepth(frame, ofSequence: UInt32(frame.pixels[2]))
        }
        let stats = camera.statistics
        #expect(stats.frames == 3 && stats.depthFrames == 3 && stats.depthErrors == 0 && stats.depthStreaming, "\(stats)")
        #expect(stats.source?.hasSuffix(" 160x120 @ 30.0 fps, depth Z16  160x120 @ 30.0 fps") == true, "\(stats)")
        let calls = kernel.state.withLock { $0.calls }
        #expect(calls.contains("S_FMT Z16  160x120") && calls.filter { $0 == "S_PARM 1/30" }.count == 2, "\(calls)")
    }

    @Test func aSilentDepthNodeDelaysColourByTheToleranceAtMost() throws {
        let kernel = Self.kernel(colour: [.frame(sequence: 0, bytes: Self.jpegLike(0))], depth: [], stampsFromClock: true)
        let camera = Self.camera(kernel, toleranceMilliseconds: 30)
        defer { camera.close() }
        let frame = try #require(try camera.nextFrame())
        let delayMilliseconds = Double(MonotonicClock.nowNs() - frame.captureMonotonicNs) / 1e6
        #expect(frame.depth == nil)
        // Held for its depth until the tolerance passed, then sent on; the slack is scheduling.
        #expect(delayMilliseconds >= 30 && delayMilliseconds < 130, "delayed \(delayMilliseconds) ms")
        #expect(camera.statistics.depthStreaming && camera.statistics.depthErrors == 0)
    }

    @Test func aDepthNodeThatWillNotOpenLeavesColourFlowingAndIsLoggedOnce() throws {
        let log = V4L2CameraTests.LogLines()
        let camera = Self.camera(Self.kernel(colour: (0..<4).map { .frame(sequence: $0, bytes: Self.jpegLike($0)) },
                                             depth: nil), log: log)
        defer { camera.close() }
        let frames = try Self.frames(from: camera, until: 3)
        #expect(frames.allSatisfy { $0.depth == nil } && camera.statistics.frames == 4)
        #expect(Self.eventually { camera.statistics.depthErrors >= 3 }, "the depth node is retried")
        let stats = camera.statistics
        #expect(!stats.depthStreaming && stats.streaming)
        #expect(stats.depthLastError?.contains("open on /dev/video1: No such file or directory (ENOENT)") == true, "\(stats)")
        let warnings = log.all.filter { $0.contains("depth /dev/video1") }
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains("frames go out without depth until it recovers") == true)
    }

    @Test func aDepthErrorMidStreamKeepsColourAndTheNodeComesBack() throws {
        let log = V4L2CameraTests.LogLines()
        let kernel = Self.kernel(colour: [.frame(sequence: 0, bytes: Self.jpegLike(0))],
                                 depth: [.frame(sequence: 0, bytes: Self.z16(0)), .fail(EIO)])
        let camera = Self.camera(kernel, log: log)
        defer { camera.close() }
        try Self.expectDepth(try #require(try Self.frames(from: camera, until: 0).last), ofSequence: 0)
        #expect(Self.eventually { camera.statistics.depthErrors == 1 && camera.statistics.depthStreaming })
        // Both nodes deliver again; the colour node never stopped.
        kernel.state.withLock {
            $0.cameras[Self.colourNode]?.events.append(.frame(sequence: 5, bytes: Self.jpegLike(5)))
            $0.cameras[Self.depthNode]?.events.append(.frame(sequence: 5, bytes: Self.z16(5)))
        }
        try Self.expectDepth(try #require(try Self.frames(from: camera, until: 5).last), ofSequence: 5)
        let stats = camera.statistics
        #expect(stats.reconnects == 0 && stats.depthErrors == 1 && stats.depthFrames == 2, "\(stats)")
        #expect(stats.depthLastError?.contains("VIDIOC_DQBUF on /dev/video1: Input/output error (EIO)") == true)
        #expect(log.all.filter { $0.contains("depth /dev/video1: VIDIOC_DQBUF") }.count == 1)
        #expect(kernel.state.withLock { $0.calls }.filter { $0 == "S_FMT Z16  160x120" }.count == 2)
    }

    @Test func aShortZ16BufferIsRejectedAndCounted() throws {
        let kernel = Self.kernel(colour: (0..<2).map { .frame(sequence: $0, bytes: Self.jpegLike($0)) },
                                 depth: [.frame(sequence: 0, bytes: Array(Self.z16(0).prefix(100))),
                                         .frame(sequence: 1, bytes: Self.z16(1))])
        let camera = Self.camera(kernel)
        defer { camera.close() }
        let frames = try Self.frames(from: camera, until: 1)
        try Self.expectDepth(try #require(frames.last), ofSequence: 1)
        #expect(frames.dropLast().allSatisfy { $0.depth == nil })
        let stats = camera.statistics
        #expect(stats.depthErrors == 1 && stats.depthFrames == 1 && stats.depthStreaming, "\(stats)")
        #expect(stats.depthLastError == "depth node /dev/video1 buffer 0: depth data has 100 bytes, "
            + "160x120 with step 320 needs 38400")
        // Rejected, not reconnected.
        #expect(kernel.state.withLock { $0.calls }.filter { $0 == "S_FMT Z16  160x120" }.count == 1)
    }

    @Test func theTransformRunsOnEachDepthFrameAndItsErrorsAreCounted() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "refused" } }
        let kernel = Self.kernel(colour: (0..<2).map { .frame(sequence: $0, bytes: Self.jpegLike($0)) },
                                 depth: (0..<2).map { .frame(sequence: $0, bytes: Self.z16($0)) })
        let firstStamp: UInt64 = 12_000_000_000  // the fake kernel stamps 12 s plus the sequence in µs
        let camera = Self.camera(kernel, transform: { depth in
            guard depth.stampNs != firstStamp else { throw Refused() }
            return DepthImage(width: 1, height: 1, metres: [depth.metres[0]], stampNs: depth.stampNs)
        })
        defer { camera.close() }
        let frames = try Self.frames(from: camera, until: 1)
        let depth = try #require(frames.last?.depth)
        #expect(depth.width == 1 && depth.metres == [Float(Self.millimetres(x: 0, y: 0, sequence: 1)) * 0.001])
        #expect(camera.statistics.depthErrors == 1 && camera.statistics.depthLastError == "refused")
    }

    @Test func depthNegotiationTakesTheColourSizeOrTheNearestAtTheColourRate() throws {
        let realsense = [FormatDescription(fourCC: .z16, name: "16-bit Depth", sizes: [
            FrameSizeOption(width: 1280, height: 720, intervals: RecordedFormatTables.rates(30, 15)),
            FrameSizeOption(width: 848, height: 480, intervals: RecordedFormatTables.rates(90, 30)),
            FrameSizeOption(width: 640, height: 480, intervals: RecordedFormatTables.rates(30, 15)),
            FrameSizeOption(width: 480, height: 270, intervals: RecordedFormatTables.rates(30)),
        ])] + RecordedFormatTables.yuyvOnly
        let size = { (width: Int, height: Int, fps: Int?) throws -> String in
            let chosen = try FormatNegotiation.negotiateDepth(width: width, height: height, fps: fps, from: realsense)
            return "\(chosen.width)x\(chosen.height)@\(chosen.interval.map { Int($0.fps) } ?? 0)"
        }
        #expect(try size(640, 480, 30) == "640x480@30")
        #expect(try size(1920, 1080, 30) == "1280x720@30")
        #expect(try size(640, 360, 30) == "640x480@30")
        #expect(try size(640, 480, 90) == "848x480@90")
        #expect(try size(640, 480, nil) == "640x480@30")
        let error = #expect(throws: AffordError.self) {
            try FormatNegotiation.negotiateDepth(width: 640, height: 480, fps: 30, from: RecordedFormatTables.uvcWebcam)
        }
        #expect(error?.message.hasPrefix("the depth node offers no Z16 at 30 fps; it offers: YUYV") == true)
    }
}
