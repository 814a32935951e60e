@testable import AffordImaging
import AffordCore
import Foundation
import Testing

@Suite struct PNGCodecTests {
    @Test func decodeMatchesPillowForEveryColourType() throws {
        let references = try PillowReferences.shared.get()
        for reference in references.manifest.png {
            let image = try PNGCodec.decodeRGB(try references.bytes(reference.file))
            #expect(image.width == reference.width && image.height == reference.height, "\(reference.name)")
            #expect(image.pixels == (try references.bytes(reference.rgb)), "\(reference.name)")
        }
    }

    @Test func encodeRoundTripsAndPillowReadsIt() throws {
        let references = try PillowReferences.shared.get()
        let source = RGBImage(width: 640, height: 480, pixels: try references.bytes("rgb.png.rgb"))
        let png = try PNGCodec.encode(source)
        #expect(try PNGCodec.decodeRGB(png) == source)
        let path = references.directory.appendingPathComponent("ours.png")
        try Data(png).write(to: path)
        let pillow = [UInt8](try Python.run(["-c", "import sys; from PIL import Image; "
            + "sys.stdout.buffer.write(Image.open(sys.argv[1]).convert('RGB').tobytes())", path.path]))
        #expect(pillow == source.pixels)

        let mono = MonoImage(width: 3, height: 2, pixels: [0, 10, 20, 200, 250, 255])
        #expect(try PNGCodec.decodeMono(try PNGCodec.encode(mono)) == mono)
    }

    @Test func corruptPNGIsADecodeError() throws {
        var png = try PillowReferences.shared.get().bytes("palette.png")
        #expect(throws: AffordError.self) { try PNGCodec.decodeRGB(Array(png.prefix(40))) }
        png[png.count / 2] ^= 0xFF
        let error = #expect(throws: AffordError.self) { try PNGCodec.decodeRGB(png) }
        #expect(error?.message.contains("libpng") == true)
        #expect(throws: AffordError.self) { try PNGCodec.decodeRGB([]) }
    }
}
