@testable import AffordEngine
import Foundation
import Testing

/// The SIMD exp/erf/GELU against their libm twins.
@Suite struct VectorMathTests {
    @Test func simdExpMatchesLibm() {
        var worst: Float = 0
        for i in 0..<4000 {
            let xs = VectorMath.Vector((0..<16).map { Float(-90) + Float(i * 16 + $0) * 0.0015 })
            let e = VectorMath.exp(xs)
            for lane in 0..<16 {
                let reference = Foundation.exp(xs[lane])
                if reference > 1e-30 { worst = max(worst, abs(e[lane] - reference) / reference) }
            }
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
    }

    @Test func simdGeluMatchesErfReference() {
        var values = (0..<1000).map { Float($0) * 0.013 - 6.5 }
        let reference = values.map(VectorMath.geluReference)
        values.withUnsafeMutableBufferPointer { VectorMath.gelu($0.baseAddress!, count: $0.count) }
        let worst = zip(values, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 2e-6, "worst absolute error \(worst)")
    }

    @Test func softmaxSumsToOneAndMatchesLibm() {
        var row = (0..<37).map { Float(sin(Double($0))) * 9 }
        let scale: Float = 0.125
        let maximum = row.max()! * scale
        let exps = row.map { Foundation.exp($0 * scale - maximum) }
        let total = exps.reduce(0, +)
        row.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: $0.count, scale: scale) }
        for (value, e) in zip(row, exps) { #expect(abs(value - e / total) < 1e-6) }
    }
}
