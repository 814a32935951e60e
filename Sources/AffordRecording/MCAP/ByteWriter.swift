/// Appends little-endian MCAP primitives to a growing byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { append(littleEndian: value) }
    mutating func u32(_ value: UInt32) { append(littleEndian: value) }
    mutating func u64(_ value: UInt64) { append(littleEndian: value) }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    mutating func raw(_ data: UnsafeRawBufferPointer) { bytes.append(contentsOf: data) }

    /// u32 byte length, then UTF-8.
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        raw(utf8)
    }

    /// u32 byte length, then the bytes (Schema data).
    mutating func bytes32(_ data: [UInt8]) {
        u32(UInt32(data.count))
        raw(data)
    }

    /// u32 byte length of the entries, then key/value string pairs, sorted for reproducible files.
    mutating func stringMap(_ map: [String: String]) {
        var body = ByteWriter()
        for key in map.keys.sorted() {
            body.string(key)
            body.string(map[key] ?? "")
        }
        u32(UInt32(body.count))
        raw(body.bytes)
    }

    /// Reserves a u64 slot to be patched once the length is known; returns its position.
    mutating func placeholderU64() -> Int {
        let position = bytes.count
        u64(0)
        return position
    }

    mutating func patchU64(at position: Int, _ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { source in
            for i in 0..<8 { bytes[position + i] = source[i] }
        }
    }

    /// Opcode, u64 content length, then whatever `content` appends.
    mutating func record(_ opcode: MCAP.Opcode, _ content: (inout ByteWriter) -> Void) {
        u8(opcode.rawValue)
        let lengthSlot = placeholderU64()
        content(&self)
        patchU64(at: lengthSlot, UInt64(bytes.count - lengthSlot - 8))
    }

    mutating func removeAll(keepingCapacity: Bool = true) { bytes.removeAll(keepingCapacity: keepingCapacity) }

    private mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
