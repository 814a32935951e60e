import AffordCore
import Foundation

/// RGB8 of any size → resized, normalised CHW floats in one pass.
///
/// Resizing is AffordCore's `Bilinear` (half-pixel, no antialias), applied to the
/// 0…255 values; then `(v / 255 - mean) / std` per channel.
final class Preprocessor: Sendable {
    let mean: [Float]
    let std: [Float]
    // v * scale + offset == (v / 255 - mean) / std, per channel.
    private let scales: (Float, Float, Float)
    private let offsets: (Float, Float, Float)
    private let cachedAxes = Shared<(key: SIMD4<Int>, xs: Bilinear.Axis, ys: Bilinear.Axis)?>(nil)

    init(mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3, "mean and std need one value per channel")
        self.mean = mean
        self.std = std
        scales = (1 / (255 * std[0]), 1 / (255 * std[1]), 1 / (255 * std[2]))
        offsets = (-mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2])
    }

    /// Writes `image` resized to `width`×`height` into `output` (`3·height·width`, CHW).
    func fill(_ image: RGBImage, width: Int, height: Int, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= 3 * width * height, "preprocessing output too small")
        guard let base = output.baseAddress else { return }  // nil only for an empty output
        let (xs, ys) = axes(image: image, width: width, height: height)
        let plane = width * height
        let (scale0, scale1, scale2) = scales
        let (offset0, offset1, offset2) = offsets
        let stride = image.width * 3
        image.pixels.withUnsafeBufferPointer { pixels in
            xs.lower.withUnsafeBufferPointer { lower in
                xs.upper.withUnsafeBufferPointer { upper in
                    xs.fraction.withUnsafeBufferPointer { fraction in
                        for y in 0..<height {
                            let top = ys.lower[y] * stride
                            let bottom = ys.upper[y] * stride
                            let fy = ys.fraction[y]
                            let target = base + y * width
                            for x in 0..<width {
                                let left = lower[x] * 3
                                let right = upper[x] * 3
                                let fx = fraction[x]
                                @inline(__always) func sample(_ c: Int) -> Float {
                                    let a = Float(pixels[top + left + c]), b = Float(pixels[top + right + c])
                                    let d = Float(pixels[bottom + left + c]), e = Float(pixels[bottom + right + c])
                                    let upperRow = a + (b - a) * fx
                                    let lowerRow = d + (e - d) * fx
                                    return upperRow + (lowerRow - upperRow) * fy
                                }
                                target[x] = sample(0) * scale0 + offset0
                                target[plane + x] = sample(1) * scale1 + offset1
                                target[2 * plane + x] = sample(2) * scale2 + offset2
                            }
                        }
                    }
                }
            }
        }
    }

    /// A new CHW array; for tests and tools.
    func preprocess(_ image: RGBImage, width: Int, height: Int) -> [Float] {
        var result = [Float](repeating: 0, count: 3 * width * height)
        result.withUnsafeMutableBufferPointer { fill(image, width: width, height: height, into: $0) }
        return result
    }

    private func axes(image: RGBImage, width: Int, height: Int) -> (Bilinear.Axis, Bilinear.Axis) {
        let key = SIMD4(image.width, image.height, width, height)
        return cachedAxes.withLock { cached in
            if let cached, cached.key == key { return (cached.xs, cached.ys) }
            let xs = Bilinear.Axis(sourceCount: image.width, targetCount: width)
            let ys = Bilinear.Axis(sourceCount: image.height, targetCount: height)
            cached = (key, xs, ys)
            return (xs, ys)
        }
    }
}
