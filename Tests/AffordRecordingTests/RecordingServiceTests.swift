import AffordCore
@testable import AffordRecording
import Foundation
import Testing

/// The daemon's recorder: its own thread, files that rotate and are never replaced,
/// and every closed file complete and indexed for the mcap reader.
@Suite struct RecordingServiceTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func anExistingRecordingIsNeverReplaced() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.mcap").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        let service = try RecordingService(options: .init(path: path), configText: "")
        try service.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
        #expect(service.status.files == [folder.appendingPathComponent("run-1.mcap").path])
        let again = try RecordingService(options: .init(path: path), configText: "")
        try again.close()
        #expect(again.status.files == [folder.appendingPathComponent("run-2.mcap").path])
    }

    @Test func filesRotateBySizeAndEachIsCompleteAndIndexed() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.mcap").path
        let frames = try MCAPRecorderTests.jpegFrames(count: 40)
        let options = RecordingService.Options(path: path, recorder: .init(writer: .init(chunkSize: 4096, compression: .none)),
                                               maxBytes: 20_000, queueCapacity: 1_000)
        let service = try RecordingService(options: options, configText: "camera: front\n")
        for frame in frames {
            service.record(frame)
            try service.consume(MCAPRecorderTests.result(for: frame))
        }
        try service.close()
        let status = service.status
        #expect(status.queueDrops == 0)
        #expect(status.files.count >= 2, "\(status.files)")
        #expect(status.recorded.framesRecorded == 40 && status.recorded.resultsRecorded == 40, "summed over the files: \(status)")
        var messages = 0
        for file in status.files {
            let report = try PythonTool.check(file)
            #expect(report["indexes_ok"] as? Bool == true, "\(file)")
            messages += (report["statistics"] as? [String: Any])?["message_count"] as? Int ?? 0
        }
        // Each frame is one image, one annotation, two heatmaps and the centroids; nothing is lost across files.
        #expect(messages == frames.count * 5)
    }

    @Test func aNextFileThatCannotBeCreatedStopsRecordingWithAnErrorAndKeepsTheLastFile() throws {
        let folder = try Self.folder()
        let path = folder.appendingPathComponent("run.mcap").path
        let frames = try MCAPRecorderTests.jpegFrames(count: 40)
        let options = RecordingService.Options(path: path, recorder: .init(writer: .init(chunkSize: 4096, compression: .none)),
                                               maxBytes: 20_000, queueCapacity: 1_000)
        let service = try RecordingService(options: options, configText: "")
        // The open file keeps its descriptor; the next one has no folder to go in (root ignores modes).
        try FileManager.default.removeItem(at: folder)
        for frame in frames {
            service.record(frame)
            try service.consume(MCAPRecorderTests.result(for: frame))
        }
        try service.close()
        let recorded = service.status.recorded
        #expect(service.status.files == [path])
        #expect(recorded.ioErrors == 1 && recorded.stopped, "\(recorded)")
        #expect(recorded.lastError?.contains("recording rotation failed") == true, "\(recorded)")
        #expect(recorded.framesRecorded > 0 && recorded.dropped > 0, "\(recorded)")
        #expect(recorded.framesRecorded + recorded.resultsRecorded + recorded.dropped == UInt64(2 * frames.count), "\(recorded)")
    }

    @Test func aFullQueueDropsTheOldestAndCounts() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let frames = try MCAPRecorderTests.jpegFrames(count: 200)
        let service = try RecordingService(
            options: .init(path: folder.appendingPathComponent("run.mcap").path, queueCapacity: 2), configText: "")
        for frame in frames { service.record(frame) }
        try service.close()
        let status = service.status
        #expect(status.recorded.framesRecorded + status.queueDrops == UInt64(frames.count))
        for frame in frames.prefix(3) { service.record(frame) }  // after close: counted, not written
        #expect(service.status.queueDrops == status.queueDrops + 3)
    }
}
