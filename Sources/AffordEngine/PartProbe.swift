import AffordCore
import COpenBLAS
import Foundation

/// A logistic probe on frozen patch tokens: `sigmoid(w · token/|token| + b)` per patch, what
/// the `teach` op fits from an operator's few marked frames (issue 13).
///
/// Fitting is full-batch gradient descent with Adam on two losses: a class-balanced, weighted
/// binary cross-entropy per patch (which makes the presence), and per view the KL divergence
/// from the marked share to the softmax of the logits over its patches (which shapes the map,
/// as the heads' KL loss does), plus an L2 penalty. A few hundred steps over a few thousand
/// rows of 384 features, two BLAS matrix–vector products each: well under a second on two cores.
public struct PartProbe: Sendable, Equatable, Codable {
    public var weights: [Float]
    public var bias: Float

    public init(weights: [Float], bias: Float) {
        self.weights = weights
        self.bias = bias
    }

    /// How a probe is fitted. Set once, not searched; the map loss was added after the held-out
    /// renders showed the per-patch loss alone losing to the untaught head (README, "Teaching a part").
    public struct Training: Sendable, Equatable {
        var steps = 300
        var learningRate: Float = 0.05
        /// L2 penalty on the weights (not the bias): a handful of frames must not be memorised.
        var l2: Float = 1e-3
        /// Weight of the per-view map loss beside the per-patch one.
        var mapWeight: Float = 1

        public init() {}
    }

    /// One labelled patch grid: unit-free tokens `[positions, dim]`, a target in [0, 1] per
    /// position (the share of the patch inside the part) and a weight (0: unlabelled).
    public struct Example: Sendable, Equatable {
        var tokens: [Float]
        var target: [Float]
        var weight: [Float]

        public init(tokens: [Float], target: [Float], weight: [Float]) {
            self.tokens = tokens
            self.target = target
            self.weight = weight
        }
    }

    /// Fits a probe; throws when the examples hold no positive or no negative patch.
    public static func fit(_ examples: [Example], dim: Int, training: Training = Training()) throws -> PartProbe {
        guard dim > 0 else { throw AffordError(.invalidInput, "teach: features have no width") }
        var rows: [Float] = []
        var targets: [Float] = [], sampleWeights: [Float] = []
        var views: [Range<Int>] = []  // each example's rows, for the per-view distribution loss
        for (index, example) in examples.enumerated() {
            let first = targets.count
            let positions = example.target.count
            guard example.tokens.count == positions * dim, example.weight.count == positions else {
                throw AffordError(.invalidInput, "teach: example \(index) has \(example.tokens.count) features for \(positions) patches of width \(dim)")
            }
            for position in 0..<positions where example.weight[position] > 0 {
                rows.append(contentsOf: unit(example.tokens[(position * dim)..<((position + 1) * dim)]))
                targets.append(min(1, max(0, example.target[position])))
                sampleWeights.append(example.weight[position])
            }
            views.append(first..<targets.count)
        }
        // Balance: positives (by their soft target) and negatives weigh the same in total.
        let positive = zip(targets, sampleWeights).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let negative = zip(targets, sampleWeights).reduce(Float(0)) { $0 + (1 - $1.0) * $1.1 }
        guard positive > 0 else { throw AffordError(.invalidInput, "teach: the part covers no patch of the frame") }
        guard negative > 0 else { throw AffordError(.invalidInput, "teach: the part covers the whole frame; nothing is background") }
        let count = targets.count
        // Per-sample factor on the gradient: w·(target/P + (1-target)/N)/2 splits evenly.
        var positiveShare = [Float](repeating: 0, count: count), negativeShare = [Float](repeating: 0, count: count)
        for i in 0..<count {
            positiveShare[i] = sampleWeights[i] * targets[i] / (2 * positive)
            negativeShare[i] = sampleWeights[i] * (1 - targets[i]) / (2 * negative)
        }
        // Each view's target distribution; -1 marks a view without a positive patch.
        var viewTargets = [Float](repeating: 0, count: count)
        for view in views {
            let mass = view.reduce(Float(0)) { $0 + targets[$1] * sampleWeights[$1] }
            for i in view { viewTargets[i] = mass > 0 ? targets[i] * sampleWeights[i] / mass : -1 }
        }
        var w = [Float](repeating: 0, count: dim), b: Float = 0
        var mW = [Float](repeating: 0, count: dim), vW = [Float](repeating: 0, count: dim)
        var mB: Float = 0, vB: Float = 0
        var logits = [Float](repeating: 0, count: count), residual = [Float](repeating: 0, count: count)
        var gradient = [Float](repeating: 0, count: dim)
        let beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
        for step in 1...max(1, training.steps) {
            multiply(rows, count: count, dim: dim, by: w, into: &logits)
            var gradientB: Float = 0
            for i in 0..<count {
                let p = sigmoid(logits[i] + b)
                // d/dz of the balanced BCE: p·(P+N) − P for each sample's shares.
                residual[i] = p * (positiveShare[i] + negativeShare[i]) - positiveShare[i]
                gradientB += residual[i]
            }
            // The map's own loss, as the heads are trained: per view, KL from the marked share
            // to softmax(logits) over its patches (its gradient is softmax − target; b cancels).
            for view in views where viewTargets[view.lowerBound] >= 0 {
                let top = logits[view].max() ?? 0
                var total: Float = 0
                for i in view { total += exp(logits[i] - top) }
                for i in view {
                    residual[i] += training.mapWeight * (exp(logits[i] - top) / total - viewTargets[i]) / Float(views.count)
                }
            }
            multiplyTransposed(rows, count: count, dim: dim, by: residual, into: &gradient)
            let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
            for d in 0..<dim {
                let g = gradient[d] + training.l2 * w[d]
                mW[d] = beta1 * mW[d] + (1 - beta1) * g
                vW[d] = beta2 * vW[d] + (1 - beta2) * g * g
                w[d] -= training.learningRate * (mW[d] / correction1) / ((vW[d] / correction2).squareRoot() + eps)
            }
            mB = beta1 * mB + (1 - beta1) * gradientB
            vB = beta2 * vB + (1 - beta2) * gradientB * gradientB
            b -= training.learningRate * (mB / correction1) / ((vB / correction2).squareRoot() + eps)
        }
        return PartProbe(weights: w, bias: b)
    }

