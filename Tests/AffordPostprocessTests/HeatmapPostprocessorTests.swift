import AffordCore
import Testing
@testable import AffordPostprocess

@Suite struct HeatmapPostprocessorTests {
    /// Two blobs on a 10x6 map: a heavy one on the left and a light one on the right.
    static func twoBlobs() -> Heatmap {
        var map = Heatmap(width: 10, height: 6)
        map[1, 1] = 4; map[2, 1] = 4; map[1, 2] = 4; map[2, 2] = 8  // mass 20, centroid (1.6, 1.6)
        map[7, 4] = 5; map[8, 4] = 5                                 // mass 10, centroid (7.5, 4)
        return map
    }

    @Test func componentsAreRankedByMassWithWeightedCentroids() throws {
        let post = HeatmapPostprocessor(settings: PostprocessSettings(relativeThreshold: 0.4, minArea: 1, maxComponents: 5))
        let result = post.process(ActionMap(action: "hold", map: Self.twoBlobs()), frameWidth: 10, frameHeight: 6)
        #expect(result.components.count == 2)
        let first = try #require(result.components.first)
        #expect(abs(first.u - 1.6) < 1e-6 && abs(first.v - 1.6) < 1e-6)
        #expect(first.area == 4)
        #expect(abs(first.peak - 1) < 1e-6)
        #expect(abs(first.mean - 0.625) < 1e-6)  // (0.5*3 + 1) / 4
        let second = result.components[1]
        #expect(abs(second.u - 7.5) < 1e-6 && abs(second.v - 4) < 1e-6 && second.area == 2)
    }

    /// The 16-lane normalisation against the plain definition, on a size with a scalar tail.
    @Test func normalisedMatchesThePlainDefinition() {
        var map = Heatmap(width: 37, height: 5)
        for i in map.values.indices { map.values[i] = Float((i * 29) % 41) * 0.37 - 3 }
        let low = map.values.min() ?? 0, high = map.values.max() ?? 0
        let scale = 1 / (high - low + MinMaxNormalisation.epsilon)
        #expect(HeatmapPostprocessor.normalised(map).values == map.values.map { ($0 - low) * scale })
    }

    @Test func thresholdMinAreaAndTopNFilter() {
        let map = Self.twoBlobs()
        // 0.6 of the peak keeps only the 8 (normalised 1.0) and the 5s (0.625).
        let strict = HeatmapPostprocessor.components(of: HeatmapPostprocessor.normalised(map),
                                                     relativeThreshold: 0.6, minArea: 1, keep: 5)
        #expect(strict.map(\.area) == [2, 1])
        let big = HeatmapPostprocessor.components(of: HeatmapPostprocessor.normalised(map),
                                                  relativeThreshold: 0.4, minArea: 3, keep: 5)
        #expect(big.map(\.area) == [4])
        let one = HeatmapPostprocessor.components(of: HeatmapPostprocessor.normalised(map),
                                                  relativeThreshold: 0.4, minArea: 1, keep: 1)
        #expect(one.count == 1 && one[0].area == 4)
    }

    @Test func anActionBelowTheMinimumPresenceKeepsItsHeatmapButLosesItsComponents() {
        let post = HeatmapPostprocessor(settings: PostprocessSettings(relativeThreshold: 0.4, minPresence: 0.3))
        let absent = post.process(ActionMap(action: "cut", map: Self.twoBlobs(), presence: 0.29), frameWidth: 10, frameHeight: 6)
        #expect(absent.components.isEmpty)
        #expect(absent.presence == 0.29)
        #expect(absent.heatmap == HeatmapPostprocessor.normalised(Self.twoBlobs()))
        let present = post.process(ActionMap(action: "cut", map: Self.twoBlobs(), presence: 0.3), frameWidth: 10, frameHeight: 6)
        #expect(present.components.count == 2)
        let unknown = post.process(ActionMap(action: "cut", map: Self.twoBlobs()), frameWidth: 10, frameHeight: 6)
        #expect(unknown.components.count == 2 && unknown.presence == nil)
    }

    /// Enter at min_presence, leave below presence_release, per camera: a presence that
    /// hovers between the two keeps whatever the previous frame showed.
    @Test func presenceHysteresisHoldsAnActionBetweenReleaseAndMinimum() {
        let settings = PostprocessSettings(minPresence: 0.15, releasePresence: 0.10)
        var hysteresis = PresenceHysteresis()
        let front = [0.12, 0.20, 0.12, 0.10, 0.08, 0.12, 0.15].map { Float($0) }.map {
            hysteresis.showsComponents("cut", presence: $0, on: "front", settings: settings)
        }
        #expect(front == [false, true, true, true, false, false, true])
        // Another camera, and another action, start from their own state.
        let wrist = hysteresis.showsComponents("cut", presence: 0.12, on: "wrist", settings: settings)
        let hold = hysteresis.showsComponents("hold", presence: 0.12, on: "front", settings: settings)
        let noPresenceLayer = hysteresis.showsComponents("cut", presence: nil, on: "wrist", settings: settings)
        #expect(!wrist && !hold && noPresenceLayer)

        let post = HeatmapPostprocessor(settings: settings)
        let held = post.process(ActionMap(action: "cut", map: Self.twoBlobs(), presence: 0.12), frameWidth: 10, frameHeight: 6,
                                showsComponents: true)
        #expect(held.components.count == 2)
        #expect(PostprocessSettings(minPresence: 0.05).releasePresence == 0.05)  // never above the minimum
    }

    @Test func flatMapHasNoComponents() {
        let post = HeatmapPostprocessor(settings: PostprocessSettings())
        let result = post.process(ActionMap(action: "cut", map: Heatmap(width: 4, height: 4, repeating: 3)),
                                  frameWidth: 8, frameHeight: 8)
        #expect(result.components.isEmpty)
        #expect(result.heatmap.values.allSatisfy { $0 == 0 })
    }

    @Test func upsamplesToFrameAndMapsOutputSizeBackToFramePixels() throws {
        // One hot cell in the middle of a 16x16 grid; the centroid must land at its centre in any size.
        var raw = Heatmap(width: 16, height: 16)
        raw[4, 10] = 1
        let frame = HeatmapPostprocessor(settings: PostprocessSettings(relativeThreshold: 0.5))
            .process(ActionMap(action: "a", map: raw), frameWidth: 640, frameHeight: 480)
        #expect(frame.heatmap.width == 640 && frame.heatmap.height == 480)
        let atFrame = try #require(frame.components.first)
        #expect(abs(atFrame.u - 4.5 * 40 + 0.5) < 0.6 && abs(atFrame.v - 10.5 * 30 + 0.5) < 0.6)

        let small = HeatmapPostprocessor(settings: PostprocessSettings(relativeThreshold: 0.5, outputWidth: 160, outputHeight: 120))
            .process(ActionMap(action: "a", map: raw), frameWidth: 640, frameHeight: 480)
        #expect(small.heatmap.width == 160)
        let atOutput = try #require(small.components.first)
        #expect(abs(atOutput.u - atFrame.u) < 1.0 && abs(atOutput.v - atFrame.v) < 1.0)
    }
}
