import AffordCore

/// Reads OMG CDR as ROS 2 serialises it: a 4-byte encapsulation header, then
/// primitives aligned to their size relative to the end of that header.
struct CDRReader {
    private let bytes: [UInt8]
    private var position = 4
    private let littleEndian: Bool
    /// XCDR2 caps alignment at 4 bytes; classic CDR aligns 8-byte values to 8.
    private let maxAlignment: Int
    private let context: String

    init(_ bytes: [UInt8], context: String) throws {
        guard bytes.count >= 4 else {
            throw AffordError(.corruptLog, "\(context): CDR message of \(bytes.count) bytes has no encapsulation header")
        }
        switch bytes[1] {
        case 0x00: (littleEndian, maxAlignment) = (false, 8)  // CDR_BE
        case 0x01: (littleEndian, maxAlignment) = (true, 8)   // CDR_LE
        case 0x06: (littleEndian, maxAlignment) = (false, 4)  // CDR2_BE
        case 0x07: (littleEndian, maxAlignment) = (true, 4)   // CDR2_LE
        default:
            throw AffordError(.unsupported, "\(context): CDR representation 0x\(String(bytes[1], radix: 16)) is not plain CDR")
        }
        self.bytes = bytes
        self.context = context
    }

    mutating func u8(_ field: String) throws -> UInt8 { try primitive(field) }
    mutating func u32(_ field: String) throws -> UInt32 { try primitive(field) }
    mutating func i32(_ field: String) throws -> Int32 { try primitive(field) }

    /// u32 length including the NUL terminator, then the bytes.
    mutating func string(_ field: String) throws -> String {
        let length = Int(try u32("\(field) length"))
        let raw = try take(length, field)
        let text = raw.last == 0 ? raw.dropLast() : raw[...]
        return String(decoding: text, as: UTF8.self)
    }

    /// sequence<uint8>: u32 count, then the bytes.
    mutating func byteSequence(_ field: String) throws -> [UInt8] {
        let count = Int(try u32("\(field) length"))
        return Array(try take(count, field))
    }

    private mutating func take(_ count: Int, _ field: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw AffordError(.corruptLog, "\(context): \(field) needs \(count) bytes at \(position) but the message has \(bytes.count - position) left")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func primitive<T: FixedWidthInteger>(_ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        let alignment = min(size, maxAlignment)
        let body = position - 4
        position += (alignment - body % alignment) % alignment
        let raw = try take(size, field)
        let value = raw.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        return littleEndian ? T(littleEndian: value) : T(bigEndian: value)
    }
}
