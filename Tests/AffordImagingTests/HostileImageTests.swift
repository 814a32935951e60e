@testable import AffordImaging
import AffordCore
import Foundation
import Testing

/// Tiny JPEGs written marker by marker, for structures no encoder makes on purpose.
enum HandmadeJPEG {
    static func segment(_ marker: UInt8, _ body: [UInt8]) -> [UInt8] {
        [0xFF, marker, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
    }

    static func frame(_ marker: UInt8, width: Int, height: Int, components: Int) -> [UInt8] {
        segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))
            + segment(marker, [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF),
                               UInt8(components)] + (1...components).flatMap { [UInt8($0), 0x11, 0] })
    }

    static func scan(components: [Int], spectral: ClosedRange<UInt8>, data: UInt8) -> [UInt8] {
        segment(0xDA, [UInt8(components.count)] + components.flatMap { [UInt8($0), 0] }
                    + [spectral.lowerBound, spectral.upperBound, 0]) + [data]
    }

    /// Huffman-coded progressive grey: `scans` identical first DC scans (a valid, if pointless,
    /// progression: each one rewrites the DC values), one 1-bit code per block.
    static func repeatedDCScans(width: Int, height: Int, scans: Int) -> [UInt8] {
        var jpeg: [UInt8] = [0xFF, 0xD8] + frame(0xC2, width: width, height: height, components: 1)
        jpeg += segment(0xC4, [0x00, 1] + [UInt8](repeating: 0, count: 15) + [0])  // DC table: "0" is category 0
        for _ in 0..<scans { jpeg += scan(components: [1], spectral: 0...0, data: 0x7F) }
        return jpeg + [0xFF, 0xD9]
    }

    /// Arithmetic-coded progressive (SOF10): one DC scan of every component, then `acRounds`
    /// rounds of one AC scan per component, each with a single zero byte of data. Arithmetic
    /// coding decodes zeros past the end of a scan's data without a warning.
    static func arithmeticProgressive(width: Int, height: Int, components: Int, acRounds: Int) -> [UInt8] {
        var jpeg: [UInt8] = [0xFF, 0xD8] + frame(0xCA, width: width, height: height, components: components)
        jpeg += scan(components: Array(1...components), spectral: 0...0, data: 0)
        for _ in 0..<acRounds {
            for component in 1...components { jpeg += scan(components: [component], spectral: 1...63, data: 0) }
        }
        return jpeg + [0xFF, 0xD9]
    }
}

