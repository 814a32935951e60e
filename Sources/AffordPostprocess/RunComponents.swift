import AffordCore
import CAffordMath

/// 8-connected components of `score >= cut && score > 0` with their statistics, found from
/// row runs: one pass over the pixels with no per-pixel label image. Matches
/// `HeatmapPostprocessor.labelledComponents` (the pixel-labelling reference) up to the
/// order in which each component's float sums are added.
enum RunComponents {
    /// One horizontal run of above-threshold pixels and its partial sums.
    struct Run {
        var row: Int32
        var start: Int32
        var end: Int32  // exclusive
        var parent: Int32
        var sums = ComponentStatistics()
    }

    /// The SIMD width the run scan skips below-cut pixels at, picked once from the CPU.
    static let scanLevel = afm_best_level()

    static func find(_ runs: UnsafeMutablePointer<Run>, _ index: Int32) -> Int32 {
        var root = index
        while runs[Int(root)].parent != root { root = runs[Int(root)].parent }
        var node = index
        while runs[Int(node)].parent != root {
            let next = runs[Int(node)].parent
            runs[Int(node)].parent = root
            node = next
        }
        return root
    }

    /// Statistics per component, ordered by the raster position of its first pixel.
    static func statistics(
        _ scores: UnsafeBufferPointer<Float>, width: Int, height: Int, cut: Float
    ) -> [ComponentStatistics] {
        components(scores, width: width, height: height, cut: cut, collectPixels: false).statistics
    }

    /// `statistics`, and with `collectPixels` each component's runs (empty otherwise).
    static func components(
        _ scores: UnsafeBufferPointer<Float>, width: Int, height: Int, cut: Float, collectPixels: Bool
    ) -> (statistics: [ComponentStatistics], pixels: [ComponentPixels]) {
        var runs: [Run] = []
        runs.reserveCapacity(4 * height)
        var previous = 0..<0  // indices of the runs on the row above
        // A run pixel is `>= cut && > 0`, that is `>= floor`; the scan jumps between runs.
        let floor = max(cut, .leastNonzeroMagnitude)
        for y in 0..<height {
            let row = scores.baseAddress.map { $0 + y * width }
            guard let row else { break }
            let first = runs.count
            var x = 0
            while x < width {
                x += Int(afm_first_at_least(scanLevel, row + x, Int32(width - x), floor))
                guard x < width else { break }
                var run = Run(row: Int32(y), start: Int32(x), end: 0, parent: Int32(runs.count))
                var mass = 0.0, sumU = 0.0, sumUU = 0.0, peak: Float = 0
                while x < width, row[x] >= cut, row[x] > 0 {
                    let score = row[x], w = Double(score), u = Double(x)
                    mass += w
                    sumU += w * u
                    sumUU += w * u * u
                    peak = max(peak, score)
                    x += 1
                }
                run.end = Int32(x)
                // y is constant along a run: its y sums follow from the x ones.
                let v = Double(y)
                run.sums = ComponentStatistics(mass: mass, sumU: sumU, sumV: v * mass, sumUU: sumUU, sumVV: v * v * mass,
                                               sumUV: v * sumU, area: x - Int(run.start), peak: peak)
                runs.append(run)
            }
            // Join with every run above that touches this one, diagonals included.
            runs.withUnsafeMutableBufferPointer { buffer in
                guard let all = buffer.baseAddress else { return }
                var above = previous.lowerBound
                for current in first..<buffer.count {
                    let start = all[current].start, end = all[current].end
                    while above < previous.upperBound && all[above].end < start { above += 1 }
                    var candidate = above
                    while candidate < previous.upperBound && all[candidate].start <= end {
                        let a = find(all, Int32(candidate)), b = find(all, Int32(current))
                        if a != b { all[Int(max(a, b))].parent = min(a, b) }
                        candidate += 1
                    }
                }
            }
            previous = first..<runs.count
        }
        // The root of each set is its earliest run, so roots come before their members.
        var components: [ComponentStatistics] = []
        var pixels: [ComponentPixels] = []
        runs.withUnsafeMutableBufferPointer { buffer in
            guard let all = buffer.baseAddress else { return }
            var slot = [Int32](repeating: -1, count: buffer.count)
            for index in 0..<buffer.count {
                let root = Int(find(all, Int32(index)))
                if slot[root] < 0 {
                    slot[root] = Int32(components.count)
                    components.append(ComponentStatistics())
                    if collectPixels { pixels.append(ComponentPixels()) }
                }
                let component = Int(slot[root])
                components[component].merge(all[index].sums)
                if collectPixels {
                    pixels[component].runs.append(.init(row: all[index].row, start: all[index].start, end: all[index].end))
                }
            }
        }
        return (components, pixels)
    }
}
