import AffordCore
import Foundation

/// The DINOv2 ViT: patch embedding, transformer blocks, final LayerNorm.
///
/// A pure function of its weights and the input; buffers are allocated once per
/// input size and reused, so calls are serialised by their lock.
public final class Backbone: Sendable {
    public let config: BackboneConfig
    let precision: Precision
    /// `source_sha256` of the file it was loaded from (what heads are trained against).
    public let sourceHash: String
    let pool: ComputePool
    private let embedding: PatchEmbedding
    private let blocks: [TransformerBlock]
    private let finalNorm: LayerNormWeights
    private let positionTable: [Float]
    private let workspaces = Shared<[SIMD3<Int>: Workspace]>([:])

    /// Loads a backbone file for `precision` (an fp32 file is quantized at load for int8).
    public convenience init(path: String, precision: Precision, pool: ComputePool) throws {
        try self.init(file: SafetensorsFile(path: path), precision: precision, pool: pool)
    }

    init(file: SafetensorsFile, precision: Precision, pool: ComputePool) throws {
        let config = try BackboneConfig(file: file)
        let dim = config.embedDim
        let p = config.patchSize
        self.config = config
        self.precision = precision
        self.pool = pool
        sourceHash = file.metadata["source_sha256"] ?? "unknown"
        embedding = PatchEmbedding(
            projection: try LinearLayer(file: file, parts: ["embeddings.patch_embeddings.projection"],
                                        inFeatures: 3 * p * p, precision: precision),
            classToken: Array(try file.floats("embeddings.cls_token", shape: [1, 1, dim])),
            patchSize: p)
        positionTable = Array(try file.floats(
            "embeddings.position_embeddings", shape: [1, 1 + config.positionGrid * config.positionGrid, dim]))
        blocks = try (0..<config.depth).map { index in
            let prefix = "encoder.layer.\(index)."
            let attention = prefix + "attention.attention."
            return TransformerBlock(
                norm1: try LayerNormWeights(file: file, prefix: prefix + "norm1", dim: dim, eps: config.layerNormEps),
                qkv: try LinearLayer(file: file, parts: [attention + "query", attention + "key", attention + "value"],
                                     inFeatures: dim, precision: precision),
                projection: try LinearLayer(file: file, parts: [prefix + "attention.output.dense"], inFeatures: dim, precision: precision),
                layerScale1: Buffer(copying: Array(try file.floats(prefix + "layer_scale1.lambda1", shape: [dim]))),
                norm2: try LayerNormWeights(file: file, prefix: prefix + "norm2", dim: dim, eps: config.layerNormEps),
                fc1: try LinearLayer(file: file, parts: [prefix + "mlp.fc1"], inFeatures: dim, precision: precision),
                fc2: try LinearLayer(file: file, parts: [prefix + "mlp.fc2"], inFeatures: config.mlpHidden, precision: precision),
                layerScale2: Buffer(copying: Array(try file.floats(prefix + "layer_scale2.lambda1", shape: [dim]))),
                numHeads: config.numHeads)
        }
        finalNorm = try LayerNormWeights(file: file, prefix: "layernorm", dim: dim, eps: config.layerNormEps)
        for block in blocks where block.fc1.outFeatures != config.mlpHidden {
            throw AffordError(.invalidModel, "\(file.path): fc1 has \(block.fc1.outFeatures) outputs, metadata says mlp_hidden \(config.mlpHidden)")
        }
    }

    /// Patch-grid size for an input, or an error when a side is not a positive multiple of the patch.
    public func grid(height: Int, width: Int) throws -> (rows: Int, columns: Int) {
        let p = config.patchSize
        guard height >= p, width >= p, height % p == 0, width % p == 0 else {
            throw AffordError(.invalidInput, "input \(width)x\(height) is not a positive multiple of the \(p)-pixel patch")
        }
        return (height / p, width / p)
    }

    /// Runs the network: `fill` writes the CHW input, `consume` reads `[tokens, dim]` outputs
    /// (class token first). Both see buffers owned by the backbone; nothing is allocated after
    /// the first call at a size.
    public func run<Result>(
        height: Int, width: Int,
        fill: (UnsafeMutableBufferPointer<Float>) -> Void,
        consume: (UnsafeBufferPointer<Float>) throws -> Result
    ) throws -> Result {
        try run(height: height, width: width, batch: 1, fill: { _, input in fill(input) }, consume: consume)
    }

    /// Runs `batch` images as one pass: every GEMM takes all `batch·tokens` rows, attention stays
    /// within each image. `fill(b, input)` writes image `b`'s CHW input; `consume` reads
    /// `[batch·tokens, dim]`, image after image, each class token first.
    public func run<Result>(
        height: Int, width: Int, batch: Int,
        fill: (_ image: Int, _ input: UnsafeMutableBufferPointer<Float>) -> Void,
        consume: (UnsafeBufferPointer<Float>) throws -> Result
    ) throws -> Result {
        try run(height: height, width: width, batch: batch, timer: nil, fill: fill, consume: consume)
    }

