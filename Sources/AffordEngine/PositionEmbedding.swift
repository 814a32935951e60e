import Foundation

/// Resamples the learned position grid to an input's patch grid, as DINOv2 does:
/// bicubic (a = -0.75), half-pixel centres, clamped taps; the exported ONNX
/// graph's Resize uses exactly these settings with the target sizes given.
enum PositionEmbedding {
    /// `[1 + rows·columns, dim]`: the class position first, then the patch grid row-major.
    static func interpolate(_ table: UnsafeBufferPointer<Float>, grid: Int, dim: Int, rows: Int, columns: Int) -> [Float] {
        precondition(table.count == (1 + grid * grid) * dim)
        var result = [Float](repeating: 0, count: (1 + rows * columns) * dim)
        for c in 0..<dim { result[c] = table[c] }
        let ys = taps(source: grid, target: rows)
        let xs = taps(source: grid, target: columns)
        var row = [Double](repeating: 0, count: dim)
        for y in 0..<rows {
            for x in 0..<columns {
                for c in 0..<dim { row[c] = 0 }
                for (sy, wy) in ys[y] {
                    for (sx, wx) in xs[x] {
                        let weight = wy * wx
                        let source = (1 + sy * grid + sx) * dim
                        for c in 0..<dim { row[c] += weight * Double(table[source + c]) }
                    }
                }
                let target = (1 + y * columns + x) * dim
                for c in 0..<dim { result[target + c] = Float(row[c]) }
            }
        }
        return result
    }

    /// Four (source index, weight) pairs per output position.
    static func taps(source: Int, target: Int) -> [[(Int, Double)]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { i in
            let position = (Double(i) + 0.5) * scale - 0.5
            let base = Int(position.rounded(.down))
            let t = position - Double(base)
            let weights = cubicWeights(t)
            return (0..<4).map { k in (min(max(base - 1 + k, 0), source - 1), weights[k]) }
        }
    }

    /// Keys' cubic convolution weights for taps at offsets -1, 0, 1, 2 from the floor.
    static func cubicWeights(_ t: Double, a: Double = -0.75) -> [Double] {
        func near(_ x: Double) -> Double { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func far(_ x: Double) -> Double { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return [far(t + 1), near(t), near(1 - t), far(2 - t)]
    }
}
