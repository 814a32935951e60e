#if canImport(Glibc)
import Glibc
#endif

/// The work a JPEG's scans ask of libjpeg, read from its markers before decoding.
///
/// libjpeg visits every block of a scan's components once per scan, whether or not the
/// scan carries data: an end-of-band run covers thousands of blocks in a few bits, and
/// arithmetic coding may end a scan's data early by design. So decode time follows the
/// samples the scans cover, not the byte count: a 97-byte arithmetic-coded progressive
/// JPEG claiming 608x65472 (one DC scan) decodes for about 0.5 s, three components 2.5 s.
struct JPEGScanCost: Equatable {
    /// Component samples (whole 8x8 blocks) summed over every scan that codes them.
    var samples = 0
    var scans = 0

    /// Walks the markers after SOI up to EOI, the end of the data, or the first scan that
    /// takes `samples` past `limit` (then stops early: the image is refused anyway).
    /// A structure libjpeg would reject is measured as far as it goes; libjpeg then fails it.
    init(_ jpeg: UnsafeRawBufferPointer, stoppingAbove limit: Int) {
        guard let base = jpeg.baseAddress else { return }
        var componentSamples: [UInt8: Int] = [:]
        var index = 2
        let count = jpeg.count
        while index < count {
            // Entropy-coded data and garbage before a marker: libjpeg skips both the same way.
            guard let found = memchr(base + index, 0xFF, count - index) else { return }
            index = base.distance(to: UnsafeRawPointer(found)) + 1
            while index < count, jpeg[index] == 0xFF { index += 1 }  // fill bytes
            guard index < count else { return }
            let marker = jpeg[index]
            index += 1
            switch marker {
            case 0x00, 0x01, 0xD0...0xD8: continue  // stuffed zero, TEM, RSTn, SOI: no length
            case 0xD9: return  // EOI
            default: break
            }
            guard index + 2 <= count else { return }
            let length = Int(jpeg[index]) << 8 | Int(jpeg[index + 1])
            let end = index + length
            guard length >= 2, end <= count else { return }
            let body = UnsafeRawBufferPointer(rebasing: jpeg[(index + 2)..<end])
            if Self.isStartOfFrame(marker), componentSamples.isEmpty {
                componentSamples = Self.componentSamples(frameHeader: body)
            } else if marker == 0xDA, let components = body.first, body.count >= 1 + 2 * Int(components) {
                scans += 1
                for position in 0..<Int(components) {
                    samples += componentSamples[body[1 + 2 * position]] ?? 0
                }
                if samples > limit { return }
            }
            index = end
        }
    }

    /// SOF0-3, 5-7, 9-11, 13-15 (C4 is DHT, C8 reserved, CC is DAC).
    private static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
    }

    /// Samples per component id in whole blocks, as libjpeg sizes its buffers
    /// (`ceil(width * h / (8 * max h))` blocks across); empty for a header it would reject.
    private static func componentSamples(frameHeader body: UnsafeRawBufferPointer) -> [UInt8: Int] {
        guard body.count >= 6 else { return [:] }
        let height = Int(body[1]) << 8 | Int(body[2])
        let width = Int(body[3]) << 8 | Int(body[4])
        let count = Int(body[5])
        guard body.count >= 6 + 3 * count else { return [:] }
        struct Component { var id: UInt8, h: Int, v: Int }
        let components = (0..<count).map { (i: Int) -> Component in
            let sampling = body[7 + 3 * i]
            return Component(id: body[6 + 3 * i], h: Int(sampling >> 4), v: Int(sampling & 0x0F))
        }
        guard let maxH = components.map(\.h).max(), let maxV = components.map(\.v).max(),
              components.allSatisfy({ (1...4).contains($0.h) && (1...4).contains($0.v) }) else { return [:] }
        func blocks(_ size: Int, _ factor: Int, _ maximum: Int) -> Int {
            (size * factor + 8 * maximum - 1) / (8 * maximum)
        }
        var samples: [UInt8: Int] = [:]
        for c in components {
            samples[c.id] = blocks(width, c.h, maxH) * blocks(height, c.v, maxV) * 64
        }
        return samples
    }
}
