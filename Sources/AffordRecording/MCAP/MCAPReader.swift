import AffordCore

/// Streams an MCAP file's records in file order, chunked or not, any compression.
///
/// Lengths are checked against the file size and `Limits` before anything is
/// allocated; chunk and data-section CRCs are checked when present. A truncated
/// or corrupt file yields everything before the damage, then throws
/// `AffordError(.corruptLog)` naming the offset and the problem (and keeps
/// throwing it).
public final class MCAPReader {
    /// Caps that keep a hostile length field from exhausting memory.
    public struct Limits: Sendable {
        var maxRecordBytes: UInt64
        var maxUncompressedChunkBytes: UInt64
        var validateCRCs: Bool

        public init(maxRecordBytes: UInt64 = 512 << 20, maxUncompressedChunkBytes: UInt64 = 512 << 20,
                    validateCRCs: Bool = true) {
            self.maxRecordBytes = maxRecordBytes
            self.maxUncompressedChunkBytes = maxUncompressedChunkBytes
            self.validateCRCs = validateCRCs
        }
    }

    /// A data-section record worth handing to a caller.
    public enum Record: Sendable {
        case schema(MCAPSchema)
        case channel(MCAPChannel)
        case message(MCAPMessage)
        case metadata(MCAPMetadata)
        case attachment(MCAPAttachment)
    }

    let path: String
    let limits: Limits
    /// The Header record's profile ("ros2" for rosbag2 files).
    private(set) var profile = ""
    private(set) var library = ""
    /// Every schema and channel seen so far, by id.
    private(set) var schemas: [UInt16: MCAPSchema] = [:]
    private(set) var channels: [UInt16: MCAPChannel] = [:]

    private let file: RandomAccessFile
    private var position: UInt64 = 0
    private var dataCRC: UInt32 = 0
    /// The data CRC up to the record just read: what a DataEnd record carries.
    private var crcBeforeLastRecord: UInt32 = 0
    private var content: [UInt8] = []
    private var chunk = ChunkCursor()
    private var failure: AffordError?
    private var finished = false

