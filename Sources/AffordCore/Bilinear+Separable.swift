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
            precondition(output.count >= targetWidth * targetHeight)
            withSourceRows(input) { rows in blendRows(rows, into: output, .identity) }
        }

        /// Each source row interpolated horizontally to the target width, `sourceHeight` rows of
        /// `targetWidth`, for the length of `body`.
        private func withSourceRows(_ input: UnsafeBufferPointer<Float>, _ body: (UnsafePointer<Float>) -> Void) {
            precondition(input.count >= sourceWidth * sourceHeight)
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
                guard let rowsBase = rows.baseAddress else { return }
                body(rowsBase)
            }
        }

        /// Output row `y`, blended from its two source rows and normalised as it is stored.
        private func blendRow(_ y: Int, from rows: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                              _ normalisation: MinMaxNormalisation) {
            Self.blend(upper: rows + ys.lower[y] * targetWidth, lower: rows + ys.upper[y] * targetWidth,
                       weight: ys.fraction[y], into: output, count: targetWidth, normalisation)
        }

        private func blendRows(_ rows: UnsafePointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
                               _ normalisation: MinMaxNormalisation) {
            guard let outputBase = output.baseAddress else { return }
            for y in 0..<targetHeight { blendRow(y, from: rows, into: outputBase + y * targetWidth, normalisation) }
        }

        /// `upper + (lower - upper) * weight`, element by element, then `normalisation`: 16 lanes
        /// at a time with the scalar arithmetic (no fused multiply-add), so it vectorises and
        /// stays bit-identical.
        static func blend(upper: UnsafePointer<Float>, lower: UnsafePointer<Float>, weight: Float,
                          into output: UnsafeMutablePointer<Float>, count: Int, _ normalisation: MinMaxNormalisation) {
            let whole = count / 16 * 16
            for start in stride(from: 0, to: whole, by: 16) {
                let top = UnsafeRawPointer(upper + start).loadUnaligned(as: SIMD16<Float>.self)
                let bottom = UnsafeRawPointer(lower + start).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(output + start).storeBytes(
                    of: normalisation.apply(top + (bottom - top) * weight), as: SIMD16<Float>.self)
            }
            for x in whole..<count { output[x] = normalisation.apply(upper[x] + (lower[x] - upper[x]) * weight) }
        }

        /// `resize(map)` min-max normalised (`MinMaxNormalisation`), the same values, written in
        /// one pass instead of three (resize, extremes, normalise).
        public func resizeNormalised(_ map: Heatmap) -> Heatmap {
            precondition(map.width == sourceWidth && map.height == sourceHeight, "map does not have the source size")
            let count = targetWidth * targetHeight
            let values = [Float](unsafeUninitializedCapacity: count) { output, initialized in
                map.values.withUnsafeBufferPointer { input in
                    withSourceRows(input) { rows in
                        if let (low, high) = blendedExtremes(rows, scratch: output) {
                            blendRows(rows, into: output, MinMaxNormalisation(low: low, high: high))
                        } else {
                            blendRows(rows, into: output, .identity)
                            MinMaxNormalisation.normalise(output)
                        }
                    }
                }
                initialized = count
            }
            return Heatmap(width: targetWidth, height: targetHeight, values: values)
        }

        /// The extremes of the blended output, from a few of its rows: output rows that blend the
        /// same two source rows differ only in their weight, and each value is monotonic in the
        /// weight (every rounding step is), so a run's extremes lie on its lightest and heaviest
        /// row. Nil where that does not hold: a value that is not finite, or so large that the
        /// difference of two could overflow. `scratch` holds at least one output row.
        private func blendedExtremes(_ rows: UnsafePointer<Float>, scratch: UnsafeMutableBufferPointer<Float>) -> (low: Float, high: Float)? {
            let tame = Float.greatestFiniteMagnitude / 2
            for index in 0..<sourceHeight * targetWidth where !(abs(rows[index]) <= tame) { return nil }
            guard let row = scratch.baseAddress else { return nil }
            var low = Float.infinity, high = -Float.infinity
            func fold(_ y: Int) {
                blendRow(y, from: rows, into: row, .identity)
                guard let (rowLow, rowHigh) = MinMaxNormalisation.extremes(UnsafeBufferPointer(start: row, count: targetWidth))
                else { return }
                low = min(low, rowLow)
                high = max(high, rowHigh)
            }
            var start = 0
            while start < targetHeight {
                var lightest = start, heaviest = start, end = start + 1
                while end < targetHeight && ys.lower[end] == ys.lower[start] && ys.upper[end] == ys.upper[start] {
                    if ys.fraction[end] < ys.fraction[lightest] { lightest = end }
                    if ys.fraction[end] > ys.fraction[heaviest] { heaviest = end }
                    end += 1
                }
                fold(lightest)
                if heaviest != lightest { fold(heaviest) }
                start = end
            }
            return (low, high)
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