    private func run<Result>(
        height: Int, width: Int, batch: Int, timer: StageTimer?,
        fill: (_ image: Int, _ input: UnsafeMutableBufferPointer<Float>) -> Void,
        consume: (UnsafeBufferPointer<Float>) throws -> Result
    ) throws -> Result {
        _ = try grid(height: height, width: width)
        guard (1...Self.maximumBatch).contains(batch) else {
            throw AffordError(.invalidInput, "batch of \(batch) images; 1...\(Self.maximumBatch) run in one pass")
        }
        return try workspaces.withLock { cache in
            // `consume` runs the head, on the same pool: inside the hold too.
            try pool.holdingCallerCore {
                try run(workspace(height: height, width: width, batch: batch, in: &cache),
                        height: height, width: width, batch: batch, timer: timer, fill: fill, consume: consume)
            }
        }
    }

    private func run<Result>(
        _ workspace: Workspace, height: Int, width: Int, batch: Int, timer: StageTimer?,
        fill: (_ image: Int, _ input: UnsafeMutableBufferPointer<Float>) -> Void,
        consume: (UnsafeBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        let imageFloats = 3 * height * width
        for image in 0..<batch {
            fill(image, UnsafeMutableBufferPointer(start: workspace.input.pointer + image * imageFloats, count: imageFloats))
        }
        timer.measure(.embedding) { embedding.forward(workspace, width: width, height: height, pool: pool) }
        for (index, block) in blocks.enumerated() {
            let next = index + 1 < blocks.count
                ? TransformerBlock.Continuation.block(blocks[index + 1])
                : .finalNorm(finalNorm, output: workspace.output.pointer)
            block.forward(workspace, pool: pool, timer: timer, computesQKV: index == 0, then: next)
        }
        return try consume(UnsafeBufferPointer(start: workspace.output.pointer, count: workspace.output.count))
    }

    /// Images one pass takes at most: each batch size keeps its own buffers (about 5 MB per
    /// image at 224), so the bound keeps memory bounded.
    public static let maximumBatch = 16

    /// Convenience for tests and tools: tokens `[1 + rows·columns, dim]` for a CHW input.
    public func tokens(input: [Float], height: Int, width: Int) throws -> [Float] {
        guard input.count == 3 * height * width else {
            throw AffordError(.invalidInput, "input has \(input.count) floats, expected 3x\(height)x\(width)")
        }
        return try run(height: height, width: width, fill: { target in
            _ = target.update(fromContentsOf: input)
        }, consume: { Array($0) })
    }

    /// Convenience for tests and tools: tokens `[batch·(1 + rows·columns), dim]` for CHW inputs, one pass.
    func tokens(batch inputs: [[Float]], height: Int, width: Int) throws -> [Float] {
        for (index, input) in inputs.enumerated() where input.count != 3 * height * width {
            throw AffordError(.invalidInput, "input \(index) has \(input.count) floats, expected 3x\(height)x\(width)")
        }
        return try run(height: height, width: width, batch: inputs.count, fill: { image, target in
            _ = target.update(fromContentsOf: inputs[image])
        }, consume: { Array($0) })
    }

    /// Median milliseconds per frame spent in each stage over `runs` passes (benchmarks only).
    public func profile(height: Int, width: Int, runs: Int) throws -> [(stage: String, ms: Double)] {
        let stages = StageTimer.Stage.allCases
        var samples = [[Double]](repeating: [], count: stages.count)
        let recorder = StageTimer()
        for _ in 0..<max(1, runs) {
            recorder.reset()
            try run(height: height, width: width, batch: 1, timer: recorder, fill: { _, _ in }, consume: { _ in })
            for stage in stages { samples[stage.rawValue].append(Double(recorder.totals[stage.rawValue]) / 1e6) }
        }
        return stages.map { stage in
            let sorted = samples[stage.rawValue].sorted()
            return (stage.name, sorted[sorted.count / 2])
        }
    }

    private func workspace(height: Int, width: Int, batch: Int, in cache: inout [SIMD3<Int>: Workspace]) -> Workspace {
        let key = SIMD3(height, width, batch)
        if let existing = cache[key] { return existing }
        let positions = positionTable.withUnsafeBufferPointer {
            PositionEmbedding.interpolate($0, grid: config.positionGrid, dim: config.embedDim,
                                          rows: height / config.patchSize, columns: width / config.patchSize)
        }
        let created = Workspace(config: config, height: height, width: width, threads: pool.threads,
                                positions: positions, batch: batch)
        cache[key] = created
        return created
    }
}
