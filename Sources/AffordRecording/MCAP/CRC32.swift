/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum MCAP
/// uses for chunks, the data section and the summary, identical to zlib's `crc32`.
enum CRC32 {
    /// Eight 256-entry tables, flattened, for slicing-by-8; table 0 is the classic byte table.
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            table[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = table[(slice - 1) * 256 + byte]
                table[slice * 256 + byte] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()

    /// Continues `crc` (0 to start) over `bytes`, eight bytes per step.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        var value = ~crc
        var index = 0
        let count = bytes.count
        table.withUnsafeBufferPointer { tables in
            // Every index below is a byte plus a multiple of 256 inside the 2048 entries.
            guard let t = tables.baseAddress else { return }
            while count - index >= 8 {
                let low = value ^ UInt32(littleEndian: (base + index).loadUnaligned(as: UInt32.self))
                let high = UInt32(littleEndian: (base + index + 4).loadUnaligned(as: UInt32.self))
                value = t[1792 + Int(low & 0xFF)] ^ t[1536 + Int((low >> 8) & 0xFF)]
                    ^ t[1280 + Int((low >> 16) & 0xFF)] ^ t[1024 + Int(low >> 24)]
                    ^ t[768 + Int(high & 0xFF)] ^ t[512 + Int((high >> 8) & 0xFF)]
                    ^ t[256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                index += 8
            }
            while index < count {
                value = (value >> 8) ^ t[Int((value ^ UInt32(base.load(fromByteOffset: index, as: UInt8.self))) & 0xFF)]
                index += 1
            }
        }
        return ~value
    }

    /// The plain bit-at-a-time reference the sliced version is tested against.
    static func reference(_ crc: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
        var value = ~crc
        for byte in bytes {
            value ^= UInt32(byte)
            for _ in 0..<8 { value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        }
        return ~value
    }

    /// CRC of a whole byte array.
    static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }
}
