import AffordCore

/// Parses the records a streaming reader hands out; everything else is skipped.
enum MCAPRecordDecoding {
    static func decode(opcode: UInt8, _ reader: inout ByteReader) throws -> MCAPReader.Record? {
        switch MCAP.Opcode(rawValue: opcode) {
        case .schema:
            let id = try reader.u16("schema id")
            let name = try reader.string("schema name")
            let encoding = try reader.string("schema encoding")
            let data = try reader.bytes32("schema data")
            // Schema id 0 is reserved for "no schema".
            guard id != 0 else { throw reader.corrupt("schema '\(name)' uses the reserved id 0") }
            return .schema(MCAPSchema(id: id, name: name, encoding: encoding, data: data))
        case .channel:
            let id = try reader.u16("channel id")
            let schemaID = try reader.u16("schema id")
            let topic = try reader.string("topic")
            let encoding = try reader.string("message encoding")
            let metadata = try reader.stringMap("channel metadata")
            return .channel(MCAPChannel(id: id, schemaID: schemaID, topic: topic, messageEncoding: encoding, metadata: metadata))
        case .message:
            let channelID = try reader.u16("channel id")
            let sequence = try reader.u32("sequence")
            let logTime = try reader.u64("log_time")
            let publishTime = try reader.u64("publish_time")
            return .message(MCAPMessage(channelID: channelID, sequence: sequence, logTime: logTime,
                                        publishTime: publishTime, data: Array(reader.rest())))
        case .metadata:
            let name = try reader.string("metadata name")
            return .metadata(MCAPMetadata(name: name, entries: try reader.stringMap("metadata")))
        case .attachment:
            let logTime = try reader.u64("log_time")
            let createTime = try reader.u64("create_time")
            let name = try reader.string("attachment name")
            let mediaType = try reader.string("media type")
            let data = Array(try reader.bytes64("attachment data"))
            let crc = try reader.u32("attachment crc")
            if crc != 0 && crc != CRC32.checksum(data) {
                throw reader.corrupt("attachment '\(name)' CRC mismatch")
            }
            return .attachment(MCAPAttachment(logTime: logTime, createTime: createTime, name: name,
                                              mediaType: mediaType, data: data))
        default:
            // Indexes, statistics and unknown opcodes carry nothing a streaming reader needs.
            return nil
        }
    }
}

/// Walks the records of one decompressed chunk.
struct ChunkCursor {
    private var records: [UInt8] = []
    private var position = 0
    private var chunkOffset: UInt64 = 0
    private var path = ""

    /// Parses a Chunk record's header, decompresses and CRC-checks its records.
    mutating func load(_ reader: inout ByteReader, chunkOffset: UInt64, limits: MCAPReader.Limits, path: String) throws {
        _ = try reader.u64("message_start_time")
        _ = try reader.u64("message_end_time")
        let uncompressedSize = try reader.u64("uncompressed_size")
        let uncompressedCRC = try reader.u32("uncompressed_crc")
        let compressionName = try reader.string("compression")
        let compressed = try reader.bytes64("records")
        guard let compression = MCAPCompression(rawValue: compressionName) else {
            throw reader.corrupt("chunk uses unsupported compression '\(compressionName)'")
        }
        guard uncompressedSize <= limits.maxUncompressedChunkBytes else {
            throw reader.corrupt("chunk claims \(uncompressedSize) uncompressed bytes, over the \(limits.maxUncompressedChunkBytes)-byte cap")
        }
        do {
            records = try ChunkCodec.decompress(compressed, compression, expectedSize: Int(uncompressedSize))
        } catch let error as ChunkCodecError {
            throw AffordError(.corruptLog, "\(path) at offset \(chunkOffset): chunk: \(error.problem)")
        }
        if limits.validateCRCs && uncompressedCRC != 0 {
            let crc = CRC32.checksum(records)
            guard crc == uncompressedCRC else {
                throw AffordError(.corruptLog, "\(path) at offset \(chunkOffset): chunk CRC mismatch "
                                  + "(stored 0x\(String(uncompressedCRC, radix: 16)), computed 0x\(String(crc, radix: 16)))")
            }
        }
        position = 0
        self.chunkOffset = chunkOffset
        self.path = path
    }

    /// The next record inside the chunk worth handing out; nil when the chunk is exhausted.
    mutating func next() throws -> MCAPReader.Record? {
        while position < records.count {
            let start = position
            let context = "\(path): chunk at offset \(chunkOffset), inner record at \(start)"
            let record: MCAPReader.Record? = try records.withUnsafeBytes { bytes in
                var prefix = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[start...]), baseOffset: 0, context: context)
                let opcode = try prefix.u8("opcode")
                let length = try prefix.u64("record length")
                guard length <= UInt64(prefix.remaining) else {
                    throw prefix.corrupt("inner record declares \(length) bytes but the chunk has \(prefix.remaining) left")
                }
                let body = UnsafeRawBufferPointer(rebasing: bytes[(start + 9)..<(start + 9 + Int(length))])
                position = start + 9 + Int(length)
                var reader = ByteReader(body, baseOffset: 0, context: context)
                return try MCAPRecordDecoding.decode(opcode: opcode, &reader)
            }
            if let record { return record }
        }
        if !records.isEmpty { records.removeAll(keepingCapacity: true) }
        return nil
    }
}
