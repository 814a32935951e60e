import AffordCore
import AffordEngine
import AffordPostprocess

/// What a taught probe reads at each patch: the backbone's token, then the head's map of every
/// vocabulary action there (min-max normalised on the grid). The head learnt parts from many
/// renders; the probe learns which of its maps, and which token directions, mark the taught part.
///
/// Each map value is scaled by the token's norm and `headWeight`, so that after the probe's
/// unit normalisation of the whole row the maps weigh `headWeight` against the token's direction.
enum ProbeFeatures {
    /// Chosen on the validation render seed (32), not the scored one; 0.1, 0.5 and 1 did worse
    /// (README, "Teaching a part").
    static let headWeight: Float = 0.3

    /// `tokens` with one channel per map appended; `headMaps` are on the tokens' grid, in the
    /// head's vocabulary order.
    static func make(tokens: PatchTokens, headMaps: [ActionMap]) throws -> PatchTokens {
        let positions = tokens.side * tokens.side
        guard tokens.values.count == positions * tokens.dim,
              headMaps.allSatisfy({ $0.map.width == tokens.side && $0.map.height == tokens.side }) else {
            throw AffordError(.invalidInput, "taught probe features: head maps do not match the \(tokens.side)×\(tokens.side) token grid")
        }
        let maps = headMaps.map { HeatmapPostprocessor.normalised($0.map).values }
        let width = tokens.dim + maps.count
        var values = [Float](repeating: 0, count: positions * width)
        for position in 0..<positions {
            let token = tokens.values[(position * tokens.dim)..<((position + 1) * tokens.dim)]
            let norm = token.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            let row = position * width
            for (offset, value) in token.enumerated() { values[row + offset] = value }
            for (channel, map) in maps.enumerated() { values[row + tokens.dim + channel] = headWeight * norm * map[position] }
        }
        return PatchTokens(side: tokens.side, dim: width, values: values)
    }
}
