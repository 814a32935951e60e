@testable import AffordImaging
import AffordCore
import Foundation
import Testing

@Suite struct JPEGDecoderTests {
    @Test func scaleCoversTheMinimumWithTheSmallestFactor() {
        // 640x480 for a 224 model: 3/8 gives 240x180 (too short), 1/2 gives 320x240.
        #expect(JPEGScale.smallest(covering: 224, 224, from: 640, 480) == JPEGScale(numerator: 1, denominator: 2))
        #expect(JPEGScale.smallest(covering: 224, 224, from: 1920, 1080) == JPEGScale(numerator: 1, denominator: 4))
        #expect(JPEGScale.smallest(covering: 80, 60, from: 640, 480) == JPEGScale(numerator: 1, denominator: 8))
        // Never enlarges: a small image stays at full size.
        #expect(JPEGScale.smallest(covering: 224, 224, from: 160, 120) == .full)
        #expect(JPEGScale.available.allSatisfy { $0.numerator <= $0.denominator })
        #expect(JPEGScale.available.count >= 4)
    }

    @Test func fullDecodeMatchesPillow() throws {
        let references = try PillowReferences.shared.get()
        let decoder = try JPEGDecoder()
        for reference in references.manifest.jpeg {
            let image = try decoder.decode(try references.bytes(reference.file))
            #expect(image.width == reference.width && image.height == reference.height, "\(reference.name)")
            let diff = differences(image.pixels, try references.bytes(reference.full))
            // Both use libjpeg-turbo's accurate DCT (bit-exact here); allow one level
            // for other libjpeg-turbo versions.
            #expect(diff.mean < 0.05 && diff.max <= 1, "\(reference.name): \(diff)")
        }
    }

    @Test func scaledDecodeMatchesPillowDraft() throws {
        let references = try PillowReferences.shared.get()
        let decoder = try JPEGDecoder()
        for reference in references.manifest.jpeg {
            guard let draft = reference.draft, let request = reference.draftRequest,
                  let width = reference.draftWidth, let height = reference.draftHeight else { continue }
            let image = try decoder.decode(try references.bytes(reference.file),
                                           minimumWidth: request[0], minimumHeight: request[1])
            #expect(image.width == width && image.height == height, "\(reference.name)")
            let diff = differences(image.pixels, try references.bytes(draft))
            #expect(diff.mean < 0.05 && diff.max <= 1, "\(reference.name): \(diff)")
        }
    }

    @Test func headerReadsCodedSize() throws {
        let references = try PillowReferences.shared.get()
        let jpeg = try references.bytes("scene420.jpg")
        let header = try jpeg.withUnsafeBytes { try JPEGDecoder().header($0) }
        #expect(header == JPEGHeader(width: 640, height: 480, subsampling: 2))  // TJSAMP_420
    }

    @Test func truncatedJPEGIsADecodeErrorUnderReject() throws {
        let jpeg = try PillowReferences.shared.get().bytes("scene420.jpg")
        let decoder = try JPEGDecoder()
        let error = #expect(throws: AffordError.self) { try decoder.decode(Array(jpeg.prefix(jpeg.count / 2))) }
        #expect(error?.code == .decode)
        #expect(error?.message.contains("Premature end of JPEG file") == true, "\(String(describing: error))")
    }

    @Test func truncatedJPEGIsKeptAndCountedUnderAccept() throws {
        let jpeg = try PillowReferences.shared.get().bytes("scene420.jpg")
        let decoder = try JPEGDecoder(warningPolicy: .accept)
        let image = try decoder.decode(Array(jpeg.prefix(jpeg.count / 2)))
        #expect(image.width == 640 && image.height == 480)
        #expect(decoder.acceptedWarnings == 1)
        #expect(decoder.lastWarning?.contains("Premature end") == true)
    }

    @Test func garbageAndHugeHeadersAreErrorsNotCrashes() throws {
        let decoder = try JPEGDecoder()
        #expect(throws: AffordError.self) { try decoder.decode([]) }
        #expect(throws: AffordError.self) { try decoder.decode([0xFF, 0xD8, 0xFF, 0xD9]) }
        #expect(throws: AffordError.self) { try decoder.decode(Array("not a jpeg at all".utf8)) }
        // An SOF0 claiming 60000x60000 is refused before allocating 10 GB.
        var jpeg = try PillowReferences.shared.get().bytes("scene420.jpg")
        let sof = try #require(jpeg.indices.dropLast().first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60])
        let error = #expect(throws: AffordError.self) { try decoder.decode(jpeg) }
        #expect(error?.message.contains("pixel limit") == true, "\(String(describing: error))")
    }

    @Test func encodedJPEGDecodesCloseToTheSource() throws {
        let references = try PillowReferences.shared.get()
        let source = try references.bytes("scene444.full.rgb")
        let image = RGBImage(width: 640, height: 480, pixels: source)
        let jpeg = try JPEGEncoder().encode(image, quality: 95)
        // Pillow reads what we wrote.
        let path = references.directory.appendingPathComponent("ours.jpg")
        try Data(jpeg).write(to: path)
        let pillow = [UInt8](try Python.run(["-c", "import sys; from PIL import Image; "
            + "sys.stdout.buffer.write(Image.open(sys.argv[1]).convert('RGB').tobytes())", path.path]))
        // The scene carries sensor noise, which 4:2:0 chroma cannot keep; garbage would be ~80.
        #expect(differences(pillow, source).mean < 6.0)
        let mono = PixelConversion.toMono(image)
        let gray = try JPEGDecoder().decode(try JPEGEncoder().encodeMono(mono.pixels, width: 640, height: 480))
        #expect(differences(PixelConversion.toMono(gray).pixels, mono.pixels).mean < 3.0)
    }

    /// Removes every segment with `marker` (all segments before SOS carry a length).
    static func strippingSegments(_ marker: UInt8, from jpeg: [UInt8]) -> [UInt8] {
        var output = Array(jpeg.prefix(2)), index = 2
        while index + 4 <= jpeg.count, jpeg[index] == 0xFF, jpeg[index + 1] != 0xDA {
            let length = Int(jpeg[index + 2]) << 8 | Int(jpeg[index + 3])
            if jpeg[index + 1] != marker { output += jpeg[index..<min(index + 2 + length, jpeg.count)] }
            index += 2 + length
        }
        return output + jpeg[min(index, jpeg.count)...]
    }

    // Many UVC cameras send MJPEG frames without Huffman tables (DHT), relying on the
    // standard tables from the JPEG spec; TurboJPEG's encoder uses exactly those.
    @Test func mjpegWithoutHuffmanTablesDecodesLikeTheFullFile() throws {
        let references = try PillowReferences.shared.get()
        let image = RGBImage(width: 640, height: 480, pixels: try references.bytes("scene420.full.rgb"))
        let jpeg = try JPEGEncoder().encode(image, quality: 80)
        let bare = Self.strippingSegments(0xC4, from: jpeg)
        #expect(bare.count < jpeg.count - 400)
        let decoder = try JPEGDecoder()
        #expect(try decoder.decode(bare, minimumWidth: 224, minimumHeight: 224)
                == (try decoder.decode(jpeg, minimumWidth: 224, minimumHeight: 224)))
    }
}