@Suite struct HostileJPEGTests {
    /// TJFLAG_LIMITSCANS: 600 scans are refused even when warnings are accepted; 400 decode.
    @Test func aJPEGOfMoreThan500ScansIsRefused() throws {
        let decoder = try JPEGDecoder(warningPolicy: .accept)
        let fine = try decoder.decode(HandmadeJPEG.repeatedDCScans(width: 8, height: 8, scans: 400))
        #expect(fine.width == 8 && fine.height == 8 && decoder.acceptedWarnings == 0)
        let error = #expect(throws: AffordError.self) {
            try decoder.decode(HandmadeJPEG.repeatedDCScans(width: 8, height: 8, scans: 600))
        }
        #expect(error?.message.contains("more than 500 scans") == true, "\(String(describing: error))")
    }

    /// 97 bytes claiming 608x65472: the pixel limit holds for the coded size, so a DCT-scaled
    /// decode (76x8184 out, but every coded block decoded: 0.4 s) is refused too.
    @Test func thePixelLimitCountsCodedPixelsAtAnyScale() throws {
        let jpeg = HandmadeJPEG.arithmeticProgressive(width: 608, height: 65472, components: 1, acRounds: 0)
        #expect(jpeg.count == 97)
        let decoder = try JPEGDecoder()
        let error = #expect(throws: AffordError.self) { try decoder.decode(jpeg, minimumWidth: 224, minimumHeight: 224) }
        #expect(error?.message.contains("608x65472, over the 33554432-pixel limit") == true, "\(String(describing: error))")
    }

    /// About 1 KB claiming 12 MP in 91 scans of three components would decode for about a second;
    /// refused by its scan cost before libjpeg runs.
    @Test func scansCoveringMoreThan16PassesAreRefused() throws {
        let jpeg = HandmadeJPEG.arithmeticProgressive(width: 4000, height: 3000, components: 3, acRounds: 30)
        #expect(jpeg.count < 1200)
        let decoder = try JPEGDecoder()
        decoder.maximumPixels = 12_000_000
        let error = #expect(throws: AffordError.self) { try decoder.decode(jpeg) }
        #expect(error?.message.contains("over the budget of 16 passes over the 12000000-pixel limit") == true,
                "\(String(describing: error))")
    }

    /// The budget's edge, with a 64x64 grey image as the limit: 16 scans decode, 17 do not.
    @Test func theScanBudgetIsSixteenPassesOverTheLimit() throws {
        let decoder = try JPEGDecoder()
        decoder.maximumPixels = 64 * 64
        let sixteen = HandmadeJPEG.arithmeticProgressive(width: 64, height: 64, components: 1, acRounds: 15)
        #expect(try decoder.decode(sixteen).width == 64)
        let seventeen = HandmadeJPEG.arithmeticProgressive(width: 64, height: 64, components: 1, acRounds: 16)
        let error = #expect(throws: AffordError.self) { try decoder.decode(seventeen) }
        #expect(error?.message.contains("its first 17 scans cover 69632 samples") == true, "\(String(describing: error))")
    }

    /// A real progressive file (Pillow, libjpeg's default script, 4:2:0) is 8 passes: it decodes
    /// with its own size as the pixel limit.
    @Test func libjpegsProgressiveScriptFitsTheBudget() throws {
        let jpeg = try PillowReferences.shared.get().bytes("scene_progressive.jpg")
        let cost = jpeg.withUnsafeBytes { JPEGScanCost($0, stoppingAbove: .max) }
        #expect(cost.samples == 8 * 640 * 480 && cost.scans == 10, "\(cost)")
        let decoder = try JPEGDecoder()
        decoder.maximumPixels = 640 * 480
        #expect(try decoder.decode(jpeg).width == 640)
    }

    /// The marker walk survives truncation and junk at every length (it reads hostile bytes).
    @Test func theScanWalkStopsCleanlyOnAnyPrefix() throws {
        let jpeg = HandmadeJPEG.arithmeticProgressive(width: 64, height: 64, components: 3, acRounds: 2)
        for length in 0...jpeg.count {
            let prefix = Array(jpeg.prefix(length))
            let cost = prefix.withUnsafeBytes { JPEGScanCost($0, stoppingAbove: .max) }
            #expect(cost.scans <= 7)
        }
        let full = jpeg.withUnsafeBytes { JPEGScanCost($0, stoppingAbove: .max) }
        #expect(full.samples == 64 * 64 * 3 * 3 && full.scans == 7, "\(full)")
    }
}

@Suite struct HostilePNGTests {
    /// The standard CRC-32 (PNG chunks, zlib), bitwise.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A valid 2x2 PNG whose IHDR (with a correct CRC) claims `width` x `height`.
    static func png(claiming width: UInt32, _ height: UInt32) throws -> [UInt8] {
        var png = try PNGCodec.encode(RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 90, count: 12)))
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height; the CRC covers type and data.
        func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        png.replaceSubrange(16..<24, with: bigEndian(width) + bigEndian(height))
        png.replaceSubrange(29..<33, with: bigEndian(crc32(png[12..<29])))
        return png
    }

    /// 6000x6000 (36 M pixels, 108 MB of RGB) from a file of under 100 bytes: refused from the header alone.
    @Test func aPNGClaimingMoreThanThePixelLimitIsRefused() throws {
        let huge = try Self.png(claiming: 6000, 6000)
        #expect(huge.count < 100)
        for decode in [{ _ = try PNGCodec.decodeRGB(huge) }, { _ = try PNGCodec.decodeMono(huge) }] {
            let error = #expect(throws: AffordError.self) { try decode() }
            #expect(error?.message == "PNG is 6000x6000, over the 33554432-pixel limit", "\(String(describing: error))")
        }
        // The same file at its own size still decodes: only the claimed size was refused.
        #expect(try PNGCodec.decodeRGB(try Self.png(claiming: 2, 2)).width == 2)
    }
}
