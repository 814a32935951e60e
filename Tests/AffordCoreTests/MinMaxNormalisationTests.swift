import Testing
@testable import AffordCore

@Suite struct MinMaxNormalisationTests {
    /// The 16-lane min/max against the plain sequential fold, on lengths around the lane count.
    @Test(arguments: [1, 15, 16, 17, 33, 1000])
    func extremesMatchASequentialFold(count: Int) throws {
        var values = (0..<count).map { Float(($0 * 7919) % 263) - 131.5 }
        if count > 3 { values[2] = .nan }  // a NaN after the first value never wins
        let (low, high) = try #require(values.withUnsafeBufferPointer { MinMaxNormalisation.extremes($0) })
        var foldLow = values[0], foldHigh = values[0]
        for value in values {
            foldLow = min(foldLow, value)
            foldHigh = max(foldHigh, value)
        }
        #expect(low == foldLow && high == foldHigh)
    }

    /// The fused resize against the plain reference resize, then the plain definition of the
    /// normalisation with `Array.min()` / `max()`: up, down, odd sizes, one row, one column.
    @Test(arguments: [(16, 16, 640, 480), (16, 16, 17, 9), (7, 5, 3, 11), (1, 4, 5, 1), (4, 1, 1, 6), (3, 3, 3, 3), (16, 16, 33, 400)])
    func resizeNormalisedMatchesResizeThenNormalise(sizes: (Int, Int, Int, Int)) {
        let (width, height, targetWidth, targetHeight) = sizes
        for pattern in 0..<4 {
            var map = Heatmap(width: width, height: height)
            for i in map.values.indices {
                switch pattern {
                case 0: map.values[i] = Float((i * 7919) % 263) * 0.013 - 1.7
                case 1: map.values[i] = i == width * height / 2 ? 5 : 0.25  // one spike
                case 2: map.values[i] = 0.25                                 // constant: max == min
                default: map.values[i] = Float(i % 2 == 0 ? 1e30 : -3e29) * Float(i % 5)
                }
            }
            let fused = Bilinear.Separable(sourceWidth: width, sourceHeight: height,
                                           targetWidth: targetWidth, targetHeight: targetHeight).resizeNormalised(map)
            let resized = Bilinear.resize(map, width: targetWidth, height: targetHeight).values
            let low = resized.min() ?? 0, high = resized.max() ?? 0
            let scale = 1 / (high - low + MinMaxNormalisation.epsilon)
            #expect(fused.width == targetWidth && fused.height == targetHeight)
            let expected = resized.map { ($0 - low) * scale }
            let differing = zip(fused.values, expected).filter { $0 != $1 }.count
            #expect(fused.values.count == expected.count && differing == 0,
                    "pattern \(pattern): \(differing) of \(expected.count) values differ")
        }
    }

    /// Values that could overflow a difference, infinities and NaN take the three-pass path:
    /// the same bits as resizing, then normalising in place.
    @Test(arguments: [Float.greatestFiniteMagnitude, .infinity, -.infinity, .nan])
    func untameValuesTakeThePlainPath(odd: Float) {
        var map = Heatmap(width: 16, height: 16)
        for i in map.values.indices { map.values[i] = Float((i * 37) % 23) * 0.13 - 1 }
        map.values[40] = odd
        let resize = Bilinear.Separable(sourceWidth: 16, sourceHeight: 16, targetWidth: 50, targetHeight: 40)
        var expected = resize.resize(map).values
        expected.withUnsafeMutableBufferPointer { MinMaxNormalisation.normalise($0) }
        let fused = resize.resizeNormalised(map).values
        let differing = zip(fused, expected).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(fused.count == expected.count && differing == 0, "\(differing) of \(expected.count) values differ")
    }
}
