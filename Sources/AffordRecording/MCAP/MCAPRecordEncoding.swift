/// Encodings of the records that appear both in the data section and the summary.
extension ByteWriter {
    mutating func appendSchema(_ schema: MCAPSchema) {
        record(.schema) {
            $0.u16(schema.id)
            $0.string(schema.name)
            $0.string(schema.encoding)
            $0.bytes32(schema.data)
        }
    }

    mutating func appendChannel(_ channel: MCAPChannel) {
        record(.channel) {
            $0.u16(channel.id)
            $0.u16(channel.schemaID)
            $0.string(channel.topic)
            $0.string(channel.messageEncoding)
            $0.stringMap(channel.metadata)
        }
    }

    mutating func appendMessage(_ message: MCAPMessage) {
        record(.message) {
            $0.u16(message.channelID)
            $0.u32(message.sequence)
            $0.u64(message.logTime)
            $0.u64(message.publishTime)
            $0.raw(message.data)
        }
    }
}

/// The records of the chunk being filled, with a message index per channel.
struct ChunkBuilder {
    var records: ByteWriter
    /// channel id -> (log time, offset of the message record inside the uncompressed chunk).
    var index: [UInt16: [(UInt64, UInt64)]] = [:]
    var startTime: UInt64 = 0
    var endTime: UInt64 = 0
    private(set) var messageCount = 0

    init(capacity: Int) { records = ByteWriter(capacity: max(0, capacity) + (64 << 10)) }

    var isEmpty: Bool { messageCount == 0 }

    mutating func add(_ message: MCAPMessage) {
        if messageCount == 0 {
            startTime = message.logTime
            endTime = message.logTime
        } else {
            startTime = min(startTime, message.logTime)
            endTime = max(endTime, message.logTime)
        }
        messageCount += 1
        index[message.channelID, default: []].append((message.logTime, UInt64(records.count)))
        records.appendMessage(message)
    }

    mutating func reset() {
        records.removeAll()
        index.removeAll(keepingCapacity: true)
        messageCount = 0
    }
}

struct ChunkIndexEntry {
    var startTime: UInt64
    var endTime: UInt64
    var chunkStart: UInt64
    var chunkLength: UInt64
    var messageIndexOffsets: [(UInt16, UInt64)]
    var messageIndexLength: UInt64
    var compression: MCAPCompression
    var compressedSize: UInt64
    var uncompressedSize: UInt64
}

/// What the summary section needs, gathered while writing.
struct SummaryBuilder {
    var schemas: [MCAPSchema] = []
    var channels: [MCAPChannel] = []
    var chunkIndex: [ChunkIndexEntry] = []
    var metadataIndex: [(offset: UInt64, length: UInt64, name: String)] = []
    var messageCount: UInt64 = 0
    var channelMessageCounts: [UInt16: UInt64] = [:]
    var startTime: UInt64 = 0
    var endTime: UInt64 = 0

    mutating func count(_ message: MCAPMessage) {
        if messageCount == 0 {
            startTime = message.logTime
            endTime = message.logTime
        } else {
            startTime = min(startTime, message.logTime)
            endTime = max(endTime, message.logTime)
        }
        messageCount += 1
        channelMessageCounts[message.channelID, default: 0] += 1
    }

    /// Summary groups, SummaryOffset records and the Footer, starting at file offset `summaryStart`.
    func encode(summaryStart: UInt64) -> ByteWriter {
        var out = ByteWriter()
        var offsets: [(MCAP.Opcode, UInt64, UInt64)] = []
        func group(_ opcode: MCAP.Opcode, _ body: (inout ByteWriter) -> Void) {
            let start = out.count
            body(&out)
            if out.count > start { offsets.append((opcode, summaryStart + UInt64(start), UInt64(out.count - start))) }
        }
        group(.schema) { out in for schema in schemas { out.appendSchema(schema) } }
        group(.channel) { out in for channel in channels { out.appendChannel(channel) } }
        group(.statistics) { out in appendStatistics(&out) }
        group(.chunkIndex) { out in for entry in chunkIndex { Self.appendChunkIndex(entry, &out) } }
        group(.metadataIndex) { out in
            for (offset, length, name) in metadataIndex {
                out.record(.metadataIndex) {
                    $0.u64(offset)
                    $0.u64(length)
                    $0.string(name)
                }
            }
        }
        let summaryOffsetStart = summaryStart + UInt64(out.count)
        for (opcode, start, length) in offsets {
            out.record(.summaryOffset) {
                $0.u8(opcode.rawValue)
                $0.u64(start)
                $0.u64(length)
            }
        }
        // The footer CRC covers the summary, the summary offsets and the footer up to the CRC field.
        out.u8(MCAP.Opcode.footer.rawValue)
        out.u64(20)
        out.u64(summaryStart)
        out.u64(summaryOffsetStart)
        out.u32(CRC32.checksum(out.bytes))
        return out
    }

    private func appendStatistics(_ out: inout ByteWriter) {
        out.record(.statistics) {
            $0.u64(messageCount)
            $0.u16(UInt16(schemas.count))
            $0.u32(UInt32(channels.count))
            $0.u32(0)  // attachments: the writer adds none
            $0.u32(UInt32(metadataIndex.count))
            $0.u32(UInt32(chunkIndex.count))
            $0.u64(startTime)
            $0.u64(endTime)
            var counts = ByteWriter()
            for channelID in channelMessageCounts.keys.sorted() {
                counts.u16(channelID)
                counts.u64(channelMessageCounts[channelID] ?? 0)
            }
            $0.u32(UInt32(counts.count))
            $0.raw(counts.bytes)
        }
    }

    private static func appendChunkIndex(_ entry: ChunkIndexEntry, _ out: inout ByteWriter) {
        out.record(.chunkIndex) {
            $0.u64(entry.startTime)
            $0.u64(entry.endTime)
            $0.u64(entry.chunkStart)
            $0.u64(entry.chunkLength)
            $0.u32(UInt32(entry.messageIndexOffsets.count * 10))
            for (channelID, offset) in entry.messageIndexOffsets {
                $0.u16(channelID)
                $0.u64(offset)
            }
            $0.u64(entry.messageIndexLength)
            $0.string(entry.compression.rawValue)
            $0.u64(entry.compressedSize)
            $0.u64(entry.uncompressedSize)
        }
    }
}
