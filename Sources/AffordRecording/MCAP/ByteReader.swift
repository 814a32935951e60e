import AffordCore

/// Reads little-endian MCAP primitives from a byte slice, never past its end.
///
/// Every failure names what was being read and where, as a file offset when
/// `baseOffset` is the slice's position in the file.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int
    let baseOffset: UInt64
    let context: String

    init(_ bytes: UnsafeRawBufferPointer, baseOffset: UInt64, context: String) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.baseOffset = baseOffset
        self.context = context
    }

    var remaining: Int { end - position }
    var fileOffset: UInt64 { baseOffset + UInt64(position) }

    mutating func u8(_ field: String) throws -> UInt8 { try integer(field) }
    mutating func u16(_ field: String) throws -> UInt16 { try integer(field) }
    mutating func u32(_ field: String) throws -> UInt32 { try integer(field) }
    mutating func u64(_ field: String) throws -> UInt64 { try integer(field) }

    mutating func string(_ field: String) throws -> String {
        let length = try u32("\(field) length")
        let slice = try take(Int(length), field)
        return String(decoding: slice, as: UTF8.self)
    }

    mutating func bytes32(_ field: String) throws -> [UInt8] {
        let length = try u32("\(field) length")
        return Array(try take(Int(length), field))
    }

    mutating func bytes64(_ field: String) throws -> UnsafeRawBufferPointer {
        let length = try u64("\(field) length")
        guard length <= UInt64(remaining) else {
            throw corrupt("\(field) declares \(length) bytes but only \(remaining) remain")
        }
        return try take(Int(length), field)
    }

    /// Everything up to the end of the slice.
    mutating func rest() -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
        position = end
        return slice
    }

    mutating func stringMap(_ field: String) throws -> [String: String] {
        let length = try u32("\(field) length")
        var entries = ByteReader(try take(Int(length), field), baseOffset: fileOffset - UInt64(length), context: context)
        var map: [String: String] = [:]
        while entries.remaining > 0 {
            let key = try entries.string("\(field) key")
            map[key] = try entries.string("\(field) value")
        }
        return map
    }

    mutating func take(_ count: Int, _ field: String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw corrupt("\(field) needs \(count) bytes but only \(remaining) remain")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        position += count
        return slice
    }

    func corrupt(_ problem: String) -> AffordError {
        AffordError(.corruptLog, "\(context) at offset \(fileOffset): \(problem)")
    }

    private mutating func integer<T: FixedWidthInteger>(_ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw corrupt("\(field) needs \(size) bytes but only \(remaining) remain")
        }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: value)
    }
}
