@testable import AffordRecording
import AffordTestSupport
import Foundation

/// A small multi-channel log written by MCAPWriter, and what it should read back as.
struct TestLog {
    var schemas: [MCAPSchema] = []
    var channels: [MCAPChannel] = []
    var messages: [MCAPMessage] = []
    var metadata: [MCAPMetadata] = []
    var attachments: [MCAPAttachment] = []

    /// Two JSON channels sharing a schema and a binary channel without a schema;
    /// payload sizes vary so chunks split in different places.
    static func write(to path: String, compression: MCAPCompression, chunkSize: Int,
                      messageCount: Int = 120, close: Bool = true) throws -> TestLog {
        var log = TestLog()
        let writer = try MCAPWriter(path: path, options: .init(chunkSize: chunkSize, compression: compression))
        let schemaData = Array(#"{"type":"object","properties":{"n":{"type":"integer"}}}"#.utf8)
        let schemaID = try writer.addSchema(name: "test.Counter", encoding: "jsonschema", data: schemaData)
        log.schemas.append(MCAPSchema(id: schemaID, name: "test.Counter", encoding: "jsonschema", data: schemaData))
        for (topic, encoding, schema) in [("/a", "json", schemaID), ("/b", "json", schemaID), ("/blob", "octets", UInt16(0))] {
            let id = try writer.addChannel(topic: topic, messageEncoding: encoding, schemaID: schema, metadata: ["k": topic])
            log.channels.append(MCAPChannel(id: id, schemaID: schema, topic: topic, messageEncoding: encoding, metadata: ["k": topic]))
        }
        let metadata = MCAPMetadata(name: "config", entries: ["text": "camera: /dev/video0\n", "empty": ""])
        try writer.addMetadata(metadata)
        log.metadata.append(metadata)
        var generator = SplitMix64(seed: UInt64(chunkSize) ^ UInt64(messageCount))
        for index in 0..<messageCount {
            let channel = log.channels[index % 3]
            let data: [UInt8] = channel.topic == "/blob"
                ? (0..<Int(generator.next() % 3000)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                : Array(#"{"n":\#(index)}"#.utf8)
            let message = MCAPMessage(channelID: channel.id, sequence: UInt32(index),
                                      logTime: 1_000_000 + UInt64(index) * 1000, publishTime: UInt64(index), data: data)
            try writer.addMessage(message)
            log.messages.append(message)
        }
        if close { try writer.close() } else { try writer.flushChunk() }
        return log
    }
}


/// Everything a reader yields, stopping at the first error.
struct ReadOutcome {
    var messages: [MCAPMessage] = []
    var metadata: [MCAPMetadata] = []
    var attachments: [MCAPAttachment] = []
    var schemas: [MCAPSchema] = []
    var channels: [MCAPChannel] = []
    var error: (any Error)?

    static func read(_ path: String, limits: MCAPReader.Limits = .init()) -> ReadOutcome {
        var outcome = ReadOutcome()
        do {
            let reader = try MCAPReader(path: path, limits: limits)
            defer { reader.close() }
            while let record = try reader.next() {
                switch record {
                case .message(let message): outcome.messages.append(message)
                case .metadata(let metadata): outcome.metadata.append(metadata)
                case .attachment(let attachment): outcome.attachments.append(attachment)
                case .schema(let schema): outcome.schemas.append(schema)
                case .channel(let channel): outcome.channels.append(channel)
                }
            }
        } catch {
            outcome.error = error
        }
        return outcome
    }
}
