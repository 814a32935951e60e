@testable import AffordImaging
import AffordCore
import Testing

@Suite struct FrameDecoderTests {
    static func frame(_ pixels: [UInt8], _ width: Int, _ height: Int, _ format: PixelFormat) -> Frame {
        Frame(pixels: pixels, width: width, height: height, format: format, captureMonotonicNs: 0, sequence: 3, camera: "test")
    }

    @Test func mjpegIsDecodedAtTheSmallestCoveringScale() throws {
        let jpeg = try PillowReferences.shared.get().bytes("scene420.jpg")
        let decoder = try FrameDecoder(minimumWidth: 224, minimumHeight: 224)
        let image = try decoder.decode(Self.frame(jpeg, 640, 480, .mjpeg))
        #expect(image.width == 320 && image.height == 240)
        let full = try FrameDecoder().decode(Self.frame(jpeg, 640, 480, .mjpeg))
        #expect(full.width == 640 && full.height == 480)
    }

    @Test func failuresAreCountedWithTheFrameNamed() throws {
        let decoder = try FrameDecoder(minimumWidth: 224, minimumHeight: 224)
        #expect(throws: AffordError.self) { try decoder.decode(Self.frame([0xFF, 0xD8, 0xFF], 640, 480, .mjpeg)) }
        #expect(throws: AffordError.self) { try decoder.decode(Self.frame([1, 2], 4, 4, .yuyv)) }
        #expect(decoder.failures == 2)
        #expect(decoder.lastError?.message.hasPrefix("test frame 3:") == true)
        _ = try decoder.decode(Self.frame([1, 2, 3], 1, 1, .rgb8))
        #expect(decoder.failures == 2)
    }
}
