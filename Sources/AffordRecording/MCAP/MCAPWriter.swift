import AffordCore

/// Writes an MCAP file incrementally: every completed chunk goes to disk at once,
/// so a killed process leaves a readable prefix; `close()` adds the summary and footer.
///
/// Schema and channel records are written straight into the data section (outside
/// chunks) the moment they are added, so even a file cut off mid-chunk declares them.
public final class MCAPWriter {
    /// How the file is laid out.
    public struct Options: Sendable {
        /// Uncompressed bytes of records per chunk; 0 writes messages unchunked.
        var chunkSize: Int
        var compression: MCAPCompression
        /// The Header's profile ("" for affordd's own recordings, "ros2" for rosbag2).
        var profile: String
        var library: String

        public init(chunkSize: Int = 1 << 20, compression: MCAPCompression = .zstd,
                    profile: String = "", library: String = "affordd") {
            self.chunkSize = chunkSize
            self.compression = compression
            self.profile = profile
            self.library = library
        }
    }

    let options: Options
    private let sink: ByteSink
    private var output = ByteWriter(capacity: 1 << 16)
    private var position: UInt64 = 0
    private var dataCRC: UInt32 = 0
    private var closed = false
    /// The first write error; the file stays a valid prefix and nothing more is written.
    private var failure: (any Error)?

    private var chunk: ChunkBuilder
    private var summary = SummaryBuilder()

    /// Creates (truncates) `path` and writes the magic and header.
    public convenience init(path: String, options: Options = Options()) throws {
        try self.init(sink: FileByteSink(path: path), options: options)
    }

    /// Writes to any byte sink (tests use a failing one).
    init(sink: ByteSink, options: Options = Options()) throws {
        self.sink = sink
        self.options = options
        self.chunk = ChunkBuilder(capacity: options.chunkSize)
        output.raw(MCAP.magic)
        output.record(.header) {
            $0.string(options.profile)
            $0.string(options.library)
        }
        try flushOutput()
    }

    /// Adds a schema and returns its id (ids start at 1; 0 means "no schema").
    public func addSchema(name: String, encoding: String, data: [UInt8]) throws -> UInt16 {
        try checkOpen()
        guard summary.schemas.count < Int(UInt16.max) else { throw AffordError(.io, "MCAP allows at most 65535 schemas") }
        let schema = MCAPSchema(id: UInt16(summary.schemas.count + 1), name: name, encoding: encoding, data: data)
        summary.schemas.append(schema)
        output.appendSchema(schema)
        try flushOutput()
        return schema.id
    }

    /// Adds a channel and returns its id.
    public func addChannel(topic: String, messageEncoding: String, schemaID: UInt16,
                           metadata: [String: String] = [:]) throws -> UInt16 {
        try checkOpen()
        guard summary.channels.count <= Int(UInt16.max) else { throw AffordError(.io, "MCAP allows at most 65536 channels") }
        let channel = MCAPChannel(id: UInt16(summary.channels.count), schemaID: schemaID, topic: topic,
                                  messageEncoding: messageEncoding, metadata: metadata)
        summary.channels.append(channel)
        output.appendChannel(channel)
        try flushOutput()
        return channel.id
    }

    /// Messages added but not yet written (the open chunk).
    var pendingMessageCount: Int { chunk.messageCount }

    /// Bytes written to the sink or buffered for it so far: what rotation by size compares.
    var bytesWritten: UInt64 { position + UInt64(output.count) }

    /// Adds one message; it reaches the file when its chunk fills (or at once, unchunked).
    public func addMessage(_ message: MCAPMessage) throws {
        try checkOpen()
        summary.count(message)
        if options.chunkSize <= 0 {
            output.appendMessage(message)
            try flushOutput()
            return
        }
        chunk.add(message)
        if chunk.records.count >= options.chunkSize { try flushChunk() }
    }

    /// Adds a metadata record (written straight away, outside chunks).
    func addMetadata(_ metadata: MCAPMetadata) throws {
        try checkOpen()
        let offset = position + UInt64(output.count)
        output.record(.metadata) {
            $0.string(metadata.name)
            $0.stringMap(metadata.entries)
        }
        summary.metadataIndex.append((offset, position + UInt64(output.count) - offset, metadata.name))
        try flushOutput()
    }

    /// Writes the open chunk and its message indexes now (e.g. on a timer, to bound loss on a crash).
    func flushChunk() throws {
        try checkOpen()
        guard !chunk.isEmpty else { return }
        let chunkStart = position + UInt64(output.count)
        let compressed = try ChunkCodec.compress(chunk.records.bytes, options.compression)
        output.record(.chunk) {
            $0.u64(chunk.startTime)
            $0.u64(chunk.endTime)
            $0.u64(UInt64(chunk.records.count))
            $0.u32(CRC32.checksum(chunk.records.bytes))
            $0.string(options.compression.rawValue)
            $0.u64(UInt64(compressed.count))
            $0.raw(compressed)
        }
        let chunkLength = position + UInt64(output.count) - chunkStart
        var indexOffsets: [(UInt16, UInt64)] = []
        let indexStart = position + UInt64(output.count)
        for channelID in chunk.index.keys.sorted() {
            indexOffsets.append((channelID, position + UInt64(output.count)))
            output.record(.messageIndex) {
                $0.u16(channelID)
                let entries = chunk.index[channelID] ?? []
                $0.u32(UInt32(entries.count * 16))
                for (logTime, offset) in entries {
                    $0.u64(logTime)
                    $0.u64(offset)
                }
            }
        }
        summary.chunkIndex.append(ChunkIndexEntry(
            startTime: chunk.startTime, endTime: chunk.endTime, chunkStart: chunkStart, chunkLength: chunkLength,
            messageIndexOffsets: indexOffsets, messageIndexLength: position + UInt64(output.count) - indexStart,
            compression: options.compression, compressedSize: UInt64(compressed.count),
            uncompressedSize: UInt64(chunk.records.count)))
        // Reset only once written, so a failed write still knows what it lost.
        try flushOutput()
        chunk.reset()
    }

    /// Flushes the last chunk, writes DataEnd, the summary, summary offsets, footer and magic.
    public func close() throws {
        guard !closed else { return }
        if let failure { throw failure }
        try flushChunk()
        try flushOutput()
        let crc = dataCRC
        output.record(.dataEnd) { $0.u32(crc) }
        let summaryStart = position + UInt64(output.count)
        try flushOutput()
        closed = true
        var tail = summary.encode(summaryStart: summaryStart)
        tail.raw(MCAP.magic)
        try tail.bytes.withUnsafeBytes { try sink.write($0) }
        try sink.sync()
        try sink.close()
    }

    private func checkOpen() throws {
        if let failure { throw failure }
        guard !closed else { throw AffordError(.io, "MCAP writer is already closed") }
    }

    /// Writes buffered records, keeping the data-section CRC and file position current.
    private func flushOutput() throws {
        guard output.count > 0 else { return }
        dataCRC = CRC32.checksum(output.bytes, continuing: dataCRC)
        position += UInt64(output.count)
        defer { output.removeAll() }
        do {
            try output.bytes.withUnsafeBytes { try sink.write($0) }
        } catch {
            failure = error
            throw error
        }
    }
}
