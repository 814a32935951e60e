import AffordCore
@testable import AffordRecording
import Foundation
import Testing

@Suite struct MCAPRoundTripTests {
    static let layouts: [(MCAPCompression, Int)] = [(.none, 4096), (.lz4, 4096), (.zstd, 4096), (.zstd, 1 << 20), (.none, 0)]

    @Test(arguments: 0..<layouts.count)
    func everyCompressionAndLayoutReadsBackExactly(layout: Int) throws {
        let (compression, chunkSize) = Self.layouts[layout]
        let path = temporaryPath("roundtrip.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try TestLog.write(to: path, compression: compression, chunkSize: chunkSize)
        let outcome = ReadOutcome.read(path)
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(outcome.messages == log.messages)
        #expect(outcome.schemas == log.schemas)
        #expect(outcome.channels == log.channels)
        #expect(outcome.metadata == log.metadata)
        #expect(outcome.attachments == log.attachments)
    }

    @Test func anUnclosedWriterLeavesItsFlushedChunksReadable() throws {
        let path = temporaryPath("unclosed.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // What a killed process leaves behind: chunks on disk, no summary or footer.
        let log = try TestLog.write(to: path, compression: .lz4, chunkSize: 4096, close: false)
        let outcome = ReadOutcome.read(path)
        #expect(outcome.messages == log.messages)
        let error = try #require(outcome.error as? AffordError)
        #expect(error.code == .corruptLog)
        #expect(error.message.contains("without DataEnd"))
    }

    @Test func rejectsAFileThatIsNotMCAP() throws {
        let path = temporaryPath("not.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("hello, world, not a log".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AffordError.self) { try MCAPReader(path: path) }
    }
}
