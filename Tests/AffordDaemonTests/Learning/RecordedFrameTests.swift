import AffordCore
import AffordImaging
import AffordRecording
import Foundation
import Testing

@testable import AffordDaemon

/// `demonstrate` with `"frame": {"log": …, "sequence": n}` reads that frame back from a recording.
@Suite struct RecordedFrameTests {
    static func image(shade: UInt8) -> RGBImage {
        RGBImage(width: 32, height: 24, pixels: (0..<(32 * 24 * 3)).map { UInt8(truncatingIfNeeded: $0) &+ shade })
    }

    @Test func theRequestedFrameComesBackExactly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-demo-\(UUID().uuidString).mcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try MCAPRecorder(path: path, configText: "test: true")
        let shades: [UInt8] = [0, 70, 140]
        for (index, shade) in shades.enumerated() {
            let image = Self.image(shade: shade)
            try recorder.record(Frame(pixels: image.pixels, width: image.width, height: image.height, format: .rgb8,
                                      captureMonotonicNs: UInt64(index + 1) * 33_000_000, sequence: UInt64(index),
                                      camera: "front"))
        }
        try recorder.close()

        #expect(try DaemonControl.recordedFrame(log: path, sequence: 1, decoder: FrameDecoder()) == Self.image(shade: 70))
        #expect(try DaemonControl.recordedFrame(log: path, sequence: 2, decoder: FrameDecoder()) == Self.image(shade: 140))
        #expect(throws: AffordError.self) { try DaemonControl.recordedFrame(log: path, sequence: 3, decoder: FrameDecoder()) }
        #expect(throws: AffordError.self) { try DaemonControl.recordedFrame(log: path + ".missing", sequence: 0, decoder: FrameDecoder()) }
    }

    /// Only recordings inside the recording or state folders are read; `..` and symlinks do not escape.
    @Test func onlyRecordingsInsideTheAllowedFoldersAreRead() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-roots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let allowed = base.appendingPathComponent("recordings"), outside = base.appendingPathComponent("elsewhere")
        for folder in [allowed, outside] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let inside = allowed.appendingPathComponent("run.mcap").path, secret = outside.appendingPathComponent("secret.mcap").path
        for file in [inside, secret] { _ = FileManager.default.createFile(atPath: file, contents: Data([1])) }
        let link = allowed.appendingPathComponent("link.mcap").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: secret)
        let roots = [allowed.path]

        #expect(try DaemonControl.recordingPath(inside, roots: roots) == DaemonControl.realPath(inside))
        for path in [secret, link, allowed.path + "/../elsewhere/secret.mcap", allowed.path + "-not/run.mcap", "/etc/passwd"] {
            #expect(throws: AffordError.self, "\(path)") { try DaemonControl.recordingPath(path, roots: roots) }
        }
        #expect(throws: AffordError.self) { try DaemonControl.recordingPath(inside, roots: []) }
    }
}
