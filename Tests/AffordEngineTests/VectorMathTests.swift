@testable import AffordEngine
import AffordTestSupport
import CAffordMath
import Foundation
import Testing

/// Every SIMD level of GELU, softmax and LayerNorm against double-precision libm twins (the
/// residual add against a plain loop), on odd lengths.
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

    /// Every 1/1024 over [-8, 8], which crosses each of the AVX-512 level's 32 intervals many
    /// times and its switch to 1 at |x| = 6, and values far out where GELU is x or 0.
    @Test(arguments: levels) func geluMatchesErfReferenceDensely(level: Int32) {
        let inputs = (-8192...8192).map { Float($0) / 1024 } + [-1e30, -1e4, -6.0001, -5.9999, 5.9999, 6.0001, 1e4, 1e30]
        var x = inputs
        x.withUnsafeMutableBufferPointer { VectorMath.gelu($0.baseAddress!, count: $0.count, level: level) }
        for (input, got) in zip(inputs, x) {
            let expected = VectorMath.geluReference(input)
            guard abs(got - expected) <= 2e-6 * max(1, abs(expected)) else {
                Issue.record("level \(level): gelu(\(input)) = \(got), expected \(expected)")
                return
            }
        }
    }

    /// The residual epilogue: every level rounds the product, then the sum, as this loop does,
    /// and writes nothing past `count`.
    @Test(arguments: levels) func scaledAddMatchesMultiplyThenAdd(level: Int32) {
        for count in Self.lengths {
            let x = values(count, spread: 3), scale = values(count + 1, spread: 0.7).dropFirst().map { $0 }
            var y = values(count + 1, spread: 5)
            var want = y
            for i in 0..<count {
                let product = scale[i] * x[i]
                want[i] += product
            }
            y.withUnsafeMutableBufferPointer { VectorMath.scaledAdd(into: $0.baseAddress!, scale: scale, x, count: count, level: level) }
            let differing = zip(y, want).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "level \(level) n \(count): \(differing) of \(count + 1) differ")
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

    /// Up to 19 rows per call (the AVX-512 level works in blocks of 8), with a row stride wider
    /// than the row: each row against the double reference, each bit for bit as when normalised
    /// alone, and nothing written between rows.
    @Test(arguments: levels) func layerNormMatchesDoubleReference(level: Int32) {
        for count in Self.lengths {
            let weight = values(count, spread: 2), bias = values(count, spread: 0.5).reversed().map { $0 }
            for rows in [1, 8, 19] {
                let stride = count + 3
                var input = [Float](repeating: 0, count: rows * stride)
                for row in 0..<rows {
                    let line = values(count, spread: 5 + Float(row)).map { $0 + 3 - Float(row) }
                    for j in 0..<count { input[row * stride + j] = line[j] }
                }
                var output = [Float](repeating: .nan, count: rows * stride)
                output.withUnsafeMutableBufferPointer { out in
                    VectorMath.layerNorm(input, out.baseAddress!, rows: rows, count: count, stride: stride,
                                         weight: weight, bias: bias, eps: 1e-6, level: level)
                }
                for row in 0..<rows {
                    let line = Array(input[(row * stride)..<(row * stride + count)])
                    let got = Array(output[(row * stride)..<(row * stride + count)])
                    let reference = VectorMath.layerNormReference(line, weight: weight, bias: bias, eps: 1e-6)
                    let worst = zip(got, reference).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst < 1e-4, "level \(level) n \(count) row \(row) of \(rows): worst absolute error \(worst)")
                    var alone = [Float](repeating: .nan, count: count)
                    alone.withUnsafeMutableBufferPointer { out in
                        VectorMath.layerNorm(line, out.baseAddress!, count: count, weight: weight, bias: bias, eps: 1e-6, level: level)
                    }
                    #expect(got == alone, "level \(level) n \(count) row \(row) of \(rows): differs from the row alone")
                    let untouched = output[(row * stride + count)..<((row + 1) * stride)].allSatisfy { $0.isNaN }
                    #expect(untouched, "level \(level) n \(count) row \(row) of \(rows): wrote between rows")
                }
            }
        }
    }

    /// Up to 19 rows per call (the AVX-512 level takes their maxima in blocks of 8), row
    /// strides wider than the rows: each row against the double reference, each bit for bit as
    /// when done alone, and no code written between rows.
    @Test(arguments: levels) func softmaxToU8DequantizesToTheReference(level: Int32) {
        for count in Self.lengths {
            for rows in [1, 8, 19] {
                let ld = count + 5, ldq = count + 2
                var scores = [Float](repeating: 0, count: rows * ld)
                for row in 0..<rows {
                    let line = values(count, spread: 30 + Float(row)).map { $0 - Float(row) }
                    for j in 0..<count { scores[row * ld + j] = line[j] }
                }
                var codes = [UInt8](repeating: 0xAB, count: rows * ldq)
                var scales = [Float](repeating: 0, count: rows)
                afm_softmax_u8_rows(level, scores, Int32(rows), Int32(count), Int32(ld), 0.125, &codes, Int32(ldq), &scales)
                for row in 0..<rows {
                    let line = Array(scores[(row * ld)..<(row * ld + count)])
                    let got = Array(codes[(row * ldq)..<(row * ldq + count)])
                    let scale = scales[row]
                    let reference = VectorMath.softmaxReference(line, scale: 0.125)
                    let peak = reference.max() ?? 1
                    // The AVX-512 level's degree-4 exponential (relative error 2.6e-6) moves the scale
                    // and each code by up to 255 · 5e-6 of a step each; the others are within float slack.
                    let slack: Float = level >= 2 ? 5e-6 : 1e-6
                    #expect(abs(scale * 255 - peak) <= slack * peak, "level \(level) n \(count) row \(row): scale \(scale), max \(peak)")
                    let worst = zip(got, reference).map { abs(Float($0) * scale - $1) }.max() ?? 0
                    // Rounding to the nearest code: half a step, plus the exponential's error.
                    let halfStep: Float = level >= 2 ? 0.5 + 2 * 255 * slack : 0.5001
                    #expect(worst <= scale * halfStep, "level \(level) n \(count) row \(row): worst \(worst), step \(scale)")
                    var alone = [UInt8](repeating: 0, count: count)
                    var aloneScale: Float = 0
                    afm_softmax_u8_rows(level, line, 1, Int32(count), Int32(count), 0.125, &alone, Int32(count), &aloneScale)
                    #expect(got == alone && scale == aloneScale, "level \(level) n \(count) row \(row) of \(rows): differs from the row alone")
                    let untouched = codes[(row * ldq + count)..<((row + 1) * ldq)].allSatisfy { $0 == 0xAB }
                    #expect(untouched, "level \(level) n \(count) row \(row): wrote between rows")
                }
            }
        }
    }

    /// The run scan's skip: every level finds the same first index as a plain loop, for each
    /// start and length, with NaN, infinities, signed zeros and subnormals in the row.
    @Test(arguments: levels) func firstAtLeastMatchesAPlainLoop(level: Int32) {
        var random = SplitMix64(seed: 5)
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, 0.5, 1]
        for count in Self.lengths + [0, 40] {
            let row = (0..<count).map { _ -> Float in
                random.next() % 5 == 0 ? specials[Int(random.next() % UInt64(specials.count))] : Float(random.next() % 1000) / 2000
            }
            for floor: Float in [.leastNonzeroMagnitude, 0.25, 0.4999, 0.5, 1, .infinity, .nan] {
                for start in Set([0, 1, count / 2, max(0, count - 1)]) where start <= count {
                    let plain = row[start...].firstIndex { $0 >= floor }.map { $0 - start } ?? (count - start)
                    let found = row.withUnsafeBufferPointer { buffer in
                        Int(afm_first_at_least(level, buffer.baseAddress.map { $0 + start }, Int32(count - start), floor))
                    }
                    #expect(found == plain, "level \(level), \(count) values from \(start), floor \(floor)")
                }
            }
        }
    }

    /// Heatmap mono8 bytes at every level against rint(clamp(v, 0, 1) × 255) written plainly:
    /// a dense sweep of [-0.1, 1.1], each rounding tie (k + ½) / 255 with its neighbours two
    /// ulps either side, and NaN, infinities, signed zeros and subnormals; each start and length
    /// around the vector widths, so the tails are covered.
    @Test(arguments: levels) func mono8MatchesRoundedClamp(level: Int32) {
        func plain(_ value: Float) -> UInt8 {
            guard value > 0 else { return 0 }  // NaN, zeros and negatives
            return UInt8((min(value, 1) * 255).rounded(.toNearestOrEven))
        }
        var inputs = (-10_000...110_000).map { Float($0) / 100_000 }
        for k in 0..<255 {
            var tie = (Float(k) + 0.5) / 255
            for _ in 0..<2 { tie = tie.nextDown }
            for _ in 0..<5 {
                inputs.append(tie)
                tie = tie.nextUp
            }
        }
        inputs += [.nan, -.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                   1, Float(1).nextDown, Float(1).nextUp, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        var bytes = [UInt8](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in
            bytes.withUnsafeMutableBufferPointer { afm_mono8(level, x.baseAddress!, $0.baseAddress!, Int32(x.count)) }
        }
        let wrong = zip(inputs, bytes).filter { plain($0) != $1 }
        #expect(wrong.isEmpty, "level \(level): \(wrong.count) wrong, first \(wrong.prefix(3).map { "\($0.0) -> \($0.1)" })")
        for start in [0, 1, 5] {
            for count in [0, 1, 15, 16, 17, 31, 32, 33, 63, 65] {
                var out = [UInt8](repeating: 7, count: count + 1)  // one past the end must stay 7
                inputs.withUnsafeBufferPointer { x in
                    out.withUnsafeMutableBufferPointer { afm_mono8(level, x.baseAddress! + 110_000 + start, $0.baseAddress!, Int32(count)) }
                }
                let expected = inputs[(110_000 + start)..<(110_000 + start + count)].map(plain) + [7]
                #expect(out == expected, "level \(level), \(count) values from \(start)")
            }
        }
    }
}
