import AffordCore
import AffordEngine
import Testing

@Suite struct PartProbeTests {
    /// Tokens along two directions: the part's patches point one way, the rest the other.
    static func tokens(side: Int, part: Set<Int>, dim: Int = 8) -> [Float] {
        (0..<(side * side)).flatMap { position -> [Float] in
            var row = [Float](repeating: 0.1, count: dim)
            row[part.contains(position) ? 0 : 1] = 3
            row[2] = Float(position % 5) * 0.2  // distractor variation
            return row
        }
    }

    @Test func separatesThePartFromTheRest() throws {
        let side = 6, part: Set<Int> = [7, 8, 13, 14]
        let example = PartProbe.Example(tokens: Self.tokens(side: side, part: part),
                                        target: (0..<36).map { part.contains($0) ? 1 : 0 },
                                        weight: [Float](repeating: 1, count: 36))
        let probe = try PartProbe.fit([example], dim: 8)
        // Elsewhere on a new grid.
        let moved: Set<Int> = [30, 31]
        let (map, presence) = try probe.map(PatchTokens(side: side, dim: 8, values: Self.tokens(side: side, part: moved)))
        let partScores = moved.map { map.values[$0] }
        let restScores = map.values.indices.filter { !moved.contains($0) }.map { map.values[$0] }
        #expect(partScores.min() ?? 0 > 0.9 && restScores.max() ?? 1 < 0.1)
        #expect(presence > 0.9)
    }

    @Test func examplesWithoutAPartOrWithoutBackgroundAreRefused() {
        let tokens = Self.tokens(side: 2, part: [])
        let none = PartProbe.Example(tokens: tokens, target: [0, 0, 0, 0], weight: [1, 1, 1, 1])
        let all = PartProbe.Example(tokens: tokens, target: [1, 1, 1, 1], weight: [1, 1, 1, 1])
        #expect(throws: AffordError.self) { try PartProbe.fit([none], dim: 8) }
        #expect(throws: AffordError.self) { try PartProbe.fit([all], dim: 8) }
        let short = PartProbe.Example(tokens: [1, 2, 3], target: [1, 0], weight: [1, 1])
        #expect(throws: AffordError.self) { try PartProbe.fit([short], dim: 8) }
    }

    @Test func aProbeOfAnotherWidthIsRefused() throws {
        let probe = PartProbe(weights: [1, 0], bias: 0)
        #expect(throws: AffordError.self) { try probe.map(PatchTokens(side: 1, dim: 3, values: [1, 2, 3])) }
    }
}
