import CAffordKernels
import CAffordMath
import Foundation

/// Elementwise maths for the fp32 parts of the network (GELU, softmax, LayerNorm).
///
/// The loops live in CAffordMath (AVX-512/AVX2 with a portable twin); the plain
/// libm versions here are what tests hold them to.
enum VectorMath {
    /// The SIMD level every call uses, chosen once from the CPU and capped by the kernels'
    /// choice, so `AFFORDD_ISA` moves both down together.
    static let level: Int32 = {
        let kernels: Int32 = switch afk_detect_isa() {
        case AFK_ISA_AVX512_VNNI: 2
        case AFK_ISA_AVX2, AFK_ISA_AVX_VNNI: 1
        default: 0
        }
        return min(afm_best_level(), kernels)
    }()

    /// Exact (erf) GELU in place on `count` floats.
    @inline(__always)
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int, level: Int32 = level) {
        afm_gelu(level, values, Int32(count))
    }

    /// `target += scale ⊙ values` (a multiply, then an add, at every level).
    @inline(__always)
    static func scaledAdd(into target: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>,
                          _ values: UnsafePointer<Float>, count: Int, level: Int32 = level) {
        afm_scaled_add(level, target, scale, values, Int32(count))
    }

    /// Softmax of one row in place, with scores scaled by `scale` first.
    @inline(__always)
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int, scale: Float, level: Int32 = level) {
        afm_softmax(level, row, Int32(count), scale)
    }

    /// LayerNorm of `rows` rows of `count` floats (row stride `stride`) from `input` into `output`.
    @inline(__always)
    static func layerNorm(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int = 1, count: Int, stride: Int? = nil,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float, level: Int32 = level
    ) {
        afm_layernorm_rows(level, input, output, Int32(rows), Int32(count), Int32(stride ?? count), weight, bias, eps)
    }

    /// GELU with libm's erf.
    static func geluReference(_ x: Float) -> Float {
        Float(0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot())))
    }

    /// Softmax in double precision with libm's exp.
    static func softmaxReference(_ row: [Float], scale: Float) -> [Float] {
        let scaled = row.map { Double($0) * Double(scale) }
        let shift = scaled.max() ?? 0
        let exps = scaled.map { Foundation.exp($0 - shift) }
        let total = exps.reduce(0, +)
        return exps.map { Float($0 / total) }
    }

    /// LayerNorm in double precision.
    static func layerNormReference(_ row: [Float], weight: [Float], bias: [Float], eps: Float) -> [Float] {
        let values = row.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        let inverse = 1 / (variance + Double(eps)).squareRoot()
        return values.indices.map { Float((values[$0] - mean) * inverse * Double(weight[$0]) + Double(bias[$0])) }
    }
}
