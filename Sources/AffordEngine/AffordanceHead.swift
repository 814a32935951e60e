import AffordCore
import Foundation

/// LOCATE's head on the patch grid: residual MLP, two conv3×3 (+folded BN) + ReLU, conv1×1 → K maps.
///
/// Features stay token-major (`[rows·columns, channels]`); a conv3×3 is im2col + one GEMM.
public final class AffordanceHead: @unchecked Sendable {
    let config: HeadConfig
    private let fc1: LinearLayer
    private let fc2: LinearLayer
    private let conv1: LinearLayer
    private let conv2: LinearLayer
    private let classifier: LinearLayer
    private let presence: PresenceLayer?
    private let ones: Buffer<Float>
    private let pool: ComputePool
    // One buffer set per grid size, reused; calls are serialised because they share it.
    private let workspaces = Shared<[SIMD2<Int>: HeadWorkspace]>([:])

    public convenience init(path: String, precision: Precision, pool: ComputePool) throws {
        try self.init(file: SafetensorsFile(path: path), precision: precision, pool: pool)
    }

    init(file: SafetensorsFile, precision: Precision, pool: ComputePool) throws {
        let config = try HeadConfig(file: file)
        let d = config.embedDim, c = config.hiddenDim, k = config.actions.count
        self.config = config
        self.pool = pool
        fc1 = try LinearLayer(file: file, parts: ["mlp.fc1"], inFeatures: d, precision: precision)
        fc2 = try LinearLayer(file: file, parts: ["mlp.fc2"], inFeatures: d, precision: precision)
        conv1 = try LinearLayer(file: file, parts: ["conv1"], inFeatures: d * 9, precision: precision, kernelSize: 3)
        conv2 = try LinearLayer(file: file, parts: ["conv2"], inFeatures: c * 9, precision: precision, kernelSize: 3)
        classifier = try LinearLayer(file: file, parts: ["classifier"], inFeatures: c, precision: precision)
        let expected = [("mlp.fc1", fc1, d), ("mlp.fc2", fc2, d), ("conv1", conv1, c), ("conv2", conv2, c), ("classifier", classifier, k)]
        for (name, layer, outputs) in expected where layer.outFeatures != outputs {
            throw AffordError(.invalidModel, "\(file.path): '\(name)' has \(layer.outFeatures) outputs, expected \(outputs)")
        }
        presence = config.hasPresence ? try PresenceLayer(file: file, actions: k, channels: c) : nil
        ones = Buffer(copying: [Float](repeating: 1, count: d))
    }

    /// Maps `[rows·columns, K]` (token-major) from patch features `[rows·columns, D]`, and the
    /// K presence probabilities when the head has a presence layer.
    func forward<Result>(
        _ features: UnsafePointer<Float>, rows: Int, columns: Int,
        consume: (_ logits: UnsafeBufferPointer<Float>, _ presence: [Float]?) throws -> Result
    ) rethrows -> Result {
        try workspaces.withLock { cache in
            try forward(features, rows: rows, columns: columns, workspace: workspace(rows: rows, columns: columns, in: &cache),
                        consume: consume)
        }
    }

    private func forward<Result>(
        _ features: UnsafePointer<Float>, rows: Int, columns: Int, workspace w: HeadWorkspace,
        consume: (_ logits: UnsafeBufferPointer<Float>, _ presence: [Float]?) throws -> Result
    ) rethrows -> Result {
        let positions = rows * columns
        let d = config.embedDim, c = config.hiddenDim
        w.hidden.pointer.update(from: features, count: positions * d)
        fc1.forward(w.hidden.pointer, rows: positions, ldInput: d, into: w.mlp.pointer, ldOutput: d,
                    scratch: w.activations, pool: pool, epilogue: .gelu)
        fc2.forward(w.mlp.pointer, rows: positions, ldInput: d, into: w.projected.pointer, ldOutput: d,
                    scratch: w.activations, pool: pool,
                    epilogue: .scaledResidual(residual: w.hidden.pointer, ldResidual: d, scale: ones.pointer))
        Im2Col.conv3x3(w.hidden.pointer, channels: d, rows: rows, columns: columns, into: w.columns.pointer, pool: pool)
        conv1.forward(w.columns.pointer, rows: positions, ldInput: 9 * d, into: w.conv1.pointer, ldOutput: c,
                      scratch: w.activations, pool: pool, epilogue: .relu)
        Im2Col.conv3x3(w.conv1.pointer, channels: c, rows: rows, columns: columns, into: w.columns.pointer, pool: pool)
        conv2.forward(w.columns.pointer, rows: positions, ldInput: 9 * c, into: w.conv2.pointer, ldOutput: c,
                      scratch: w.activations, pool: pool, epilogue: .relu)
        let k = classifier.outFeatures
        classifier.forward(w.conv2.pointer, rows: positions, ldInput: c, into: w.logits.pointer, ldOutput: k,
                           scratch: w.activations, pool: pool)
        let probabilities = presence?.probabilities(features: w.conv2.pointer, positions: positions)
        return try consume(UnsafeBufferPointer(start: w.logits.pointer, count: positions * k), probabilities)
    }

