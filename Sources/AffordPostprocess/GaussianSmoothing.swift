import AffordCore
import CAffordMath

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A separable Gaussian blur with edge pixels repeated outwards.
///
/// The merged maps are bilinear upsamplings of a coarse patch grid, with a crease along every
/// cell edge; AGD20K's GT is a blurred part mask. A blur of a few frame pixels brings the two
/// shapes together (docs/DEFAULT_MODEL.md, "Region contrast"). `smooth` runs at the CPU's
/// vector width; `reference` is its plain two-dimensional twin.
public enum GaussianSmoothing {
    /// The normalised taps from -radius to radius, radius = ⌈3σ⌉; a single 1 for σ ≤ 0.
    public static func kernel(sigma: Double) -> [Float] {
        guard sigma > 0, sigma.isFinite else { return [1] }
        let radius = Int((3 * sigma).rounded(.up))
        let raw: [Float] = (-radius...radius).map { offset in
            let squared = Double(offset * offset)
            return Float(exp(-squared / (2 * sigma * sigma)))
        }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// Blurs `map` in place: rows, then columns.
    public static func smooth(_ map: inout Heatmap, sigma: Double) {
        let taps = kernel(sigma: sigma)
        guard taps.count > 1, map.width > 0, map.height > 0 else { return }
        let radius = taps.count / 2, width = map.width, height = map.height
        var across = [Float](repeating: 0, count: width * height)
        var padded = [Float](repeating: 0, count: width + 2 * radius)
        // The rows each output row sums, reused from row to row (no allocation per row).
        var rows = [UnsafePointer<Float>?](repeating: nil, count: taps.count)
        map.values.withUnsafeBufferPointer { source in
            across.withUnsafeMutableBufferPointer { across in
                padded.withUnsafeMutableBufferPointer { padded in
                    rows.withUnsafeMutableBufferPointer { rows in
                        guard let source = source.baseAddress, let across = across.baseAddress,
                              let padded = padded.baseAddress else { return }
                        for k in taps.indices { rows[k] = UnsafePointer(padded + k) }
                        for y in 0..<height {
                            // The row with its edge pixels repeated `radius` times outwards.
                            let row = source + y * width
                            padded.update(repeating: row[0], count: radius)
                            (padded + radius).update(from: row, count: width)
                            (padded + radius + width).update(repeating: row[width - 1], count: radius)
                            weightedSum(rows: rows, taps: taps, into: across + y * width, count: width)
                        }
                    }
                }
            }
        }
        across.withUnsafeBufferPointer { across in
            map.values.withUnsafeMutableBufferPointer { target in
                rows.withUnsafeMutableBufferPointer { rows in
                    guard let across = across.baseAddress, let target = target.baseAddress else { return }
                    for y in 0..<height {
                        for k in taps.indices { rows[k] = across + max(0, min(height - 1, y + k - radius)) * width }
                        weightedSum(rows: rows, taps: taps, into: target + y * width, count: width)
                    }
                }
            }
        }
    }

    static let level = afm_best_level()

    /// Blurs only `window` (map pixels, clipped to the map) as if it were the whole map: its
    /// edge pixels repeat outwards. Zoom's maps need it only around the regions.
    public static func smooth(_ map: inout Heatmap, sigma: Double, window: RegionBox) {
        let left = max(0, window.x), top = max(0, window.y)
        let right = min(map.width, window.x + window.width), bottom = min(map.height, window.y + window.height)
        guard right > left, bottom > top else { return }
        if left == 0, top == 0, right == map.width, bottom == map.height { return smooth(&map, sigma: sigma) }
        let width = right - left
        var part = Heatmap(width: width, height: bottom - top)
        for y in top..<bottom {
            part.values.replaceSubrange((y - top) * width..<(y - top + 1) * width,
                                        with: map.values[(y * map.width + left)..<(y * map.width + right)])
        }
        smooth(&part, sigma: sigma)
        for y in top..<bottom {
            map.values.replaceSubrange((y * map.width + left)..<(y * map.width + right),
                                       with: part.values[(y - top) * width..<(y - top + 1) * width])
        }
    }

    /// `target[x] = Σ taps[k] · rows[k][x]`, summed in tap order (`afm_weighted_rows`, AVX-512 here).
    static func weightedSum(rows: UnsafeMutableBufferPointer<UnsafePointer<Float>?>, taps: [Float],
                            into target: UnsafeMutablePointer<Float>, count: Int) {
        afm_weighted_rows(level, rows.baseAddress, taps, Int32(taps.count), target, Int32(count))
    }

    /// The plain definition: every output pixel the double sum over the kernel's outer product,
    /// with clamped coordinates.
    public static func reference(_ map: Heatmap, sigma: Double) -> Heatmap {
        let taps = kernel(sigma: sigma), radius = taps.count / 2
        var out = map
        for y in 0..<map.height {
            for x in 0..<map.width {
                var sum: Float = 0
                for dy in -radius...radius {
                    var row: Float = 0
                    for dx in -radius...radius {
                        row += taps[dx + radius] * map[max(0, min(map.width - 1, x + dx)), max(0, min(map.height - 1, y + dy))]
                    }
                    sum += taps[dy + radius] * row
                }
                out[x, y] = sum
            }
        }
        return out
    }
}
