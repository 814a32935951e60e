import AffordCore

/// Backbone + head behind AffordCore's `AffordanceGrounder`: one backbone pass per
/// frame serves every action the head knows.
public final class GroundingEngine: AffordanceGrounder, @unchecked Sendable {
    public let vocabulary: [String]
    public let modelID: String
    public let inputSize: Int
    public let backbone: Backbone
    /// Whether the engine's threads each have a core of their own (`ComputePool.isPinned`).
    public var threadsPinned: Bool { backbone.pool.isPinned }
    let head: AffordanceHead
    private let preprocessor: Preprocessor
    private let actionIndex: [String: Int]

    /// Loads both files; `threads` nil means one per core, `inputSize` nil the size the head was
    /// exported for; `pinThreads` gives each engine thread a core of its own (`ComputePool`).
    public convenience init(backbonePath: String, headPath: String, precision: Precision = .int8, threads: Int? = nil,
                            inputSize: Int? = nil, pinThreads: Bool = false) throws {
        let pool = try ComputePool(threads: threads, pinned: pinThreads)
        try self.init(
            backbone: Backbone(path: backbonePath, precision: precision, pool: pool),
            head: AffordanceHead(path: headPath, precision: precision, pool: pool), inputSize: inputSize)
    }

    /// The head is convolutional and the position embeddings interpolate, so any multiple of the
    /// patch size runs: a larger input gives an overview camera's small objects more patches.
    public init(backbone: Backbone, head: AffordanceHead, inputSize: Int? = nil) throws {
        let config = head.config
        guard config.embedDim == backbone.config.embedDim else {
            throw AffordError(.invalidModel, "head expects \(config.embedDim)-wide features, backbone makes \(backbone.config.embedDim)")
        }
        guard config.backboneHash == backbone.sourceHash else {
            throw AffordError(.invalidModel, "head '\(config.modelID)' was trained on backbone \(config.backboneHash.prefix(12)), loaded backbone is \(backbone.sourceHash.prefix(12))")
        }
        let size = inputSize ?? config.inputSize
        _ = try backbone.grid(height: size, width: size)
        self.backbone = backbone
        self.head = head
        vocabulary = config.actions
        modelID = config.modelID
        self.inputSize = size
        preprocessor = Preprocessor(mean: backbone.config.imageMean, std: backbone.config.imageStd)
        actionIndex = Dictionary(uniqueKeysWithValues: config.actions.enumerated().map { ($1, $0) })
    }

    /// Raw maps on the patch grid, in the order asked; an empty list asks for the whole vocabulary.
    public func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        try forward(image, actions: actions, keepTokens: false).maps
    }

    /// Like `ground`, and also returns the backbone's patch tokens (for demonstration prototypes).
    public func groundKeepingTokens(_ image: RGBImage, actions: [String]) throws -> (maps: [ActionMap], tokens: PatchTokens) {
        let result = try forward(image, actions: actions, keepTokens: true)
        return (result.maps, result.tokens ?? PatchTokens(side: 0, dim: 0, values: []))
    }

    /// Several images in one backbone pass (`batch·tokens` GEMM rows), then the head on each:
    /// what zoom's regions take, at `inputSize` a side (nil: the engine's). Results are in image
    /// order, maps in the order asked.
    public func ground(batch images: [RGBImage], inputSize batchSize: Int?, actions: [String]) throws -> [[ActionMap]] {
        guard !images.isEmpty else { return [] }
        let (wanted, channels) = try channels(for: actions)
        let size = batchSize ?? inputSize
        let tokensPerImage = 1 + (size / backbone.config.patchSize) * (size / backbone.config.patchSize)
        let imageFloats = tokensPerImage * backbone.config.embedDim
        return try backbone.run(height: size, width: size, batch: images.count, fill: { index, input in
            preprocessor.fill(images[index], width: size, height: size, into: input)
        }, consume: { tokens in
            try images.indices.map { index in
                try maps(tokens: UnsafeBufferPointer(rebasing: tokens[(index * imageFloats)..<((index + 1) * imageFloats)]),
                         side: size / backbone.config.patchSize, wanted: wanted, channels: channels, keepTokens: false).maps
            }
        })
    }

    private func forward(_ image: RGBImage, actions: [String], keepTokens: Bool) throws -> (maps: [ActionMap], tokens: PatchTokens?) {
        let (wanted, channels) = try channels(for: actions)
        let size = inputSize
        return try backbone.run(height: size, width: size, fill: { input in
            preprocessor.fill(image, width: size, height: size, into: input)
        }, consume: { tokens in
            try maps(tokens: tokens, side: size / backbone.config.patchSize, wanted: wanted, channels: channels,
                     keepTokens: keepTokens)
        })
    }

    /// The requested action names and their head channels; an empty list asks for the whole vocabulary.
    private func channels(for actions: [String]) throws -> (wanted: [String], channels: [Int]) {
        let wanted = actions.isEmpty ? vocabulary : actions
        let channels = try wanted.map { name in
            guard let index = actionIndex[name] else {
                throw AffordError(.invalidInput, "unknown action '\(name)'; model '\(modelID)' knows \(vocabulary)")
            }
            return index
        }
        return (wanted, channels)
    }

    /// The head on one image's `[tokens, dim]` backbone output (class token first, then a
    /// `side`×`side` patch grid).
    private func maps(tokens: UnsafeBufferPointer<Float>, side: Int, wanted: [String], channels: [Int],
                      keepTokens: Bool) throws -> (maps: [ActionMap], tokens: PatchTokens?) {
        let dim = backbone.config.embedDim
        let k = vocabulary.count
        guard let base = tokens.baseAddress, tokens.count >= (1 + side * side) * dim else {
            throw AffordError(.invalidInput, "backbone output has \(tokens.count) floats, expected \((1 + side * side) * dim)")
        }
        // Skip the class token: the head sees the patch grid only.
        let patches = base + dim
        let kept = keepTokens
            ? PatchTokens(side: side, dim: dim, values: Array(UnsafeBufferPointer(start: patches, count: side * side * dim)))
            : nil
        let maps = head.forward(patches, rows: side, columns: side) { logits, presence in
            channels.enumerated().map { slot, channel in
                var values = [Float](repeating: 0, count: side * side)
                for position in 0..<(side * side) { values[position] = logits[position * k + channel] }
                return ActionMap(action: wanted[slot], map: Heatmap(width: side, height: side, values: values),
                                 presence: presence?[channel])
            }
        }
        return (maps, kept)
    }
}

/// Final-layernorm patch tokens of one backbone pass: `side`x`side` rows of `dim` floats, grid row-major.
public struct PatchTokens: Sendable, Equatable {
    public var side: Int
    public var dim: Int
    public var values: [Float]

    public init(side: Int, dim: Int, values: [Float]) {
        self.side = side
        self.dim = dim
        self.values = values
    }
}
