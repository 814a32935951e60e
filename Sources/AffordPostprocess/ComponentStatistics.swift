import AffordCore

/// Score-weighted sums over one component's pixels (heatmap pixel centres): its centroid
/// and its shape's second moments both come from these.
struct ComponentStatistics: Sendable {
    var mass = 0.0, sumU = 0.0, sumV = 0.0
    var sumUU = 0.0, sumVV = 0.0, sumUV = 0.0
    var area = 0
    var peak: Float = 0

    mutating func add(score: Float, x: Int, y: Int) {
        let w = Double(score), u = Double(x), v = Double(y)
        mass += w
        sumU += w * u
        sumV += w * v
        sumUU += w * u * u
        sumVV += w * v * v
        sumUV += w * u * v
        area += 1
        peak = max(peak, score)
    }

    mutating func merge(_ other: ComponentStatistics) {
        mass += other.mass
        sumU += other.sumU
        sumV += other.sumV
        sumUU += other.sumUU
        sumVV += other.sumVV
        sumUV += other.sumUV
        area += other.area
        peak = max(peak, other.peak)
    }

    /// The component these sums describe, in heatmap pixels; needs `mass > 0`.
    var component: AffordanceComponent {
        AffordanceComponent(u: sumU / mass, v: sumV / mass, area: area, peak: peak, mean: Float(mass / Double(area)),
                            shape: ComponentShape(mass: mass, sumU: sumU, sumV: sumV,
                                                  sumUU: sumUU, sumVV: sumVV, sumUV: sumUV))
    }
}

/// Where one component's pixels are on the heatmap grid, as horizontal runs: what depth is
/// sampled over.
public struct ComponentPixels: Sendable, Equatable {
    struct Run: Sendable, Equatable {
        var row: Int32
        var start: Int32
        var end: Int32  // exclusive
    }

    var runs: [Run] = []

    var area: Int { runs.reduce(0) { $0 + Int($1.end - $1.start) } }
}
