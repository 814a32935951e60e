import AffordCore
import Foundation

/// KLD, SIM and NSS exactly as the AGD20K protocol of LOCATE and Selective CL computes them.
public enum SaliencyMetrics {
    static let epsilon: Double = 1e-12
    /// Both maps are resized to this side before scoring.
    static let evaluationSize = 224

    /// One image's scores.
    public struct Scores: Sendable, Equatable {
        public var kld: Double
        public var sim: Double
        public var nss: Double
    }

    /// Scores a prediction against a ground truth, both 8-bit maps of any size.
    public static func score(prediction: Heatmap, groundTruth: Heatmap) -> Scores {
        let side = evaluationSize
        let pred = minMax(Bilinear.resize(prediction, width: side, height: side).values.map(Double.init))
        let gtResized = Bilinear.resize(groundTruth, width: side, height: side).values.map { Double($0) / 255 }
        guard gtResized.contains(where: { $0 != 0 }) else { return Scores(kld: 0, sim: 0, nss: 0) }
        let gt = minMax(gtResized)
        let p = sumNormalised(pred), g = sumNormalised(gt)
        var kld = 0.0, sim = 0.0
        for i in p.indices {
            kld += g[i] * log(g[i] / (p[i] + epsilon) + epsilon)
            sim += min(p[i], g[i])
        }
        return Scores(kld: kld, sim: sim, nss: nss(prediction: pred, groundTruth: gt))
    }

    /// Mean of the z-scored prediction over pixels where the min-max GT exceeds 0.1.
    static func nss(prediction: [Double], groundTruth: [Double]) -> Double {
        let count = Double(prediction.count)
        let mean = prediction.reduce(0, +) / count
        let variance = prediction.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        let std = variance.squareRoot()
        var total = 0.0, hits = 0
        for i in prediction.indices where groundTruth[i] > 0.1 {
            total += (prediction[i] - mean) / (std + epsilon)
            hits += 1
        }
        return hits == 0 ? 0 : total / Double(hits)
    }

    static func minMax(_ values: [Double]) -> [Double] {
        guard let low = values.min(), let high = values.max() else { return values }
        return values.map { ($0 - low) / (high - low + epsilon) }
    }

    static func sumNormalised(_ values: [Double]) -> [Double] {
        let total = values.reduce(0, +)
        return values.map { $0 / (total + epsilon) }
    }
}
