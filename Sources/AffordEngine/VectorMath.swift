import Foundation

/// Elementwise maths for the fp32 parts of the network (GELU, softmax, LayerNorm).
///
/// `exp` and `erf` are evaluated with SIMD polynomials: libm is scalar and would
/// cost several milliseconds a frame. Each has a plain libm twin used by tests.
enum VectorMath {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    /// e^x, relative error ~2e-7 over the range softmax uses (x <= 0); underflows to 0 below -87.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let clamped = x.clamped(lowerBound: Vector(repeating: -87.3), upperBound: Vector(repeating: 88.3))
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        // Cody-Waite split of ln 2 (Cephes) keeps r exact enough for the polynomial.
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 0.166_666_66
        p = p * r + 0.5
        p = p * r * r + r + 1
        let exponent = (SIMD16<Int32>(n) &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Vector.self)
    }

    /// erf(x) as a rational minimax fit on [-4, 4] (Eigen's float erf), within a few ulp.
    @inline(__always)
    static func erf(_ a: Vector) -> Vector {
        let x = a.clamped(lowerBound: Vector(repeating: -4), upperBound: Vector(repeating: 4))
        let x2 = x * x
        var p = x2 * -2.726_142_25e-10 + 2.770_681_42e-08
        p = p * x2 - 2.101_024_02e-06
        p = p * x2 - 5.692_506_39e-05
        p = p * x2 - 7.349_906_30e-04
        p = p * x2 - 2.954_599_80e-03
        p = p * x2 - 1.609_603_33e-02
        p = p * x
        var q = x2 * -1.456_607_18e-05 - 2.133_740_55e-04
        q = q * x2 - 1.682_826_97e-03
        q = q * x2 - 7.373_329_17e-03
        q = q * x2 - 1.426_473_90e-02
        return p / q
    }

    /// Exact (erf) GELU in place on `count` floats.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + width <= count {
            let x = Vector(UnsafeBufferPointer(start: values + i, count: width))
            let y = x * 0.5 * (1 + erf(x * 0.707_106_77))
            UnsafeMutableRawPointer(values + i).storeBytes(of: y, as: Vector.self)
            i += width
        }
        while i < count {
            values[i] = geluReference(values[i])
            i += 1
        }
    }

    /// GELU with libm's erf: the twin the SIMD version is tested against.
    static func geluReference(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.erf(x / Float(2).squareRoot()))
    }

    /// Softmax of one row in place, with scores scaled by `scale` first.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int, scale: Float) {
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, row[i]) }
        let shift = maximum * scale
        var total: Float = 0
        var i = 0
        var sums = Vector()
        while i + width <= count {
            let x = Vector(UnsafeBufferPointer(start: row + i, count: width)) * scale - shift
            let e = exp(x)
            sums += e
            UnsafeMutableRawPointer(row + i).storeBytes(of: e, as: Vector.self)
            i += width
        }
        total = sums.sum()
        while i < count {
            let e = Foundation.exp(row[i] * scale - shift)
            row[i] = e
            total += e
            i += 1
        }
        let inverse = 1 / total
        for j in 0..<count { row[j] *= inverse }
    }

    /// LayerNorm of `count` floats from `input` into `output`, two-pass for stable variance.
    static func layerNorm(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float
    ) {
        var sum: Float = 0
        for i in 0..<count { sum += input[i] }
        let mean = sum / Float(count)
        var squares: Float = 0
        for i in 0..<count {
            let d = input[i] - mean
            squares += d * d
        }
        let inverse = 1 / (squares / Float(count) + eps).squareRoot()
        for i in 0..<count { output[i] = (input[i] - mean) * inverse * weight[i] + bias[i] }
    }
}
