@testable import AffordCapture
import AffordCore
import Foundation
import Synchronization
import Testing

/// The capture thread's reconnect, latest-wins and counting logic, driven through the device seam.
@Suite struct V4L2CameraTests {
    static let request = CaptureRequest(width: 640, height: 480, fps: 30)
    static let webcam = RecordedFormatTables.uvcWebcam

    final class LogLines: Sendable {
        let lines = Mutex([String]())
        var logger: CaptureLogger { { level, line in self.lines.withLock { $0.append("\(level): \(line)") } } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func camera(_ opener: ScriptedOpener, controls: [ControlSetting] = [], log: LogLines = LogLines()) -> V4L2Camera {
        V4L2Camera(
            config: V4L2CameraConfig(name: "front", device: "/dev/v4l/by-id/usb-Fake-video-index0", request: request,
                                     controls: controls, frameTimeoutMilliseconds: 50,
                                     backoff: ReconnectBackoff(initialSeconds: 0.001, maximumSeconds: 0.004)),
            opener: opener, log: log.logger)
    }

    /// Takes frames until one with this (connection, driver sequence) tag arrives.
    static func frames(from camera: V4L2Camera, until tag: (Int, Int)) throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try camera.nextFrame() {
            frames.append(frame)
            if ScriptedOpener.tag(frame) == tag { break }
        }
        return frames
    }

