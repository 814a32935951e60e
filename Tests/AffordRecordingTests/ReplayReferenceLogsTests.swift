import AffordCore
@testable import AffordRecording
import Foundation
import Testing

/// Replays logs written by the Python `mcap` and `mcap-ros2-support` writers and checks
/// every frame against the manifest the fixture script wrote (JPEGs by Pillow).
@Suite struct ReplayReferenceLogsTests {
    struct Expected: Decodable {
        var data: String
        var width: Int
        var height: Int
        var format: String
        var stamp_ns: UInt64
    }

    static func manifest() throws -> (URL, [String: [String: [Expected]]]) {
        let directory = try PythonTool.referenceLogs.get()
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return (directory, try JSONDecoder().decode([String: [String: [Expected]]].self, from: data))
    }

    static let cases: [(file: String, topic: String?)] = [
        ("foxglove_none.mcap", nil), ("foxglove_lz4.mcap", nil), ("foxglove_zstd.mcap", nil),
        ("foxglove_unchunked.mcap", nil), ("ros2_compressed.mcap", nil),
        ("ros2_image.mcap", "/camera/rgb"), ("ros2_image.mcap", "/camera/yuyv"),
        ("ros2_image.mcap", "/camera/bgr"), ("ros2_image.mcap", "/camera/mono"), ("ros2_image.mcap", "/camera/uyvy"),
    ]

    @Test(arguments: 0..<cases.count)
    func replaysEveryFrameOfAReferenceLog(index: Int) throws {
        let (directory, manifest) = try Self.manifest()
        let (file, topic) = Self.cases[index]
        let topics = try #require(manifest[file])
        let wantedTopic = try #require(topic ?? topics.keys.first)
        let expected = try #require(topics[wantedTopic])

        let source = try ReplaySource(path: directory.appendingPathComponent(file).path,
                                      options: .init(topic: topic, pacing: .asFastAsPossible, cameraName: "cam0"))
        defer { source.close() }
        var frames: [Frame] = []
        while let frame = try source.nextFrame() { frames.append(frame) }

        #expect(source.topic == wantedTopic)
        #expect(source.cameraName == "cam0")
        #expect(frames.count == expected.count)
        for (index, (frame, want)) in zip(frames, expected).enumerated() {
            #expect(Data(frame.pixels).base64EncodedString() == want.data, "\(file) frame \(index) bytes")
            #expect(frame.width == want.width && frame.height == want.height, "\(file) frame \(index) size")
            #expect(frame.format.rawValue == want.format)
            // The recorded stamp is wall time: it is the frame's wall stamp, never its monotonic one.
            #expect(frame.captureWallNs == want.stamp_ns, "recorded capture stamp")
            #expect(frame.captureMonotonicNs != want.stamp_ns)
            // Placed on this machine's monotonic clock with the recorded spacing.
            if let first = frames.first, let firstWant = expected.first {
                #expect(MonotonicClock.nowNs() - first.captureMonotonicNs < 60_000_000_000, "on this machine's clock")
                #expect(frame.captureMonotonicNs - first.captureMonotonicNs == want.stamp_ns - firstWant.stamp_ns)
            }
            #expect(frame.frameID == (file.hasPrefix("ros2_compressed") ? "camera_optical" : file.hasPrefix("ros2") ? "cam" : nil))
            #expect(frame.sequence == UInt64(index))
            #expect(frame.camera == "cam0")
        }
    }

    @Test func recordedPacingKeepsTheRecordedSpacing() throws {
        let (directory, manifest) = try Self.manifest()
        let expected = try #require(manifest["ros2_compressed.mcap"]?.values.first)
        let source = try ReplaySource(path: directory.appendingPathComponent("ros2_compressed.mcap").path,
                                      options: .init(pacing: .recorded))
        defer { source.close() }
        let start = MonotonicClock.nowNs()
        var count = 0
        while try source.nextFrame() != nil { count += 1 }
        let elapsed = MonotonicClock.nowNs() - start
        let recordedSpan = (expected.last?.stamp_ns ?? 0) - (expected.first?.stamp_ns ?? 0)
        #expect(count == expected.count)
        // Behaviour, not speed: pacing must never run ahead of the recording.
        #expect(elapsed >= recordedSpan)
    }

    @Test func loopingStartsOverWithStampsThatKeepIncreasing() throws {
        let (directory, manifest) = try Self.manifest()
        let expected = try #require(manifest["ros2_compressed.mcap"]?.values.first)
        let source = try ReplaySource(path: directory.appendingPathComponent("ros2_compressed.mcap").path,
                                      options: .init(pacing: .asFastAsPossible, loop: true))
        defer { source.close() }
        var frames: [Frame] = []
        for _ in 0..<(expected.count * 2 + 3) { frames.append(try #require(try source.nextFrame())) }
        #expect(source.loopCount == 2)
        #expect(Data(frames[expected.count].pixels).base64EncodedString() == expected[0].data)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.captureMonotonicNs < $1.captureMonotonicNs })
        #expect(frames.map(\.sequence) == (0..<UInt64(frames.count)).map { $0 })
    }

    @Test func aMissingTopicIsAClearError() throws {
        let (directory, _) = try Self.manifest()
        let error = try #require(throws: AffordError.self) {
            _ = try ReplaySource(path: directory.appendingPathComponent("ros2_image.mcap").path,
                                 options: .init(topic: "/nope", pacing: .asFastAsPossible))
        }
        #expect(error.message.contains("/nope"))
    }

    @Test func jpegGeometryMatchesPillowsSizes() throws {
        let (_, manifest) = try Self.manifest()
        for entry in manifest.values.flatMap(\.values).joined() where entry.format == "mjpeg" {
            let bytes = try #require(Data(base64Encoded: entry.data))
            let size = try JPEGGeometry.size(of: Array(bytes))
            #expect(size.width == entry.width && size.height == entry.height)
        }
        #expect(throws: AffordError.self) { try JPEGGeometry.size(of: [0xFF, 0xD8, 0xFF, 0xDA, 0, 2]) }
        #expect(throws: AffordError.self) { try JPEGGeometry.size(of: [0x89, 0x50, 0x4E, 0x47]) }
    }
}
