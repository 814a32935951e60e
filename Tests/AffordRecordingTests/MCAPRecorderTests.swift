@testable import AffordCore
@testable import AffordRecording
import Foundation
import Testing

@Suite struct MCAPRecorderTests {
    /// Real JPEGs (Pillow's, from the reference logs) and the capture stamps they get.
    static func jpegFrames(count: Int) throws -> [Frame] {
        let directory = try PythonTool.referenceLogs.get()
        let manifest = try JSONDecoder().decode([String: [String: [ReplayReferenceLogsTests.Expected]]].self,
                                                from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        let jpegs = try #require(manifest["ros2_compressed.mcap"]?.values.first)
        let base = MonotonicClock.nowNs()
        return try (0..<count).map { index in
            let entry = jpegs[index % jpegs.count]
            let bytes = Array(try #require(Data(base64Encoded: entry.data)))
            return Frame(pixels: bytes, width: entry.width, height: entry.height, format: .mjpeg,
                         captureMonotonicNs: base + UInt64(index) * 33_333_333, sequence: UInt64(index), camera: "front")
        }
    }

    static func result(for frame: Frame) -> FrameResult {
        let hold = Heatmap(width: 4, height: 3, values: (0..<12).map { Float($0) / 11 })
        let cut = Heatmap(width: 4, height: 3, values: (0..<12).map { $0 == 5 ? 1.5 : -0.2 })
        return FrameResult(
            camera: frame.camera, sequence: frame.sequence, captureMonotonicNs: frame.captureMonotonicNs,
            frameWidth: frame.width, frameHeight: frame.height, modelID: "locate-int8-test",
            actions: [
                ActionResult(action: "hold", heatmap: hold, components: [
                    AffordanceComponent(u: 10.5, v: 20.25, area: 30, peak: 1, mean: 0.5,
                                        shape: ComponentShape(varianceU: 16, varianceV: 1, covarianceUV: 0)),
                    AffordanceComponent(u: 40, v: 8, area: 3, peak: 0.7, mean: 0.6),
                ], presence: 0.75),
                ActionResult(action: "cut", heatmap: cut, components: []),
            ])
    }

    @Test func pythonReadsFramesHeatmapsAnnotationsAndMetadata() throws {
        let path = temporaryPath("recording.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = try Self.jpegFrames(count: 6)
        let raw = Frame(pixels: (0..<(8 * 2 * 3)).map { UInt8($0) }, width: 8, height: 2, format: .rgb8,
                        captureMonotonicNs: MonotonicClock.nowNs(), sequence: 0, camera: "wrist")
        let recorder = try MCAPRecorder(path: path, configText: "camera: front\n",
                                        options: .init(writer: .init(chunkSize: 4096, compression: .lz4)))
        for frame in frames {
            try recorder.record(frame)
            try recorder.consume(Self.result(for: frame))
        }
        try recorder.record(raw)
        try recorder.close()
        #expect(recorder.status == MCAPRecorder.Status(framesRecorded: 7, resultsRecorded: 6, stopped: true))

        let report = try PythonTool.check(path)
        #expect(report["indexes_ok"] as? Bool == true)
        let schemas = try #require(report["schemas"] as? [String: [String: Any]])
        #expect(Set(schemas.values.compactMap { $0["name"] as? String })
                == ["foxglove.CompressedImage", "foxglove.RawImage", "foxglove.ImageAnnotations", "affordd.Centroids"])
        #expect(schemas.values.allSatisfy { $0["encoding"] as? String == "jsonschema" && $0["json_valid"] as? Bool == true })
        let channels = try #require(report["channels"] as? [String: [String: Any]])
        #expect(channels.values.allSatisfy { $0["message_encoding"] as? String == "json" })

        let topics = try #require(report["topics"] as? [String: [String: Any]])
        #expect(topics["/affordd/front/image"]?["payload"] as? [String] == frames.map { Data($0.pixels).base64EncodedString() })
        #expect(topics["/affordd/wrist/image_raw"]?["payload"] as? [String] == [Data(raw.pixels).base64EncodedString()])
        let holdMono8: [UInt8] = (0..<12).map { UInt8((Float($0) / 11 * 255).rounded(.toNearestOrEven)) }
        #expect(topics["/affordd/front/heatmap/hold"]?["payload"] as? [String]
                == Array(repeating: Data(holdMono8).base64EncodedString(), count: 6))
        let cutMono8: [UInt8] = (0..<12).map { $0 == 5 ? 255 : 0 }
        #expect((topics["/affordd/front/heatmap/cut"]?["payload"] as? [String])?.first == Data(cutMono8).base64EncodedString())

        let annotations = try #require((topics["/affordd/front/annotations"]?["decoded"] as? [[String: Any]])?.first)
        let circles = try #require(annotations["circles"] as? [[String: Any]])
        let positions = circles.compactMap { $0["position"] as? [String: Double] }
        #expect(positions == [["x": 10.5, "y": 20.25], ["x": 40, "y": 8]])
        let texts = (annotations["texts"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        #expect(texts == ["hold p=0.75", "hold 2"])
        let points = try #require(annotations["points"] as? [[String: Any]])
        #expect(points.compactMap { $0["type"] as? Int } == [1, 4])
        // σ_u = 4, so length_px = 16 along [1, 0]: the axis runs 8 px either side of the centroid.
        #expect(points.last?["points"] as? [[String: Double]] == [["x": 2.5, "y": 20.25], ["x": 18.5, "y": 20.25]])

        // The centroids as the ZeroMQ topic carries them, one message per result.
        let centroids = try #require(topics["/affordd/front/centroids"]?["decoded"] as? [[String: Any]])
        #expect(centroids.count == 6)
        #expect(centroids.compactMap { $0["seq"] as? Int } == frames.map { Int($0.sequence) })
        let hold = try #require((centroids.first?["actions"] as? [String: [[String: Any]]])?["hold"])
        #expect(hold.compactMap { $0["u"] as? Double } == [10.5, 40] && hold.allSatisfy { $0["point_base"] is NSNull })

        let metadata = try #require(report["metadata"] as? [String: [String: String]])
        #expect(metadata["affordd.config"]?["text"] == "camera: front\n")
        #expect(metadata["affordd.model"]?["model_id"] == "locate-int8-test")
        #expect(Int64(metadata["affordd.clock"]?["realtime_offset_ns"] ?? "") != nil)
    }

    @Test func replayRestoresFramesAndCaptureStampsAndSkipsHeatmaps() throws {
        let path = temporaryPath("replay.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = try Self.jpegFrames(count: 5)
        let recorder = try MCAPRecorder(path: path, configText: "", modelID: "m")
        // Results first, so the heatmap RawImage channels precede the camera channel.
        for frame in frames { try recorder.consume(Self.result(for: frame)) }
        for frame in frames { try recorder.record(frame) }
        try recorder.close()

        #expect(try ReplaySource(path: path).cameraName == "front")
        let replayed = ReplayFrames.read(path)
        #expect(replayed.error == nil)
        #expect(replayed.frames.map(\.pixels) == frames.map(\.pixels))
        #expect(replayed.frames.map(\.captureMonotonicNs) == frames.map(\.captureMonotonicNs))
        #expect(replayed.frames.allSatisfy { $0.camera == "front" && $0.format == .mjpeg })
        #expect(replayed.frames.map(\.width) == frames.map(\.width))
    }

    @Test func rawFramesReplayWithTheirFormatAndStride() throws {
        let path = temporaryPath("raw.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let stamp = MonotonicClock.nowNs()
        let frames = [PixelFormat.rgb8, .bgr8, .mono8, .yuyv].enumerated().map { index, format in
            Frame(pixels: (0..<(6 * 4 * (format.bytesPerPixel ?? 1))).map { UInt8(truncatingIfNeeded: $0 * 7 + index) },
                  width: 6, height: 4, format: format, captureMonotonicNs: stamp + UInt64(index), sequence: 0, camera: "raw")
        }
        let recorder = try MCAPRecorder(path: path, configText: "")
        for frame in frames { try recorder.record(frame) }
        try recorder.close()
        let replayed = ReplayFrames.read(path)
        #expect(replayed.error == nil)
        #expect(replayed.frames.map(\.pixels) == frames.map(\.pixels))
        #expect(replayed.frames.map(\.format) == frames.map(\.format))
        #expect(replayed.frames.map(\.stride) == frames.map(\.stride))
        #expect(replayed.frames.map(\.captureMonotonicNs) == frames.map(\.captureMonotonicNs))
    }

    @Test func anIOErrorIsReportedOnceCountedAndLeavesAReadablePrefix() throws {
        let path = temporaryPath("failing.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = try Self.jpegFrames(count: 40)
        let sink = try FailingSink(path: path, budget: 20_000)
        // Flush every frame so each one reaches the sink before the disk "fills".
        let recorder = try MCAPRecorder(sink: sink, configText: "x", options: .init(flushIntervalNs: 0))
        var thrown: [AffordError] = []
        for frame in frames {
            do { try recorder.record(frame) } catch let error as AffordError { thrown.append(error) }
        }
        try recorder.close()
        let status = recorder.status
        #expect(thrown.count == 1)
        #expect(thrown.first?.code == .io)
        #expect(status.ioErrors == 1 && status.stopped)
        #expect(status.framesRecorded > 0 && status.framesRecorded < 40)
        #expect(status.framesRecorded + status.dropped == 40)
        #expect(status.lostMessages == 1)  // the frame whose chunk could not be written

        let replayed = ReplayFrames.read(path)
        #expect(replayed.frames.count == Int(status.framesRecorded - status.lostMessages))
        #expect(replayed.frames.map(\.pixels) == frames.prefix(replayed.frames.count).map(\.pixels))
        #expect((replayed.error as? AffordError)?.code == .corruptLog)
    }
}

/// A file sink that runs out of space after `budget` bytes, like a full disk (ENOSPC).
final class FailingSink: ByteSink {
    private let file: FileByteSink
    private var budget: Int

    init(path: String, budget: Int) throws {
        file = try FileByteSink(path: path)
        self.budget = budget
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let fits = min(bytes.count, budget)
        try file.write(UnsafeRawBufferPointer(rebasing: bytes[0..<fits]))
        budget -= fits
        if fits < bytes.count { throw AffordError(.io, "write failed: No space left on device") }
    }

    func sync() throws { try file.sync() }
    func close() throws { try file.close() }
}
