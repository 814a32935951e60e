@testable import AffordCore
import Foundation
import Testing
@testable import AffordRecording

/// Depth in affordd's own recordings: what the recorder writes, replay pairs again by itself;
/// a depth message that does not decode is skipped and counted, its frame going on without depth.
@Suite struct DepthRecordingTests {
    static func frame(_ index: Int, depth: Bool) -> Frame {
        let stamp = MonotonicClock.nowNs() + UInt64(index) * 33_000_000
        let metres: [Float] = [0.5, 0, 1.25, 65.5].map { $0 + Float(index) * 0.001 }
        return Frame(pixels: [UInt8](repeating: UInt8(index), count: 2 * 2 * 3), width: 2, height: 2, format: .rgb8,
                     captureMonotonicNs: stamp, sequence: UInt64(index), camera: "wrist",
                     depth: depth ? DepthImage(width: 2, height: 2, metres: metres, stampNs: stamp) : nil)
    }

    @Test func recordedDepthReplaysPairedWithItsFrames() throws {
        let path = temporaryPath("depth.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try MCAPRecorder(path: path, configText: "")
        let frames = (0..<4).map { Self.frame($0, depth: $0 != 2) }
        for frame in frames { try recorder.record(frame) }
        try recorder.close()

        let source = try ReplaySource(path: path, options: .init(pacing: .asFastAsPossible))
        var replayed: [Frame] = []
        while let frame = try source.nextFrame() { replayed.append(frame) }
        #expect(replayed.map(\.pixels) == frames.map(\.pixels))
        #expect(replayed.map { $0.depth != nil } == [true, true, false, true])
        // Millimetres in the file: each reading comes back to the nearest millimetre.
        for (original, back) in zip(frames, replayed) {
            guard let want = original.depth, let got = back.depth else { continue }
            #expect(zip(want.metres, got.metres).allSatisfy { abs($0 - $1) <= 0.0005 + 1e-6 }, "\(want.metres) vs \(got.metres)")
        }
        #expect(source.depthErrors.value.count == 0)
    }

    @Test func aDepthMessageThatDoesNotDecodeIsSkippedAndCounted() throws {
        let path = temporaryPath("bad-depth.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try MCAPWriter(path: path)
        let schema = try writer.addSchema(name: FoxgloveSchemas.rawImageName, encoding: FoxgloveSchemas.encoding,
                                          data: Array(FoxgloveSchemas.rawImage.utf8))
        let colour = try writer.addChannel(topic: "/c", messageEncoding: "json", schemaID: schema,
                                           metadata: [RecordingMetadata.roleKey: RecordingMetadata.cameraRole])
        let depth = try writer.addChannel(topic: "/d", messageEncoding: "json", schemaID: schema,
                                          metadata: [RecordingMetadata.roleKey: RecordingMetadata.depthRole])
        let encoder = JSONEncoder()
        for index in 0..<3 {
            let time = Foxglove.Time(nanoseconds: 1_000_000_000 + UInt64(index) * 100_000_000)
            let image = Foxglove.RawImage(timestamp: time, frame_id: "c", width: 1, height: 1, encoding: "rgb8", step: 3,
                                          data: Data([1, 2, 3]))
            // The second depth message claims 2×2 samples but carries one.
            let side: UInt32 = index == 1 ? 2 : 1
            let reading = Foxglove.RawImage(timestamp: time, frame_id: "c", width: side, height: side, encoding: "16UC1",
                                            step: 2 * side, data: Data([0xE8, 0x03]))
            for (channel, message) in [(colour, image), (depth, reading)] {
                try writer.addMessage(MCAPMessage(channelID: channel, sequence: UInt32(index), logTime: time.nanoseconds,
                                                  publishTime: time.nanoseconds, data: Array(try encoder.encode(message))))
            }
        }
        try writer.close()

        let source = try ReplaySource(path: path, options: .init(pacing: .asFastAsPossible, depthTopic: "/d"))
        var replayed: [Frame] = []
        while let frame = try source.nextFrame() { replayed.append(frame) }
        #expect(replayed.map { $0.depth?.metres } == [[1], nil, [1]])
        let errors = source.depthErrors.value
        #expect(errors.count == 1 && errors.last?.contains("depth message 1") == true, "\(errors)")
    }
}