    @Test func unplugThenRenumberedReplugReconnectsAndReappliesControls() throws {
        let opener = ScriptedOpener([
            .device(node: "/dev/video0", formats: Self.webcam, events: [.frame(0), .frame(1), .frame(2), .fail(ENODEV)]),
            .openFails(ENOENT), .openFails(ENOENT),
            .device(node: "/dev/video2", formats: Self.webcam, events: [.frame(0), .frame(1)]),
        ], controls: CameraControlTests.uvc)
        let log = LogLines()
        let camera = Self.camera(opener, controls: [ControlSetting("auto_exposure", 1), ControlSetting("exposure", 120)], log: log)
        defer { camera.close() }

        let frames = try Self.frames(from: camera, until: (3, 1))
        #expect(frames.map(\.sequence) == frames.map(\.sequence).sorted())
        #expect(Set(frames.map(\.camera)) == ["front"] && frames.allSatisfy { $0.format == .mjpeg && $0.width == 640 })
        let stats = camera.statistics
        #expect(stats.reconnects == 3 && stats.frames == 5 && stats.drops == 0, "\(stats)")
        #expect(stats.source == "/dev/video2 MJPG 640x480 @ 30.0 fps", "\(stats)")
        #expect(stats.lastError?.contains("ENOENT") == true)
        let record = opener.record.withLock { $0 }
        #expect(record.opened == Array(repeating: "/dev/v4l/by-id/usb-Fake-video-index0", count: 4))
        #expect(record.controlsSet == [["auto_exposure": 1, "exposure_time_absolute": 120],
                                       ["auto_exposure": 1, "exposure_time_absolute": 120]])
        #expect(record.closed == 1)  // the first device; the second is still streaming
        let lines = log.all
        #expect(lines.contains { $0.contains("VIDIOC_DQBUF on /dev/video0: No such device (ENODEV); reconnect attempt 1 in 0.001 s") })
        #expect(lines.contains { $0.contains("reconnect attempt 3 in 0.004 s") })
        #expect(lines.contains { $0.contains("usb-Fake-video-index0 -> /dev/video2 [Scripted Camera] negotiated MJPG 640x480") })
    }

    @Test func eioAndStallsReconnectWithoutEndingTheStream() throws {
        let opener = ScriptedOpener([
            .device(node: "/dev/video0", formats: Self.webcam, events: [.frame(0), .fail(EIO)]),
            .device(node: "/dev/video0", formats: Self.webcam, events: [.stall]),
            .device(node: "/dev/video0", formats: Self.webcam, events: [.frame(7)]),
        ])
        let log = LogLines()
        let camera = Self.camera(opener, log: log)
        defer { camera.close() }
        _ = try Self.frames(from: camera, until: (2, 7))
        #expect(camera.statistics.reconnects == 2)
        #expect(log.all.contains { $0.contains("poll on /dev/video0: Connection timed out (ETIMEDOUT): no frame within 50 ms") })
        #expect(log.all.contains { $0.contains("Input/output error (EIO)") })
    }

    @Test func sequenceGapsAndDamagedBuffersCountAsDrops() throws {
        let opener = ScriptedOpener([
            .device(node: "/dev/video0", formats: Self.webcam,
                    events: [.frame(10), .frame(11), .frame(15), .damagedFrame(16), .frame(17)]),
        ])
        let camera = Self.camera(opener)
        defer { camera.close() }
        let last = try #require(try Self.frames(from: camera, until: (0, 17)).last)
        #expect(camera.statistics.drops == 4)  // 12, 13, 14 skipped by the driver, 16 damaged
        #expect(camera.statistics.frames == 4)
        #expect(last.sequence == 7)  // 10 -> 0, so 17 -> 7: gaps in Frame.sequence are real losses
    }

    @Test func slowConsumerGetsTheNewestFrameNotAQueue() throws {
        let opener = ScriptedOpener([
            .device(node: "/dev/video0", formats: Self.webcam, events: (0..<200).map { .frame($0) }),
        ])
        let camera = Self.camera(opener)
        defer { camera.close() }
        while camera.statistics.frames < 200 { Thread.sleep(forTimeInterval: 0.002) }
        let frame = try #require(try camera.nextFrame())
        #expect(ScriptedOpener.tag(frame) == (0, 199))
        #expect(camera.statistics.superseded >= 150)
    }

    @Test func timestampsComeFromTheDriverWhenMonotonic() throws {
        let opener = ScriptedOpener([
            .device(node: "/dev/video0", formats: Self.webcam, events: [.frame(4), .frame(5, monotonic: false)]),
        ])
        let log = LogLines()
        let camera = Self.camera(opener, log: log)
        defer { camera.close() }
        let frames = try Self.frames(from: camera, until: (0, 5))
        if let first = frames.first, ScriptedOpener.tag(first) == (0, 4) {
            #expect(first.captureMonotonicNs == 5_000_000)
        }
        let before = MonotonicClock.nowNs()
        #expect(try #require(frames.last).captureMonotonicNs <= before)
        #expect(try #require(frames.last).captureMonotonicNs > 1_000_000_000)  // stamped at dequeue, not 6 ms
        #expect(log.all.contains { $0.contains("not CLOCK_MONOTONIC") })
        #expect(camera.statistics.realtimeOffsetNs.map { abs($0 - MonotonicClock.realtimeOffsetNs()) < 1_000_000_000 } == true)
    }

    @Test func unsupportedRequestIsFatalAndNotRetried() throws {
        let opener = ScriptedOpener([.device(node: "/dev/video0", formats: RecordedFormatTables.yuyvOnly, events: [])])
        let camera = V4L2Camera(config: V4L2CameraConfig(name: "front", device: "/dev/video0",
                                                        request: CaptureRequest(width: 1920, height: 1080, fps: 30)),
                                opener: opener)
        defer { camera.close() }
        let error = #expect(throws: AffordError.self) { try camera.nextFrame() }
        #expect(error?.code == .unsupported && error?.message.contains("it offers: YUYV 640x480@29.97") == true)
        #expect(opener.record.withLock { $0.opened.count } == 1)
    }

    @Test func unknownControlIsFatal() throws {
        let opener = ScriptedOpener([.device(node: "/dev/video0", formats: Self.webcam, events: [])], controls: CameraControlTests.uvc)
        let camera = Self.camera(opener, controls: [ControlSetting("zoom_absolute", 3)])
        defer { camera.close() }
        let error = #expect(throws: AffordError.self) { try camera.nextFrame() }
        #expect(error?.code == .invalidConfig)
    }

    @Test func closeEndsTheStreamEvenWhileUnplugged() throws {
        let opener = ScriptedOpener([])  // never there
        let camera = V4L2Camera(config: V4L2CameraConfig(name: "front", device: "/dev/video0", request: Self.request,
                                                        backoff: ReconnectBackoff(initialSeconds: 30, maximumSeconds: 30)),
                                opener: opener)
        while camera.statistics.reconnects == 0 { Thread.sleep(forTimeInterval: 0.001) }
        camera.close()
        #expect(try camera.nextFrame() == nil)
        #expect(camera.statistics.lastError?.contains("ENOENT") == true)
    }
}
