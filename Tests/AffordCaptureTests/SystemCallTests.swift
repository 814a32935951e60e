@testable import AffordCapture
import AffordCore
import Foundation
import Testing

/// Error paths through the real libv4l2 system calls (there is no camera on the test machine).
@Suite struct SystemCallTests {
    func openFailure(_ path: String) -> V4L2Failure? {
        do {
            _ = try LibV4L2Opener().open(path)
            return nil
        } catch {
            return error as? V4L2Failure
        }
    }

    @Test func missingDeviceIsENOENTWithThePath() throws {
        let failure = try #require(openFailure("/dev/video-affordd-missing"))
        #expect(failure.operation == "open" && failure.errno == ENOENT && failure.isTransient)
        #expect(failure.description == "open on /dev/video-affordd-missing: No such file or directory (ENOENT)")
    }

    @Test func bareNamesAreLookedUpByID() throws {
        let failure = try #require(openFailure("usb-Acme_Cam-video-index0"))
        #expect(failure.path == "/dev/v4l/by-id/usb-Acme_Cam-video-index0" && failure.errno == ENOENT)
    }

    @Test func devNullIsNotAV4L2Device() throws {
        let failure = try #require(openFailure("/dev/null"))
        #expect(failure.operation == "VIDIOC_QUERYCAP" && failure.errno == ENOTTY && !failure.isTransient)
        #expect(failure.description.contains("/dev/null: Inappropriate ioctl for device (ENOTTY): not a V4L2 device"))
    }

    @Test func regularFileBehindALinkNamesBoth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-v4l2-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("video0")
        try Data("not a camera".utf8).write(to: file)
        let link = directory.appendingPathComponent("usb-Fake-video-index0")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
        let failure = try #require(openFailure(link.path))
        #expect(failure.operation == "VIDIOC_QUERYCAP" && failure.errno == ENOTTY)
        #expect(failure.path == "\(link.path) -> \(file.path)")
    }

    @Test func cameraOnNonV4L2DeviceFailsWithoutRetrying() throws {
        let camera = V4L2Camera(config: V4L2CameraConfig(
            name: "front", device: "/dev/null", request: CaptureRequest(width: 640, height: 480, fps: 30)))
        defer { camera.close() }
        let error = #expect(throws: AffordError.self) { try camera.nextFrame() }
        #expect(error?.code == .device && error?.message.contains("not a V4L2 device") == true)
        #expect(camera.statistics.reconnects == 0)
    }
}
