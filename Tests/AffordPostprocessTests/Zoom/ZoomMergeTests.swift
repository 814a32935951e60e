import AffordCore
import AffordTestSupport
import Testing
@testable import AffordPostprocess

/// Region maps land in frame pixels exactly: for any frame size, boxes at every border, and
/// canvases (output sizes) other than the frame's.
@Suite struct ZoomMergeTests {
    static let frames: [(width: Int, height: Int)] = [(640, 480), (333, 217), (100, 100), (1280, 720), (57, 203)]

    /// Boxes in the middle and flush with each border and corner.
    static func boxes(width: Int, height: Int) -> [RegionBox] {
        let side = max(1, min(width, height) / 3), big = min(width, height)
        return [
            RegionBox(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side),
            RegionBox(x: 0, y: 0, width: side, height: side),
            RegionBox(x: width - side, y: height - side, width: side, height: side),
            RegionBox(x: 0, y: height - side, width: side, height: side),
            RegionBox(x: width - big, y: 0, width: big, height: big),
            RegionBox(x: width - 1, y: height - 1, width: 1, height: 1),
        ]
    }

    static func randomMap(_ random: inout SplitMix64, width: Int = 16, height: Int = 16) -> Heatmap {
        Heatmap(width: width, height: height, values: (0..<(width * height)).map { _ in Float.random(in: -2..<2, using: &random) })
    }

    @Test func onAFrameSizedCanvasABoxHoldsExactlyTheResizedRegionMap() {
        var random = SplitMix64(seed: 3)
        for frame in Self.frames {
            for box in Self.boxes(width: frame.width, height: frame.height) {
                let regionMap = Self.randomMap(&random)
                let whole = ActionMap(action: "hold", map: Self.randomMap(&random))
                let merged = ZoomMerge.merge(
                    whole: whole, regions: [.init(box: box, map: ActionMap(action: "hold", map: regionMap))],
                    frameWidth: frame.width, frameHeight: frame.height,
                    canvasWidth: frame.width, canvasHeight: frame.height, outsideWeight: 0)
                let expected = Bilinear.resize(HeatmapPostprocessor.normalised(regionMap), width: box.width, height: box.height)
                var wrong = 0
                for y in 0..<frame.height {
                    for x in 0..<frame.width {
                        let inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height
                        let want = inside ? expected[x - box.x, y - box.y] : 0
                        if merged.map[x, y] != want { wrong += 1 }
                    }
                }
                #expect(wrong == 0, "frame \(frame), box \(box): \(wrong) pixels differ")
            }
        }
    }

    /// A ramp along x on the grid is linear under bilinear resampling (clamped at the ends), so
    /// every canvas pixel's value is known in closed form from where its centre falls in the box.
    @Test func onOtherCanvasSizesEachPixelSamplesTheBoxAtItsCentre() {
        let ramp = Heatmap(width: 16, height: 16, values: (0..<256).map { Float($0 % 16) })
        for frame in Self.frames {
            for canvas in [(frame.width / 4 + 1, frame.height / 4 + 1), (frame.width * 2, frame.height * 2), (224, 224)] {
                for box in Self.boxes(width: frame.width, height: frame.height) {
                    let merged = ZoomMerge.merge(
                        whole: ActionMap(action: "cut", map: Heatmap(width: 16, height: 16)),
                        regions: [.init(box: box, map: ActionMap(action: "cut", map: ramp))],
                        frameWidth: frame.width, frameHeight: frame.height,
                        canvasWidth: canvas.0, canvasHeight: canvas.1, outsideWeight: 0.3)
                    let toFrameX = Double(frame.width) / Double(canvas.0), toFrameY = Double(frame.height) / Double(canvas.1)
                    var worst = 0.0, misplaced = 0
                    for cy in 0..<canvas.1 {
                        for cx in 0..<canvas.0 {
                            let u = (Double(cx) + 0.5) * toFrameX - 0.5, v = (Double(cy) + 0.5) * toFrameY - 0.5
                            let value = Double(merged.map[cx, cy])
                            if box.contains(u: u, v: v) {
                                let position = max(0, (u - Double(box.x) + 0.5) * 16 / Double(box.width) - 0.5)
                                worst = max(worst, abs(value - min(position, 15) / 15))
                            } else if value != 0 {
                                misplaced += 1  // the whole map is constant: 0 after normalising
                            }
                        }
                    }
                    #expect(worst < 1e-5, "frame \(frame), canvas \(canvas), box \(box): off by \(worst)")
                    #expect(misplaced == 0, "frame \(frame), canvas \(canvas), box \(box): \(misplaced) pixels outside")
                }
            }
        }
    }

    @Test func outsideTheBoxesTheWholeFrameMapStaysAtItsWeightAndOverlapsTakeTheMax() {
        var random = SplitMix64(seed: 9)
        let whole = ActionMap(action: "hold", map: Self.randomMap(&random, width: 64, height: 48), presence: 0.2)
        let a = RegionBox(x: 10, y: 5, width: 20, height: 20), b = RegionBox(x: 20, y: 15, width: 20, height: 20)
        let mapA = Self.randomMap(&random), mapB = Self.randomMap(&random)
        let merged = ZoomMerge.merge(
            whole: whole, regions: [.init(box: a, map: ActionMap(action: "hold", map: mapA, presence: 0.9)),
                                    .init(box: b, map: ActionMap(action: "hold", map: mapB, presence: 0.45))],
            frameWidth: 64, frameHeight: 48, canvasWidth: 64, canvasHeight: 48, outsideWeight: 0.3)
        #expect(merged.presence == 0.9, "presence is the best region's")
        let base = HeatmapPostprocessor.normalised(whole.map)
        let pastedA = Bilinear.resize(HeatmapPostprocessor.normalised(mapA), width: 20, height: 20)
        let pastedB = Bilinear.resize(HeatmapPostprocessor.normalised(mapB), width: 20, height: 20)
        for y in 0..<48 {
            for x in 0..<64 {
                var want = 0.3 * base[x, y]
                if x >= 10, x < 30, y >= 5, y < 25 { want = max(want, pastedA[x - 10, y - 5]) }
                // B's crop is half as likely to show the action as A's: it counts half.
                if x >= 20, x < 40, y >= 15, y < 35 { want = max(want, 0.5 * pastedB[x - 20, y - 15]) }
                #expect(abs(merged.map[x, y] - want) <= 1e-6, "pixel (\(x), \(y))")
            }
        }
    }

    @Test func withoutRegionsTheWholeFrameMapIsReturnedUntouched() {
        var random = SplitMix64(seed: 1)
        let whole = ActionMap(action: "pour", map: Self.randomMap(&random), presence: 0.4)
        let merged = ZoomMerge.merge(whole: whole, regions: [], frameWidth: 640, frameHeight: 480,
                                     canvasWidth: 16, canvasHeight: 16, outsideWeight: 0.3)
        #expect(merged.map == whole.map && merged.presence == 0.4)
    }

    @Test func aCentroidBelongsToTheSmallestRegionAroundIt() {
        let big = RegionBox(x: 0, y: 0, width: 100, height: 100), small = RegionBox(x: 40, y: 40, width: 20, height: 20)
        #expect(ZoomMerge.region(containing: 50, 50, in: [big, small]) == small)
        #expect(ZoomMerge.region(containing: 10, 10, in: [big, small]) == big)
        #expect(ZoomMerge.region(containing: 120, 10, in: [big, small]) == nil)
        // Pixel centres: the box's first column is x = 40, its last x = 59.
        #expect(small.contains(u: 39.5, v: 50) && !small.contains(u: 59.5, v: 50))
    }
}
