import AffordCore
import AffordEngine
import Foundation
import Testing

@testable import AffordDaemon

/// The pure pieces: pose checks, contact anchors, prototype pooling and affinity, on tokens
/// built by hand so the right answer is known.
@Suite struct DemonstrationPrototypeTests {
    /// An upright person, right forearm pointing right: elbow (60, 40) -> wrist (80, 40).
    static func pose(score: Double = 0.9) throws -> CocoPose {
        let points: [String: (Double, Double)] = [
            "nose": (30, 10), "left_eye": (28, 7), "right_eye": (32, 7), "left_ear": (25, 8), "right_ear": (35, 8),
            "left_shoulder": (22, 25), "right_shoulder": (40, 25), "left_elbow": (18, 45), "right_elbow": (60, 40),
            "left_wrist": (16, 62), "right_wrist": (80, 40), "left_hip": (24, 70), "right_hip": (38, 70),
            "left_knee": (24, 95), "right_knee": (38, 95), "left_ankle": (24, 118), "right_ankle": (38, 118),
        ]
        return try CocoPose(triples: CocoPose.names.map { name in
            let p = points[name] ?? (0, 0)
            return [p.0, p.1, name == "left_wrist" ? 0.1 : score]
        }, frameWidth: 160, frameHeight: 128)
    }

    @Test func poseChecksShapeAndValues() {
        func pose(_ triples: [[Double]]) throws -> CocoPose { try CocoPose(triples: triples, frameWidth: 64, frameHeight: 48) }
        #expect(throws: AffordError.self) { try pose(Array(repeating: [1, 2, 0.9], count: 16)) }
        #expect(throws: AffordError.self) { try pose(Array(repeating: [1, .nan, 0.9], count: 17)) }
        #expect(throws: AffordError.self) { try pose(Array(repeating: [1, 2], count: 17)) }
        #expect(throws: AffordError.self) { try pose(Array(repeating: [1, 2, 3], count: 17)) }  // score past 1
    }

    /// The request that used to trap: a used keypoint far outside the frame reached an Int conversion.
    @Test func usedKeypointsMustLieInTheFrame() throws {
        var triples = Array(repeating: [10.0, 10.0, 0.9], count: 17)
        triples[0] = [1e30, 1e30, 0.9]
        #expect(throws: AffordError.self) { try CocoPose(triples: triples, frameWidth: 64, frameHeight: 48) }
        triples[0] = [128.5, 10, 0.9]
        #expect(throws: AffordError.self) { try CocoPose(triples: triples, frameWidth: 64, frameHeight: 48) }
        triples[0] = [-5, 60, 0.9]  // just past the edge, as estimators place joints: kept
        #expect(try CocoPose(triples: triples, frameWidth: 64, frameHeight: 48).point("nose") == SIMD2(-5, 60))
        // Below the score threshold a keypoint is missing, wherever the estimator guessed it.
        triples[0] = [1e30, -1e30, 0.1]
        let pose = try CocoPose(triples: triples, frameWidth: 64, frameHeight: 48)
        #expect(pose.point("nose") == nil)
        #expect(pose.point("left_eye") == SIMD2(10, 10))
    }

    @Test func anchorsFollowTheToolchainRules() throws {
        let pose = try Self.pose()
        // Hand: past the visible (right) wrist by 0.35 forearms; the left wrist's score is too low.
        #expect(ContactKind.hands.anchors(pose) == [SIMD2(87, 40)])
        #expect(ContactKind.outside.anchors(pose).map(\.x) == [100, 112, 128, 144])
        #expect(ContactKind.feet.anchors(pose).allSatisfy { $0.y > 118 })
        #expect(ContactKind.hips.anchors(pose).count == 3)
        #expect(ContactKind.mouth.anchors(pose).first.map { $0.y > 10 } == true)
        #expect(ContactKind.forAction("hold") == .hands && ContactKind.forAction("kick") == .feet)
        #expect(ContactKind.forAction("sit_on") == .hips && ContactKind.forAction("cut") == .outside)
        let hidden = try Self.pose(score: 0.1)
        #expect(throws: AffordError.self) {
            try DemonstrationPrototype.contactWeights(pose: hidden, kind: .hands, frameWidth: 160, frameHeight: 160, side: 8)
        }
    }

    /// 8x8 tokens of width 4: background along e0 (with a little variation), `part` cells along e1,
    /// `arm` cells along e2.
    static func tokens(part: [(Int, Int)], arm: [(Int, Int)] = []) -> PatchTokens {
        var values = [Float]()
        for y in 0..<8 {
            for x in 0..<8 {
                if part.contains(where: { $0 == (x, y) }) { values += [0.2, 1, 0, 0] }
                else if arm.contains(where: { $0 == (x, y) }) { values += [0.2, 0, 1, 0] }
                else { values += [1, 0, 0, Float((x * 7 + y * 3) % 5) * 0.05] }
            }
        }
        return PatchTokens(side: 8, dim: 4, values: values)
    }

    @Test func prototypeOfTheHandRegionFindsThatPartElsewhere() throws {
        // Frame 160x160 -> 20 px per cell; the hand anchor (87, 40) is cell (4, 2).
        let demo = Self.tokens(part: [(4, 2), (5, 2), (4, 1)], arm: [(3, 2), (2, 2)])
        let prototype = try DemonstrationPrototype(action: "hold", kind: .hands, pose: try Self.pose(),
                                                   frameWidth: 160, frameHeight: 160, tokens: demo)
        #expect(prototype.kind == .hands && prototype.vector.count == 4)
        #expect(prototype.vector[1] > 2 * abs(prototype.vector[2]), "the arm leaked into the prototype: \(prototype.vector)")
        let live = try prototype.affinity(Self.tokens(part: [(1, 6), (2, 6)]))
        let peak = try #require(live.values.indices.max { live.values[$0] < live.values[$1] })
        #expect([6 * 8 + 1, 6 * 8 + 2].contains(peak))
        #expect(live.values.enumerated().filter { ![49, 50].contains($0.offset) }.allSatisfy { $0.element < 0.2 * live.values[peak] })
        #expect(throws: AffordError.self) { try prototype.affinity(PatchTokens(side: 2, dim: 3, values: Array(repeating: 1, count: 12))) }
    }

    @Test func bookPersistsRefusesForeignFilesAndClears() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("book-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("state/demonstrations.json").path
        let book = try DemonstrationBook(path: path, backboneHash: "abc")
        try book.record(DemonstrationPrototype(action: "hold", kind: .hands, vector: [0, 1]))
        try book.record(DemonstrationPrototype(action: "kick", kind: .feet, vector: [1, 0]))
        #expect(try DemonstrationBook(path: path, backboneHash: "abc").actions == ["hold", "kick"])
        #expect(throws: AffordError.self) { try DemonstrationBook(path: path, backboneHash: "other") }
        #expect(try book.clear(["kick", "nothing"]) == ["kick"])
        #expect(try DemonstrationBook(path: path, backboneHash: "abc").prototype(for: "hold")?.kind == .hands)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AffordError.self) { try DemonstrationBook(path: path, backboneHash: "abc") }
    }
}
