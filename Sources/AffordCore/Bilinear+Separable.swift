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
                for y in 0..<targetHeight {
                    let top = ys.lower[y] * width, bottom = ys.upper[y] * width, fy = ys.fraction[y]
                    let out = y * width
                    for x in 0..<width {
                        let upperRow = rows[top + x], lowerRow = rows[bottom + x]
                        output[out + x] = upperRow + (lowerRow - upperRow) * fy
                    }
                }
            }
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
