/// Constants of the MCAP container format (https://mcap.dev/spec).
enum MCAP {
    /// The 8 bytes that open and close every MCAP file: 0x89 "MCAP0" CR LF.
    static let magic: [UInt8] = [0x89, 0x4D, 0x43, 0x41, 0x50, 0x30, 0x0D, 0x0A]

    /// Record opcodes (spec section "Records").
    enum Opcode: UInt8, Sendable {
        case header = 0x01
        case footer = 0x02
        case schema = 0x03
        case channel = 0x04
        case message = 0x05
        case chunk = 0x06
        case messageIndex = 0x07
        case chunkIndex = 0x08
        case attachment = 0x09
        case attachmentIndex = 0x0A
        case statistics = 0x0B
        case metadata = 0x0C
        case metadataIndex = 0x0D
        case summaryOffset = 0x0E
        case dataEnd = 0x0F
    }

    /// Opcode byte plus the u64 content length.
    static let recordPrefixLength = 9
}

/// How a chunk's records are compressed; the raw value is the spec's compression string.
public enum MCAPCompression: String, Sendable, CaseIterable {
    case none = ""
    case lz4
    case zstd

    /// The name used in configs and logs ("none" for the empty string).
    public var name: String { self == .none ? "none" : rawValue }
}

/// A schema record: how a channel's messages are described.
public struct MCAPSchema: Sendable, Equatable {
    var id: UInt16
    var name: String
    /// e.g. "jsonschema", "ros2msg".
    var encoding: String
    var data: [UInt8]

    init(id: UInt16, name: String, encoding: String, data: [UInt8]) {
        self.id = id
        self.name = name
        self.encoding = encoding
        self.data = data
    }
}

/// A channel record: a topic and how its messages are encoded.
public struct MCAPChannel: Sendable, Equatable {
    var id: UInt16
    /// 0 means "no schema".
    var schemaID: UInt16
    var topic: String
    /// e.g. "json", "cdr".
    var messageEncoding: String
    var metadata: [String: String]

    init(id: UInt16, schemaID: UInt16, topic: String, messageEncoding: String, metadata: [String: String] = [:]) {
        self.id = id
        self.schemaID = schemaID
        self.topic = topic
        self.messageEncoding = messageEncoding
        self.metadata = metadata
    }
}

/// A message record.
public struct MCAPMessage: Sendable, Equatable {
    var channelID: UInt16
    var sequence: UInt32
    /// Nanoseconds; affordd writes wall-clock capture time here.
    var logTime: UInt64
    var publishTime: UInt64
    var data: [UInt8]

    public init(channelID: UInt16, sequence: UInt32, logTime: UInt64, publishTime: UInt64, data: [UInt8]) {
        self.channelID = channelID
        self.sequence = sequence
        self.logTime = logTime
        self.publishTime = publishTime
        self.data = data
    }
}

/// A metadata record: a named string map.
public struct MCAPMetadata: Sendable, Equatable {
    var name: String
    var entries: [String: String]

    init(name: String, entries: [String: String]) {
        self.name = name
        self.entries = entries
    }
}

/// An attachment record: a named file stored alongside the messages.
public struct MCAPAttachment: Sendable, Equatable {
    var logTime: UInt64
    var createTime: UInt64
    var name: String
    var mediaType: String
    var data: [UInt8]

    init(logTime: UInt64, createTime: UInt64, name: String, mediaType: String, data: [UInt8]) {
        self.logTime = logTime
        self.createTime = createTime
        self.name = name
        self.mediaType = mediaType
        self.data = data
    }
}
