import AffordCore
@testable import AffordRecording
import Foundation
import Testing

/// The reference Python `mcap` reader (indexed and streaming, CRCs validated) reads what affordd writes.
@Suite struct PythonReadsSwiftLogsTests {
    /// (compression, chunk size); chunk size 0 writes messages unchunked.
    static let layouts: [(MCAPCompression, Int)] = [(.none, 8192), (.lz4, 8192), (.zstd, 8192), (.none, 0)]

    @Test(arguments: 0..<layouts.count)
    func referenceReaderSeesEveryRecordAndByte(layout: Int) throws {
        let (compression, chunkSize) = Self.layouts[layout]
        let path = temporaryPath("interop-\(compression.name)-\(chunkSize).mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try TestLog.write(to: path, compression: compression, chunkSize: chunkSize)
        let report = try PythonTool.check(path)

        #expect(report["indexes_ok"] as? Bool == true)
        #expect(report["summary_offsets_ok"] as? Bool == true)
        let schemas = try #require(report["schemas"] as? [String: [String: Any]])
        #expect(schemas.count == 1)
        #expect(schemas["1"]?["name"] as? String == "test.Counter")
        #expect(schemas["1"]?["json_valid"] as? Bool == true)

        let channels = try #require(report["channels"] as? [String: [String: Any]])
        for channel in log.channels {
            let seen = try #require(channels[String(channel.id)])
            #expect(seen["topic"] as? String == channel.topic)
            #expect(seen["schema_id"] as? Int == Int(channel.schemaID))
            #expect(seen["message_encoding"] as? String == channel.messageEncoding)
            #expect(seen["metadata"] as? [String: String] == channel.metadata)
        }

        let statistics = try #require(report["statistics"] as? [String: Any])
        #expect(statistics["message_count"] as? Int == log.messages.count)
        #expect(statistics["chunk_count"] as? Int == report["chunk_indexes"] as? Int)
        #expect((statistics["chunk_count"] as? Int ?? 0) > 1 || chunkSize == 0)
        #expect(statistics["message_start_time"] as? Int == Int(log.messages.first?.logTime ?? 0))
        #expect(statistics["message_end_time"] as? Int == Int(log.messages.last?.logTime ?? 0))
        #expect(report["streamed_messages"] as? Int == log.messages.count)
        #expect((report["data_section_crc"] as? Int ?? 0) != 0)
        #expect(report["metadata"] as? [String: [String: String]] == ["config": log.metadata[0].entries])

        let topics = try #require(report["topics"] as? [String: [String: Any]])
        for channel in log.channels {
            let mine = log.messages.filter { $0.channelID == channel.id }
            let theirs = try #require(topics[channel.topic])
            #expect(theirs["data"] as? [String] == mine.map { Data($0.data).base64EncodedString() })
            #expect(theirs["log_times"] as? [Int] == mine.map { Int($0.logTime) })
        }
    }
}
