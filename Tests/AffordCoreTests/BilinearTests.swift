@testable import AffordCore
import Testing

@Suite struct BilinearTests {
    @Test func identitySizeIsUnchanged() {
        let map = Heatmap(width: 3, height: 2, values: [1, 2, 3, 4, 5, 6])
        #expect(Bilinear.resize(map, width: 3, height: 2) == map)
    }

    // Values worked by hand from the half-pixel-centre definition (also what
    // cv2.resize(INTER_LINEAR) gives for this 2x1 -> 4x1 case).
    @Test func upsamplingMatchesHalfPixelCentres() {
        let map = Heatmap(width: 2, height: 1, values: [0, 4])
        let up = Bilinear.resize(map, width: 4, height: 1)
        #expect(up.values == [0, 1, 3, 4])
    }

    @Test func downsamplingByTwoAveragesPairs() {
        let map = Heatmap(width: 4, height: 1, values: [0, 2, 4, 6])
        #expect(Bilinear.resize(map, width: 2, height: 1).values == [1, 5])
    }

    @Test func constantMapStaysConstant() {
        let map = Heatmap(width: 5, height: 3, repeating: 0.25)
        let resized = Bilinear.resize(map, width: 11, height: 7)
        #expect(resized.values.allSatisfy { abs($0 - 0.25) < 1e-7 })
    }

    // The separable fast path against the plain reference: odd sizes, up and down, both axes.
    @Test(arguments: [(16, 16, 640, 480), (16, 16, 17, 9), (7, 5, 3, 11), (1, 4, 5, 1), (16, 16, 16, 16)])
    func separableMatchesReference(sizes: (Int, Int, Int, Int)) {
        let (width, height, targetWidth, targetHeight) = sizes
        var map = Heatmap(width: width, height: height)
        for i in map.values.indices { map.values[i] = Float((i * 37) % 23) * 0.13 - 1 }
        let fast = Bilinear.Separable(sourceWidth: width, sourceHeight: height,
                                      targetWidth: targetWidth, targetHeight: targetHeight).resize(map)
        var reference = [Float](repeating: 0, count: targetWidth * targetHeight)
        map.values.withUnsafeBufferPointer { input in
            reference.withUnsafeMutableBufferPointer { output in
                Bilinear.resize(input, width: width, height: height, into: output,
                                targetWidth: targetWidth, targetHeight: targetHeight)
            }
        }
        #expect(fast.width == targetWidth && fast.height == targetHeight)
        #expect(fast.values == reference)
    }
}
