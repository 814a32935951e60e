import AffordCore
import Testing
@testable import AffordPostprocess

/// Regions from a synthetic whole-frame map with known objects.
@Suite struct RegionProposerTests {
    /// A 16×16 map that is 1 on `cells` and 0 elsewhere.
    static func map(_ cells: [(x: Int, y: Int)], value: Float = 1, action: String = "hold", presence: Float? = nil) -> ActionMap {
        var map = Heatmap(width: 16, height: 16)
        for cell in cells { map[cell.x, cell.y] = value }
        return ActionMap(action: action, map: map, presence: presence)
    }

    @Test func aBlobBecomesASquareMarginTimesItsSizeCentredOnIt() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true, maxRegions: 3, margin: 3, minRegionPixels: 14))
        // Cells x 7...8, y 4: at 640×480 a cell is 40×30 pixels, so the blob spans x 280..<360, y 120..<150.
        let boxes = proposer.propose([Self.map([(7, 4), (8, 4)])], frameWidth: 640, frameHeight: 480)
        #expect(boxes == [RegionBox(x: 200, y: 15, width: 240, height: 240)])
    }

    @Test func boxesAtTheBorderAreShiftedInsideAndNeverExceedTheShorterSide() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true, maxRegions: 4, margin: 3, minRegionPixels: 100))
        for (width, height) in [(640, 480), (333, 217), (90, 400), (1280, 720)] {
            for cell in [(0, 0), (15, 15), (0, 15), (15, 0)] {
                let boxes = proposer.propose([Self.map([cell])], frameWidth: width, frameHeight: height)
                #expect(boxes.count == 1)
                for box in boxes {
                    #expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
                            "\(box) outside \(width)x\(height)")
                    #expect(box.width == box.height && box.width <= min(width, height))
                    #expect(box.width >= min(100, min(width, height)))
                }
            }
        }
        // A blob the size of the frame gets the largest square there is (one cell is 0: a
        // constant map has no object in it).
        let all = (0..<16).flatMap { x in (0..<16).map { (x, $0) } }.filter { $0 != (7, 7) }
        #expect(proposer.propose([Self.map(all)], frameWidth: 640, frameHeight: 480)
            == [RegionBox(x: 80, y: 0, width: 480, height: 480)])
    }

    @Test func theStrongestObjectsComeFirstWeightedByPresenceAndAtMostMaxRegions() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true, maxRegions: 2, margin: 1, minRegionPixels: 14))
        let small = Self.map([(1, 1)], action: "cut", presence: 0.9)
        let large = Self.map([(10, 10), (11, 10), (10, 11), (11, 11)], action: "hold", presence: 0.9)
        let third = Self.map([(13, 2)], action: "pour", presence: 0.5)
        let boxes = proposer.propose([small, large, third], frameWidth: 160, frameHeight: 160)
        // The small blob spans 10..<20: its 14-pixel minimum square is centred there.
        #expect(boxes == [RegionBox(x: 100, y: 100, width: 20, height: 20), RegionBox(x: 8, y: 8, width: 14, height: 14)])
        // An action that is not in view (presence 0) proposes nothing.
        let gated = proposer.propose([Self.map([(3, 3)], presence: 0), large], frameWidth: 160, frameHeight: 160)
        #expect(gated == [RegionBox(x: 100, y: 100, width: 20, height: 20)])
    }

    @Test func objectsOnlyTheVocabularyFindsFollowTheRequestedOnesUpToMaxRegions() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true, maxRegions: 2, margin: 1, minRegionPixels: 14))
        // At 160×160 a cell is 10 pixels. "hold" lights a marker at (2, 2); "scoop" lights the
        // marker faintly, a spoon at (8, 8) strongly, and a third object at (13, 13).
        let hold = Self.map([(2, 2)], action: "hold", presence: 0.9)
        var scoopMap = Heatmap(width: 16, height: 16)
        (scoopMap[2, 2], scoopMap[8, 8], scoopMap[9, 8], scoopMap[13, 13]) = (0.6, 1, 1, 0.9)
        let scoop = ActionMap(action: "scoop", map: scoopMap, presence: 0.9)
        let marker = RegionBox(x: 18, y: 18, width: 14, height: 14), spoon = RegionBox(x: 80, y: 75, width: 20, height: 20)
        #expect(proposer.propose([hold], frameWidth: 160, frameHeight: 160) == [marker])
        // The requested action's object comes first even though the spoon has more mass; the
        // vocabulary's own box on the marker is the same object, and the cap drops the third.
        #expect(proposer.propose([hold], alsoFrom: [hold, scoop], frameWidth: 160, frameHeight: 160) == [marker, spoon])
        var three = proposer
        three.settings.maxRegions = 3
        #expect(three.propose([hold], alsoFrom: [hold, scoop], frameWidth: 160, frameHeight: 160)
            == [marker, spoon, RegionBox(x: 128, y: 128, width: 14, height: 14)])
    }

    @Test func weakerPatchesConnectedToASeedWidenItsBoxButNeverMakeAnObjectOfTheirOwn() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true, maxRegions: 3, margin: 1, minRegionPixels: 14))
        // A seed at x 2 with a tail at 0.3 of its peak out to x 5 (a rim lit on one side), and a
        // separate 0.3 blob at (12, 12) with no seed: at 160×160 a cell is 10 pixels.
        var map = Heatmap(width: 16, height: 16)
        map[2, 8] = 1
        for x in 3...5 { map[x, 8] = 0.3 }
        map[12, 12] = 0.3
        let boxes = proposer.propose([ActionMap(action: "hold", map: map)], frameWidth: 160, frameHeight: 160)
        #expect(boxes == [RegionBox(x: 20, y: 65, width: 40, height: 40)])
        // Below the extent share (0.25 of the peak) the tail is no part of the object.
        for x in 3...5 { map[x, 8] = 0.2 }
        #expect(proposer.propose([ActionMap(action: "hold", map: map)], frameWidth: 160, frameHeight: 160)
            == [RegionBox(x: 18, y: 78, width: 14, height: 14)])
    }

    @Test func aRegionInsideAStrongerOneIsDropped() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true, maxRegions: 3, margin: 4, minRegionPixels: 14))
        // Two blobs a cell apart: the weaker one's square lies mostly inside the stronger one's.
        let map = Self.map([(5, 5), (6, 5), (5, 6), (6, 6)])
        var values = map.map
        values[8, 5] = 0.6
        let boxes = proposer.propose([ActionMap(action: "hold", map: values)], frameWidth: 160, frameHeight: 160)
        #expect(boxes.count == 1)
    }

    @Test func flatOrEmptyMapsProposeNothing() {
        let proposer = RegionProposer(settings: ZoomSettings(enabled: true))
        #expect(proposer.propose([], frameWidth: 640, frameHeight: 480).isEmpty)
        #expect(proposer.propose([Self.map([])], frameWidth: 640, frameHeight: 480).isEmpty)
    }
}