    /// Convenience for tests: all K maps for token-major features, `[rows·columns, K]`, and the presence.
    func logits(features: [Float], rows: Int, columns: Int) -> (maps: [Float], presence: [Float]?) {
        precondition(features.count == rows * columns * config.embedDim, "features must be [rows*columns, embed_dim]")
        return forward(features, rows: rows, columns: columns) { (Array($0), $1) }
    }

    private func workspace(rows: Int, columns: Int, in cache: inout [SIMD2<Int>: HeadWorkspace]) -> HeadWorkspace {
        let key = SIMD2(rows, columns)
        if let existing = cache[key] { return existing }
        let created = HeadWorkspace(positions: rows * columns, config: config)
        cache[key] = created
        return created
    }
}

/// `sigmoid(W · max over positions of the conv features + b)`, one probability per action.
/// Max pooling, not mean: a blade that is a few patches of a wide view must still count.
/// A K×C layer: plain fp32 loops cost microseconds beside the convolutions.
struct PresenceLayer: Sendable {
    /// The `presence` metadata value that declares this layer.
    static let readout = "max_pooled_linear"
    let weight: [Float]  // [K, C]
    let bias: [Float]
    let channels: Int

    init(file: SafetensorsFile, actions: Int, channels: Int) throws {
        weight = Array(try file.floats("presence.weight", shape: [actions, channels]))
        bias = Array(try file.floats("presence.bias", shape: [actions]))
        self.channels = channels
    }

    /// `features` is `[positions, C]`, token-major, after the ReLU.
    func probabilities(features: UnsafePointer<Float>, positions: Int) -> [Float] {
        var pooled = [Float](repeating: -.infinity, count: channels)
        for position in 0..<positions {
            let row = features + position * channels
            for channel in 0..<channels { pooled[channel] = max(pooled[channel], row[channel]) }
        }
        return bias.indices.map { action in
            var logit = bias[action]
            for channel in 0..<channels { logit += weight[action * channels + channel] * pooled[channel] }
            return 1 / (1 + exp(-logit))
        }
    }
}

/// The head's per-grid buffers.
final class HeadWorkspace: @unchecked Sendable {
    let hidden, mlp, projected, columns, conv1, conv2, logits: Buffer<Float>
    let activations: ActivationScratch

    init(positions: Int, config: HeadConfig) {
        let d = config.embedDim, c = config.hiddenDim
        hidden = Buffer(positions * d)
        mlp = Buffer(positions * d)
        projected = Buffer(positions * d)
        columns = Buffer(positions * 9 * max(d, c))
        conv1 = Buffer(positions * c)
        conv2 = Buffer(positions * c)
        logits = Buffer(positions * config.actions.count)
        activations = ActivationScratch(rows: positions, columns: 9 * max(d, c))
    }
}

/// im2col for a 3×3, pad-1 convolution on token-major features; columns ordered (ky, kx, channel).
enum Im2Col {
    static func conv3x3(
        _ input: UnsafePointer<Float>, channels: Int, rows: Int, columns: Int,
        into output: UnsafeMutablePointer<Float>, pool: ComputePool
    ) {
        pool.parallelRanges(rows * columns) { range, _ in
            for position in range {
                let y = position / columns, x = position % columns
                var target = output + position * 9 * channels
                for dy in -1...1 {
                    for dx in -1...1 {
                        let sy = y + dy, sx = x + dx
                        if sy >= 0, sy < rows, sx >= 0, sx < columns {
                            target.update(from: input + (sy * columns + sx) * channels, count: channels)
                        } else {
                            target.update(repeating: 0, count: channels)
                        }
                        target += channels
                    }
                }
            }
        }
    }
}
