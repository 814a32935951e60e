import AffordCore

/// Reads a JPEG's coded size from its SOF marker without decoding any pixels.
enum JPEGGeometry {
    /// (width, height) of the first frame header; throws on anything that is not a JPEG.
    static func size(of jpeg: [UInt8]) throws -> (width: Int, height: Int) {
        guard jpeg.count >= 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else {
            throw AffordError(.decode, "not a JPEG: missing SOI marker")
        }
        var position = 2
        while position + 4 <= jpeg.count {
            guard jpeg[position] == 0xFF else {
                throw AffordError(.decode, "JPEG marker expected at byte \(position)")
            }
            let marker = jpeg[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { position += 2; continue }  // no length
            let length = Int(jpeg[position + 2]) << 8 | Int(jpeg[position + 3])
            guard length >= 2 else { throw AffordError(.decode, "JPEG segment at byte \(position) has length \(length)") }
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                guard length >= 7, position + 9 <= jpeg.count else { break }
                let height = Int(jpeg[position + 5]) << 8 | Int(jpeg[position + 6])
                let width = Int(jpeg[position + 7]) << 8 | Int(jpeg[position + 8])
                guard width > 0, height > 0 else {
                    throw AffordError(.decode, "JPEG frame header declares \(width)x\(height)")
                }
                return (width, height)
            }
            if marker == 0xDA || marker == 0xD9 { break }  // scan data or EOI before any frame header
            position += 2 + length
        }
        throw AffordError(.decode, "JPEG has no frame header (SOF) before its scan data")
    }
}
