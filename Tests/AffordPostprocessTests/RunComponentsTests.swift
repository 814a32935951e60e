@testable import AffordCore
import Testing
@testable import AffordPostprocess

/// The run-based `components` against the pixel-labelling reference `labelledComponents`.
@Suite struct RunComponentsTests {
    /// Smoothed noise: many blobs of every shape, including ones that only merge rows later.
    static func noise(width: Int, height: Int, seed: UInt64) -> Heatmap {
        var state = seed
        var coarse = Heatmap(width: 9, height: 7)
        for i in coarse.values.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            coarse.values[i] = Float(state >> 40) / Float(1 << 24)
        }
        return HeatmapPostprocessor.normalised(Bilinear.resize(coarse, width: width, height: height))
    }

    static func expectSame(_ map: Heatmap, threshold: Float, minArea: Int = 1) {
        let fast = HeatmapPostprocessor.components(of: map, relativeThreshold: threshold, minArea: minArea, keep: 1000)
        let reference = HeatmapPostprocessor.labelledComponents(
            of: map, relativeThreshold: threshold, minArea: minArea, keep: 1000)
        #expect(fast.count == reference.count)
        for (a, b) in zip(fast, reference) {
            // Only the order of the float sums differs.
            #expect(a.area == b.area && a.peak == b.peak)
            #expect(abs(a.u - b.u) < 1e-9 && abs(a.v - b.v) < 1e-9 && abs(a.mean - b.mean) < 1e-6)
            // The runs derive their y sums from the x ones; the reference adds every pixel.
            if let sa = a.shape, let sb = b.shape {
                #expect(abs(sa.varianceU - sb.varianceU) < 1e-7 && abs(sa.varianceV - sb.varianceV) < 1e-7
                        && abs(sa.covarianceUV - sb.covarianceUV) < 1e-7)
            } else {
                Issue.record("a component without a shape: \(a), \(b)")
            }
        }
    }

    @Test(arguments: [0.2, 0.5, 0.7, 0.9] as [Float])
    func noiseMatchesReference(threshold: Float) {
        for seed in 1...4 as ClosedRange<UInt64> {
            Self.expectSame(Self.noise(width: 97, height: 61, seed: seed), threshold: threshold)
        }
    }

    @Test func minAreaFilterMatchesReference() {
        Self.expectSame(Self.noise(width: 64, height: 48, seed: 9), threshold: 0.6, minArea: 40)
    }

    /// Diagonal-only contacts, a U that joins at its bottom, single pixels, edges.
    @Test func shapesMatchReference() {
        let rows = [
            "#.#....#..#",
            ".#....#...#",
            "#.#..#....#",
            "....#..##.#",
            "#..#...##.#",
            "#.........#",
            "##########.",
        ]
        var map = Heatmap(width: rows[0].count, height: rows.count)
        for (y, row) in rows.enumerated() {
            for (x, c) in row.enumerated() where c == "#" { map[x, y] = Float(1 + (x * 7 + y * 3) % 5) }
        }
        Self.expectSame(map, threshold: 0.1)
        let fast = HeatmapPostprocessor.components(of: map, relativeThreshold: 0.1, minArea: 1, keep: 100)
        // The X, the diagonal stroke, the box, and the U whose sides meet only through a diagonal in the last row.
        #expect(fast.map(\.area).sorted() == [4, 5, 5, 18])
    }
}
