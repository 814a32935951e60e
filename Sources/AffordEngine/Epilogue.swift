/// What a GEMM does to a finished column block before moving on (fusion while it is in cache).
enum Epilogue {
    case none
    /// erf GELU in place (MLP hidden layers).
    case gelu
    /// max(0, y) in place (head convolutions).
    case relu
    /// `residual += scale ⊙ y`, the LayerScale residual of every block. The int8 GEMM adds
    /// into `residual` in its own epilogue and leaves the layer's output buffer unwritten.
    case scaledResidual(residual: UnsafeMutablePointer<Float>, ldResidual: Int, scale: UnsafePointer<Float>)

    func apply(_ output: UnsafeMutablePointer<Float>, rows: Range<Int>, ld: Int, columns: Range<Int>) {
        switch self {
        case .none:
            return
        case .gelu:
            for row in rows {
                VectorMath.gelu(output + row * ld + columns.lowerBound, count: columns.count)
            }
        case .relu:
            for row in rows {
                let line = output + row * ld
                for j in columns { line[j] = max(0, line[j]) }
            }
        case .scaledResidual(let residual, let ldResidual, let scale):
            for row in rows {
                VectorMath.scaledAdd(into: residual + row * ldResidual + columns.lowerBound,
                                     scale: scale + columns.lowerBound,
                                     output + row * ld + columns.lowerBound, count: columns.count)
            }
        }
    }

    static func addBias(_ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, rows: Range<Int>, ld: Int, columns: Int) {
        for row in rows {
            let line = output + row * ld
            for j in 0..<columns { line[j] += bias[j] }
        }
    }
}
