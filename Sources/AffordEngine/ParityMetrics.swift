/// The measures engine outputs are judged by (tests, `affordd-bench`).
public enum ParityMetrics {
    /// max|a−b| / max|b|: the fp32-vs-onnxruntime tolerance measure.
    static func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "compared arrays differ in length")
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        let scale = b.map(abs).max() ?? 1
        return difference / max(scale, .leastNormalMagnitude)
    }

    /// Cosine similarity of each `dim`-wide row (token), in double precision.
    public static func rowCosines(_ a: [Float], _ b: [Float], dim: Int) -> [Double] {
        precondition(a.count == b.count && dim > 0 && a.count % dim == 0, "rows must be whole and equal")
        return stride(from: 0, to: a.count, by: dim).map { start in
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in start..<(start + dim) {
                dot += Double(a[i]) * Double(b[i])
                na += Double(a[i]) * Double(a[i])
                nb += Double(b[i]) * Double(b[i])
            }
            return dot / max((na * nb).squareRoot(), 1e-30)
        }
    }
}
