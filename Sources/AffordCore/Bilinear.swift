/// Bilinear resampling with half-pixel centres and clamped edges, the
/// semantics of OpenCV's INTER_LINEAR and PyTorch's `align_corners=False`
/// (no antialiasing). Every resize in affordd goes through here so the
/// engine, post-processing and evaluation agree with each other and with the
/// Python tool-chain.
public enum Bilinear {
    /// Source taps and weights for one output axis, computed once per size pair.
    public struct Axis: Sendable, Equatable {
        public let lower: [Int]
        public let upper: [Int]
        /// Weight of `upper`; `lower` gets `1 - fraction`.
        public let fraction: [Float]

        public init(sourceCount: Int, targetCount: Int) {
            precondition(sourceCount > 0 && targetCount > 0, "resize axes must be non-empty")
            let scale = Double(sourceCount) / Double(targetCount)
            var lower = [Int](repeating: 0, count: targetCount)
            var upper = [Int](repeating: 0, count: targetCount)
            var fraction = [Float](repeating: 0, count: targetCount)
            for i in 0..<targetCount {
                let position = max(0, (Double(i) + 0.5) * scale - 0.5)
                let base = min(Int(position), sourceCount - 1)
                lower[i] = base
                upper[i] = min(base + 1, sourceCount - 1)
                fraction[i] = Float(position - Double(base))
            }
            self.lower = lower
            self.upper = upper
            self.fraction = fraction
        }
    }

    /// Resamples one float plane (`width * height`, row-major) into `output` (`targetWidth * targetHeight`).
    static func resize(
        _ input: UnsafeBufferPointer<Float>, width: Int, height: Int,
        into output: UnsafeMutableBufferPointer<Float>, targetWidth: Int, targetHeight: Int
    ) {
        precondition(input.count >= width * height && output.count >= targetWidth * targetHeight)
        let xs = Axis(sourceCount: width, targetCount: targetWidth)
        let ys = Axis(sourceCount: height, targetCount: targetHeight)
        for y in 0..<targetHeight {
            let top = ys.lower[y] * width
            let bottom = ys.upper[y] * width
            let fy = ys.fraction[y]
            for x in 0..<targetWidth {
                let x0 = xs.lower[x]
                let x1 = xs.upper[x]
                let fx = xs.fraction[x]
                let upperRow = input[top + x0] + (input[top + x1] - input[top + x0]) * fx
                let lowerRow = input[bottom + x0] + (input[bottom + x1] - input[bottom + x0]) * fx
                output[y * targetWidth + x] = upperRow + (lowerRow - upperRow) * fy
            }
        }
    }

    /// A resized copy of `map`.
    public static func resize(_ map: Heatmap, width targetWidth: Int, height targetHeight: Int) -> Heatmap {
        if map.width == targetWidth && map.height == targetHeight { return map }
        var values = [Float](repeating: 0, count: targetWidth * targetHeight)
        map.values.withUnsafeBufferPointer { input in
            values.withUnsafeMutableBufferPointer { output in
                resize(input, width: map.width, height: map.height,
                       into: output, targetWidth: targetWidth, targetHeight: targetHeight)
            }
        }
        return Heatmap(width: targetWidth, height: targetHeight, values: values)
    }
}