    /// The map on the token grid, `exp(logit − max logit)`: the odds relative to the best patch,
    /// so background patches fade exponentially rather than sitting at a probability floor that
    /// min-max normalisation keeps. The part's presence is the best patch's probability.
    public func map(_ tokens: PatchTokens) throws -> (map: Heatmap, presence: Float) {
        guard tokens.dim == weights.count else {
            throw AffordError(.invalidModel, "taught probe is \(weights.count) wide, the features are \(tokens.dim)")
        }
        let positions = tokens.side * tokens.side
        var logits = [Float](repeating: 0, count: positions)
        for position in 0..<positions {
            // w·(x/|x|) as (w·x)/|x|: one pass, no copy of the row, on every frame.
            var dot: Float = 0, square: Float = 0
            let start = position * tokens.dim
            for d in 0..<tokens.dim {
                let x = tokens.values[start + d]
                dot += x * weights[d]
                square += x * x
            }
            logits[position] = (square > 0 ? dot / square.squareRoot() : dot) + bias
        }
        let best = logits.max() ?? 0
        let values = logits.map { exp($0 - best) }
        return (Heatmap(width: tokens.side, height: tokens.side, values: values), Self.sigmoid(best))
    }

    static func sigmoid(_ z: Float) -> Float { 1 / (1 + exp(-z)) }

    static func unit(_ row: ArraySlice<Float>) -> [Float] {
        let norm = row.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? row.map { $0 / norm } : Array(row)
    }

    /// `out[count] = rows[count, dim] · vector[dim]`.
    static func multiply(_ rows: [Float], count: Int, dim: Int, by vector: [Float], into out: inout [Float]) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(count), Int32(dim), 1, rows, Int32(dim), vector, 1, 0, &out, 1)
    }

    /// `out[dim] = rows[count, dim]ᵀ · vector[count]`.
    static func multiplyTransposed(_ rows: [Float], count: Int, dim: Int, by vector: [Float], into out: inout [Float]) {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(count), Int32(dim), 1, rows, Int32(dim), vector, 1, 0, &out, 1)
    }
}
