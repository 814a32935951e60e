import AffordCore
import AffordDaemon
import AffordEngine
import AffordTestSupport

/// `FakeGrounder`'s maps plus cheap "backbone" tokens (each grid cell's centre pixel), so
/// `demonstrate` runs the real prototype arithmetic without a model.
final class FuzzTokenGrounder: TokenGrounder, @unchecked Sendable {
    // @unchecked: the wrapped FakeGrounder locks its own state; the rest is immutable.
    /// FakeGrounder's grid: a taught probe reads the head's maps beside the tokens (`ProbeFeatures`).
    static let side = 16
    private let maps = FakeGrounder(vocabulary: ["hold", "cut", "pour"])
    let backboneHash = "affordd-fuzz"
    let tokenWidth = 4
    var vocabulary: [String] { maps.vocabulary }
    var modelID: String { maps.modelID }
    var inputSize: Int { maps.inputSize }

    func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        try maps.ground(image, actions: actions)
    }

    func groundKeepingTokens(_ image: RGBImage, actions: [String]) throws -> (maps: [ActionMap], tokens: PatchTokens) {
        let side = Self.side
        var values: [Float] = []
        values.reserveCapacity(side * side * 4)
        for gy in 0..<side {
            for gx in 0..<side {
                let x = (2 * gx + 1) * image.width / (2 * side), y = (2 * gy + 1) * image.height / (2 * side)
                let i = (y * image.width + x) * 3
                guard i + 2 < image.pixels.count else {
                    values += [0, 0, 0, 1]
                    continue
                }
                values += [Float(image.pixels[i]) / 255, Float(image.pixels[i + 1]) / 255, Float(image.pixels[i + 2]) / 255, 0.5]
            }
        }
        return (try ground(image, actions: actions), PatchTokens(side: side, dim: tokenWidth, values: values))
    }
}
