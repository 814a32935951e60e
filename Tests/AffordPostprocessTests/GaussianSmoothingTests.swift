import AffordCore
import AffordTestSupport
import Testing
@testable import AffordPostprocess

/// The 16-lane separable blur against its plain two-dimensional twin.
@Suite struct GaussianSmoothingTests {
    @Test(arguments: [(1, 1), (17, 5), (33, 40), (640, 8), (5, 64)], [0.5, 3.0, 7.5])
    func smoothMatchesTheReference(size: (Int, Int), sigma: Double) {
        var random = SplitMix64(seed: UInt64(size.0 * 1000 + size.1))
        let map = Heatmap(width: size.0, height: size.1,
                          values: (0..<(size.0 * size.1)).map { _ in Float.random(in: 0..<1, using: &random) })
        var smoothed = map
        GaussianSmoothing.smooth(&smoothed, sigma: sigma)
        let expected = GaussianSmoothing.reference(map, sigma: sigma)
        let worst = zip(smoothed.values, expected.values).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6, "\(size) σ \(sigma): \(worst)")
    }

    @Test func anImpulseSpreadsIntoTheKernelAndKeepsItsMass() {
        let taps = GaussianSmoothing.kernel(sigma: 2)
        #expect(taps.count == 13 && abs(taps.reduce(0, +) - 1) < 1e-6)
        var map = Heatmap(width: 31, height: 31)
        map[15, 15] = 1
        GaussianSmoothing.smooth(&map, sigma: 2)
        #expect(abs(map.values.reduce(0, +) - 1) < 1e-5)
        #expect(abs(map[15, 15] - taps[6] * taps[6]) < 1e-7 && abs(map[18, 14] - taps[9] * taps[5]) < 1e-7)
    }

    /// A window is blurred as a map of its own; outside it nothing moves.
    @Test func aWindowIsBlurredAloneAndTheRestStays() {
        var random = SplitMix64(seed: 9)
        let map = Heatmap(width: 40, height: 30, values: (0..<1200).map { _ in Float.random(in: 0..<1, using: &random) })
        var windowed = map
        GaussianSmoothing.smooth(&windowed, sigma: 1.5, window: RegionBox(x: 30, y: -4, width: 20, height: 14))
        var part = Heatmap(width: 10, height: 10)
        for y in 0..<10 { for x in 0..<10 { part[x, y] = map[30 + x, y] } }
        let expected = GaussianSmoothing.reference(part, sigma: 1.5)
        for y in 0..<30 {
            for x in 0..<40 {
                let want = x >= 30 && y < 10 ? expected[x - 30, y] : map[x, y]
                #expect(abs(windowed[x, y] - want) <= 1e-6, "(\(x), \(y))")
            }
        }
        var whole = map, full = map
        GaussianSmoothing.smooth(&whole, sigma: 1.5, window: RegionBox(x: 0, y: 0, width: 40, height: 30))
        GaussianSmoothing.smooth(&full, sigma: 1.5)
        #expect(whole == full)
    }

    @Test func aConstantStaysAndSigmaZeroIsTheIdentity() {
        var constant = Heatmap(width: 20, height: 9, repeating: 0.25)
        GaussianSmoothing.smooth(&constant, sigma: 4)
        #expect(constant.values.allSatisfy { abs($0 - 0.25) < 1e-6 })
        let map = Heatmap(width: 3, height: 2, values: [1, 2, 3, 4, 5, 6])
        var same = map
        GaussianSmoothing.smooth(&same, sigma: 0)
        #expect(same == map && GaussianSmoothing.kernel(sigma: .nan) == [1])
    }
}
