@testable import AffordImaging
import AffordCore
import CAffordImaging
import Testing

@Suite struct PixelConversionTests {
    /// Deterministic bytes for the kernels under test.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test(arguments: [(2, 1), (32, 3), (64, 2), (646, 5), (640, 480)])
    func yuyvVectorisedMatchesReference(width: Int, height: Int) {
        let stride = width * 2 + 6  // padded rows, as some drivers deliver
        let input = Self.noise(stride * height, seed: UInt64(width))
        var fast = [UInt8](repeating: 0, count: width * height * 3)
        var reference = fast
        input.withUnsafeBytes { source in
            fast.withUnsafeMutableBytes { YUYV.toRGB(source, width: width, height: height, stride: stride, into: $0) }
            reference.withUnsafeMutableBytes {
                YUYV.toRGBReference(source, width: width, height: height, stride: stride, into: $0)
            }
        }
        #expect(fast == reference, "\(YUYV.variant) kernel")
        // The portable C build, which non-AVX2 machines run.
        var portable = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            input.withUnsafeBufferPointer { source in
                portable.withUnsafeMutableBufferPointer {
                    afford_yuyv_to_rgb_portable(source.baseAddress! + row * stride, $0.baseAddress! + row * width * 3, width / 2)
                }
            }
        }
        #expect(portable == reference)
    }

    @Test func yuyvUsesLimitedRangeBT601() throws {
        // Y=16 is black, Y=235 white; (82, 90, 240) is BT.601's limited-range red.
        let frame: [UInt8] = [16, 128, 235, 128, 82, 90, 82, 240]
        let image = try PixelConversion.toRGB(frame, width: 4, height: 1, stride: 8, format: .yuyv)
        #expect(Array(image.pixels[0..<6]) == [0, 0, 0, 255, 255, 255])
        let red = image.pixels[6..<9].map(Int.init)
        #expect(red[0] >= 250 && red[1] <= 3 && red[2] <= 3, "\(red)")
    }

    @Test func bgrMonoAndStridedRGBBecomePackedRGB() throws {
        let bgr = try PixelConversion.toRGB([1, 2, 3, 9, 4, 5, 6, 9], width: 1, height: 2, stride: 4, format: .bgr8)
        #expect(bgr.pixels == [3, 2, 1, 6, 5, 4])
        let mono = try PixelConversion.toRGB([7, 8], width: 2, height: 1, stride: 2, format: .mono8)
        #expect(mono.pixels == [7, 7, 7, 8, 8, 8])
        let rgb = try PixelConversion.toRGB([1, 2, 3, 0, 4, 5, 6, 0], width: 1, height: 2, stride: 4, format: .rgb8)
        #expect(rgb.pixels == [1, 2, 3, 4, 5, 6])
        #expect(PixelConversion.toBGR(rgb) == [3, 2, 1, 6, 5, 4])
        #expect(PixelConversion.toMono(RGBImage(width: 2, height: 1, pixels: [255, 255, 255, 255, 0, 0])).pixels == [255, 76])
    }

    @Test func shortOrOddFramesAreErrors() {
        #expect(throws: AffordError.self) { try PixelConversion.toRGB([0, 0, 0], width: 2, height: 1, stride: 6, format: .rgb8) }
        #expect(throws: AffordError.self) { try PixelConversion.toRGB([UInt8](repeating: 0, count: 6), width: 3, height: 1, stride: 6, format: .yuyv) }
        #expect(throws: AffordError.self) { try PixelConversion.toRGB([0xFF, 0xD8], width: 1, height: 1, stride: 0, format: .mjpeg) }
    }

    @Test func rgbResizeAgreesWithTheFloatResamplerPerChannel() {
        let source = RGBImage(width: 37, height: 23, pixels: Self.noise(37 * 23 * 3, seed: 5))
        for (width, height) in [(224, 224), (16, 9), (37, 23)] {
            let resized = RGBResize.bilinear(source, width: width, height: height)
            for channel in 0..<3 {
                let plane = Heatmap(width: 37, height: 23, values: stride(from: channel, to: source.pixels.count, by: 3).map { Float(source.pixels[$0]) })
                let expected = Bilinear.resize(plane, width: width, height: height).values
                let actual = stride(from: channel, to: resized.pixels.count, by: 3).map { Float(resized.pixels[$0]) }
                #expect(zip(actual, expected).allSatisfy { abs($0 - $1.rounded()) <= 1 })
            }
        }
    }

    @Test func yuyvAgreesWithOpenCV() throws {
        let references = try PillowReferences.shared.get()
        let yuyv = try references.bytes(references.manifest.opencv.yuyv)
        let image = try PixelConversion.toRGB(yuyv, width: 640, height: 480, stride: 1280, format: .yuyv)
        // OpenCV uses 20-bit fixed point, we 8-bit (libyuv's and libv4lconvert's precision).
        let diff = differences(image.pixels, try references.bytes(references.manifest.opencv.yuyvRgb))
        #expect(diff.max <= 2 && diff.mean < 0.5, "\(diff)")
    }

    @Test func rgbResizeAgreesWithOpenCVInterLinear() throws {
        let references = try PillowReferences.shared.get()
        let cases = references.manifest.opencv
        let source = RGBImage(width: cases.resizeWidth, height: cases.resizeHeight, pixels: try references.bytes(cases.resizeSource))
        for resize in cases.resizes {
            let ours = RGBResize.bilinear(source, width: resize.width, height: resize.height)
            // OpenCV interpolates 8-bit images with 11-bit fixed-point weights.
            let diff = differences(ours.pixels, try references.bytes(resize.file))
            #expect(diff.max <= 1 && diff.mean < 0.5, "\(resize.width)x\(resize.height): \(diff)")
        }
    }
}
