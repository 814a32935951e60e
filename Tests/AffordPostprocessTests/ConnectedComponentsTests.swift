import AffordCore
import AffordTestSupport
import Testing
@testable import AffordPostprocess

@Suite struct ConnectedComponentsTests {
    @Test func handCheckedMapUsesEightConnectivity() {
        // Two diagonally touching pixels join; the right-hand block and the lone pixel stay apart.
        let rows = [
            "X....XX",
            ".X...XX",
            ".....X.",
            "X......",
        ]
        let mask = rows.flatMap { $0.map { $0 == "X" } }
        let result = ConnectedComponents.label(mask, width: 7, height: 4)
        #expect(result.count == 3)
        #expect(result.labels[0] == 1 && result.labels[8] == 1)
        #expect(result.labels[5] == 2 && result.labels[19] == 2)
        #expect(result.labels[21] == 3)
        #expect(result.labels.filter { $0 == 0 }.count == 28 - 8)
    }

    @Test func uShapeMergesInSecondPass() {
        let rows = ["X.X", "X.X", "XXX"]
        let result = ConnectedComponents.label(rows.flatMap { $0.map { $0 == "X" } }, width: 3, height: 3)
        #expect(result.count == 1)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func randomMapsMatchScipy(seed: Int) throws {
        guard PythonOracle.has("scipy.ndimage") else {
            Issue.record("scipy is not installed; run make setup")
            return
        }
        var generator = SeededGenerator(seed: UInt64(seed))
        let width = Int.random(in: 5...60, using: &generator), height = Int.random(in: 5...60, using: &generator)
        let density = Double.random(in: 0.2...0.6, using: &generator)
        let mask = (0..<(width * height)).map { _ in Double.random(in: 0..<1, using: &generator) < density }
        struct Input: Encodable { var mask: [Int]; var width: Int; var height: Int }
        let script = """
        import json, sys, numpy as np
        from scipy import ndimage
        d = json.load(sys.stdin)
        m = np.array(d["mask"], dtype=bool).reshape(d["height"], d["width"])
        labels, count = ndimage.label(m, structure=np.ones((3, 3)))
        print(json.dumps({"labels": labels.ravel().tolist(), "count": int(count)}))
        """
        struct Output: Decodable { var labels: [Int32]; var count: Int }
        let reference = try PythonOracle.call(
            script, Input(mask: mask.map { $0 ? 1 : 0 }, width: width, height: height), as: Output.self)
        let ours = ConnectedComponents.label(mask, width: width, height: height)
        #expect(ours.count == reference.count)
        // Both number components in raster order of their first pixel, so labels agree exactly.
        #expect(ours.labels == reference.labels)
    }
}
