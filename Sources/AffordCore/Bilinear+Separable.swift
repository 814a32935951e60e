extension Bilinear {
    /// A float-plane resize between two fixed sizes with both axes precomputed. Separable:
    /// each source row is interpolated horizontally once (not once per output row that
    /// reads it), then output rows blend two of those. Same arithmetic, in the same order,
    /// as the reference `resize`, so the results are identical.
    public struct Separable: Sendable {
        let sourceWidth: Int
        let sourceHeight: Int
        let targetWidth: Int
        let targetHeight: Int
        private let xs: Axis
        private let ys: Axis

        public init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int) {
            self.sourceWidth = sourceWidth
            self.sourceHeight = sourceHeight
            self.targetWidth = targetWidth
            self.targetHeight = targetHeight
            xs = Axis(sourceCount: sourceWidth, targetCount: targetWidth)
            ys = Axis(sourceCount: sourceHeight, targetCount: targetHeight)
        }

        /// Resamples `input` (`sourceWidth * sourceHeight`) into `output` (`targetWidth * targetHeight`).
        func resize(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
            precondition(input.count >= sourceWidth * sourceHeight && output.count >= targetWidth * targetHeight)
            let width = targetWidth
            withUnsafeTemporaryAllocation(of: Float.self, capacity: sourceHeight * width) { rows in
                xs.lower.withUnsafeBufferPointer { lower in
                    xs.upper.withUnsafeBufferPointer { upper in
                        xs.fraction.withUnsafeBufferPointer { fraction in
                            for y in 0..<sourceHeight {
                                let source = y * sourceWidth, row = y * width
                                for x in 0..<width {
                                    let left = input[source + lower[x]], right = input[source + upper[x]]
                                    rows[row + x] = left + (right - left) * fraction[x]
                                }
                            }
                        }
                    }
                }
                guard let rowsBase = rows.baseAddress, let outputBase = output.baseAddress else { return }
                for y in 0..<targetHeight {
                    Self.blend(upper: rowsBase + ys.lower[y] * width, lower: rowsBase + ys.upper[y] * width,
                               weight: ys.fraction[y], into: outputBase + y * width, count: width)
                }
            }
        }

        /// `upper + (lower - upper) * weight`, element by element: 16 lanes at a time with the
        /// scalar arithmetic (no fused multiply-add), so it vectorises and stays bit-identical.
        static func blend(upper: UnsafePointer<Float>, lower: UnsafePointer<Float>, weight: Float,
                          into output: UnsafeMutablePointer<Float>, count: Int) {
            let whole = count / 16 * 16
            for start in stride(from: 0, to: whole, by: 16) {
                let top = UnsafeRawPointer(upper + start).loadUnaligned(as: SIMD16<Float>.self)
                let bottom = UnsafeRawPointer(lower + start).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(output + start).storeBytes(of: top + (bottom - top) * weight, as: SIMD16<Float>.self)
            }
            for x in whole..<count { output[x] = upper[x] + (lower[x] - upper[x]) * weight }
        }

        /// A resized copy of `map`, which must have the source size.
        public func resize(_ map: Heatmap) -> Heatmap {
            precondition(map.width == sourceWidth && map.height == sourceHeight, "map does not have the source size")
            let values = [Float](unsafeUninitializedCapacity: targetWidth * targetHeight) { output, count in
                map.values.withUnsafeBufferPointer { resize($0, into: output) }
                count = targetWidth * targetHeight
            }
            return Heatmap(width: targetWidth, height: targetHeight, values: values)
        }
    }
}
