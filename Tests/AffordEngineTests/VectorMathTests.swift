@testable import AffordEngine
import Foundation
import Testing

/// Every SIMD level of GELU, softmax and LayerNorm against double-precision libm twins, on odd lengths.
@Suite struct VectorMathTests {
    static let levels = Array(0...VectorMath.level)
    static let lengths = [1, 7, 16, 31, 257, 384, 1000]

    func values(_ count: Int, spread: Float) -> [Float] {
        (0..<count).map { spread * Float(sin(Double($0) * 12.9898 + 1) ) }
    }

    @Test(arguments: levels) func geluMatchesErfReference(level: Int32) {
        for count in Self.lengths {
            var x = values(count, spread: 7)
            let reference = x.map(VectorMath.geluReference)
            x.withUnsafeMutableBufferPointer { VectorMath.gelu($0.baseAddress!, count: count, level: level) }
            let worst = zip(x, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 2e-6, "level \(level) n \(count): worst absolute error \(worst)")
        }
    }

    @Test(arguments: levels) func softmaxMatchesLibmReference(level: Int32) {
        for count in Self.lengths {
            var row = values(count, spread: 30)
            let reference = VectorMath.softmaxReference(row, scale: 0.125)
            row.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count, scale: 0.125, level: level) }
            let worst = zip(row, reference).map { abs($0 - $1) / max($1, 1e-30) }.max() ?? 0
            #expect(worst < 2e-6, "level \(level) n \(count): worst relative error \(worst)")
        }
    }

    @Test(arguments: levels) func layerNormMatchesDoubleReference(level: Int32) {
        for count in Self.lengths {
            let row = values(count, spread: 5).map { $0 + 3 }
            let weight = values(count, spread: 2), bias = values(count, spread: 0.5).reversed().map { $0 }
            let reference = VectorMath.layerNormReference(row, weight: weight, bias: bias, eps: 1e-6)
            var output = [Float](repeating: .nan, count: count)
            output.withUnsafeMutableBufferPointer { out in
                VectorMath.layerNorm(row, out.baseAddress!, count: count, weight: weight, bias: bias, eps: 1e-6, level: level)
            }
            let worst = zip(output, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-4, "level \(level) n \(count): worst absolute error \(worst)")
        }
    }
}