    /// Opens `path` and reads the magic and header.
    public init(path: String, limits: Limits = Limits()) throws {
        self.path = path
        self.limits = limits
        file = try RandomAccessFile(path: path)
        guard file.size >= UInt64(MCAP.magic.count) else {
            throw corrupt(at: 0, "file is \(file.size) bytes, too short for the MCAP magic")
        }
        try file.read(at: 0, count: MCAP.magic.count, into: &content)
        guard content == MCAP.magic else { throw corrupt(at: 0, "missing MCAP magic (not an MCAP file?)") }
        dataCRC = CRC32.checksum(content)
        position = UInt64(MCAP.magic.count)
        let (opcode, start) = try readRecord()
        guard opcode == MCAP.Opcode.header.rawValue else {
            throw corrupt(at: start, "first record has opcode 0x\(String(opcode, radix: 16)), expected Header")
        }
        try content.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes, baseOffset: start + 9, context: "\(path): Header")
            profile = try reader.string("profile")
            library = try reader.string("library")
        }
    }

    /// Closes the file; later reads fail with an I/O error.
    public func close() { file.close() }

    /// The next data-section record; nil once the footer and closing magic have been checked.
    public func next() throws -> Record? {
        if let failure { throw failure }
        do {
            return try advance()
        } catch let error as AffordError {
            failure = error
            throw error
        }
    }

    private func advance() throws -> Record? {
        while !finished {
            if let record = try chunk.next() { return try register(record) }
            guard position < file.size else {
                throw corrupt(at: position, "file ends without DataEnd or Footer (truncated recording?)")
            }
            let (opcode, start) = try readRecord()
            let context = "\(path): record 0x\(String(opcode, radix: 16))"
            let decoded: Record? = try content.withUnsafeBytes { bytes in
                var reader = ByteReader(bytes, baseOffset: start + 9, context: context)
                switch MCAP.Opcode(rawValue: opcode) {
                case .chunk:
                    try chunk.load(&reader, chunkOffset: start, limits: limits, path: path)
                    return nil
                case .dataEnd:
                    let expected = try reader.u32("data_section_crc")
                    try finish(dataEndCRC: expected, dataEndOffset: start)
                    return nil
                case .footer:
                    try checkClosingMagic()
                    return nil
                default:
                    return try MCAPRecordDecoding.decode(opcode: opcode, &reader)
                }
            }
            if let decoded { return try register(decoded) }
        }
        return nil
    }

    /// Remembers schemas and channels; rejects messages on channels never declared.
    private func register(_ record: Record) throws -> Record {
        switch record {
        case .schema(let schema): schemas[schema.id] = schema
        case .channel(let channel): channels[channel.id] = channel
        case .message(let message):
            guard channels[message.channelID] != nil else {
                throw corrupt(at: position, "message on channel \(message.channelID) before its Channel record")
            }
        case .metadata, .attachment: break
        }
        return record
    }

    /// Reads one record's prefix and content at `position` into `content`; returns its opcode and offset.
    private func readRecord() throws -> (UInt8, UInt64) {
        let start = position
        let left = file.size - position
        guard left >= UInt64(MCAP.recordPrefixLength) else {
            throw corrupt(at: start, "truncated record header (\(left) bytes left)")
        }
        try file.read(at: start, count: MCAP.recordPrefixLength, into: &content)
        let opcode = content[0]
        crcBeforeLastRecord = dataCRC
        let length = content.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 1, as: UInt64.self)) }
        if limits.validateCRCs { dataCRC = CRC32.checksum(content, continuing: dataCRC) }
        guard length <= left - UInt64(MCAP.recordPrefixLength) else {
            throw corrupt(at: start, "record 0x\(String(opcode, radix: 16)) declares \(length) bytes "
                          + "but only \(left - UInt64(MCAP.recordPrefixLength)) remain (truncated?)")
        }
        guard length <= limits.maxRecordBytes else {
            throw corrupt(at: start, "record 0x\(String(opcode, radix: 16)) of \(length) bytes exceeds the \(limits.maxRecordBytes)-byte cap")
        }
        try file.read(at: start + 9, count: Int(length), into: &content)
        if limits.validateCRCs {
            dataCRC = CRC32.checksum(content, continuing: dataCRC)
        }
        position = start + 9 + length
        return (opcode, start)
    }

    /// After DataEnd: checks the data CRC, then the footer, its summary CRC and the closing magic.
    private func finish(dataEndCRC: UInt32, dataEndOffset: UInt64) throws {
        if limits.validateCRCs && dataEndCRC != 0 {
            let crc = crcBeforeLastRecord
            guard crc == dataEndCRC else {
                throw corrupt(at: dataEndOffset, "data section CRC mismatch (stored \(hex(dataEndCRC)), computed \(hex(crc)))")
            }
        }
        let footerLength = UInt64(MCAP.recordPrefixLength + 20)
        let tailLength = footerLength + UInt64(MCAP.magic.count)
        guard file.size >= position + tailLength else {
            throw corrupt(at: position, "file ends before the footer (truncated summary?)")
        }
        let footerOffset = file.size - tailLength
        try file.read(at: footerOffset, count: Int(tailLength), into: &content)
        let (summaryStart, summaryCRC) = try content.withUnsafeBytes { bytes -> (UInt64, UInt32) in
            var reader = ByteReader(bytes, baseOffset: footerOffset, context: "\(path): Footer")
            guard try reader.u8("opcode") == MCAP.Opcode.footer.rawValue, try reader.u64("length") == 20 else {
                throw reader.corrupt("no Footer record before the closing magic")
            }
            let summaryStart = try reader.u64("summary_start")
            _ = try reader.u64("summary_offset_start")
            let crc = try reader.u32("summary_crc")
            guard Array(try reader.take(MCAP.magic.count, "closing magic")) == MCAP.magic else {
                throw reader.corrupt("closing magic is missing")
            }
            return (summaryStart, crc)
        }
        if limits.validateCRCs && summaryStart != 0 && summaryCRC != 0 {
            guard summaryStart >= position, summaryStart <= footerOffset else {
                throw corrupt(at: footerOffset, "footer's summary_start \(summaryStart) lies outside the summary")
            }
            let covered = Int(footerOffset + 1 + 8 + 16 - summaryStart)
            guard UInt64(covered) <= limits.maxRecordBytes else {
                throw corrupt(at: summaryStart, "summary of \(covered) bytes exceeds the cap")
            }
            try file.read(at: summaryStart, count: covered, into: &content)
            let crc = CRC32.checksum(content)
            guard crc == summaryCRC else {
                throw corrupt(at: summaryStart, "summary CRC mismatch (stored \(hex(summaryCRC)), computed \(hex(crc)))")
            }
        }
        finished = true
    }

    private func checkClosingMagic() throws {
        guard file.size - position == UInt64(MCAP.magic.count) else {
            throw corrupt(at: position, "Footer is not followed by exactly the closing magic")
        }
        try file.read(at: position, count: MCAP.magic.count, into: &content)
        guard content == MCAP.magic else { throw corrupt(at: position, "closing magic is missing") }
        finished = true
    }

    func corrupt(at offset: UInt64, _ problem: String) -> AffordError {
        AffordError(.corruptLog, "\(path) at offset \(offset): \(problem)")
    }

    private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
