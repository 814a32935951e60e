import CAffordKernels
import Testing

/// Worst reconstruction error in quantization steps: half a step from rounding, plus up to
/// half a step where the rounded zero point pushes an extreme value against the clamp.
private let maxErrorInSteps: Float = 1.0
/// Relative slack on that bound for the float arithmetic itself.
private let errorSlack: Float = 1e-5

private struct QuantizedRows {
    var q: [UInt8]
    var scale: [Float]
    var zero: [Int32]
}

private func quantize(_ isa: afk_isa, _ x: [Float], m: Int, k: Int, ldx: Int, ldq: Int) -> QuantizedRows {
    var out = QuantizedRows(q: [UInt8](repeating: 0xAB, count: m * ldq),
                            scale: [Float](repeating: 0, count: m), zero: [Int32](repeating: -1, count: m))
    afk_quantize_rows_u8(isa, x, Int32(m), Int32(k), Int32(ldx), &out.q, Int32(ldq), &out.scale, &out.zero)
    return out
}

/// Rows with mixed signs, all positive, all negative, all zero, and exact zeros sprinkled in.
private func testRows(m: Int, k: Int, ldx: Int, seed: UInt64) -> [Float] {
    var random = KernelRandom(seed: seed)
    var x = random.floats(m * ldx, in: -3..<5)
    for i in 0..<m {
        for kk in 0..<k {
            let index = i * ldx + kk
            switch i % 4 {
            case 1: x[index] = abs(x[index]) + 0.5
            case 2: x[index] = -abs(x[index]) - 0.5
            case 3 where i % 8 == 7: x[index] = 0
            default: if kk % 5 == 0 { x[index] = 0 }
            }
        }
    }
    return x
}

private let depths = [1, 3, 7, 15, 16, 17, 33, 64, 384, 588, 1536]

@Suite struct KernelQuantizeTests {
    @Test func portableReconstructsWithinOneStepAndZeroIsExact() {
        for k in depths {
            let m = 9, ldx = k + 2, ldq = k + 1
            let x = testRows(m: m, k: k, ldx: ldx, seed: UInt64(k))
            let r = quantize(AFK_ISA_PORTABLE, x, m: m, k: k, ldx: ldx, ldq: ldq)
            for i in 0..<m {
                #expect(r.scale[i] > 0 && (0...255).contains(r.zero[i]))
                var worst: Float = 0
                for kk in 0..<k {
                    let value = x[i * ldx + kk], q = r.q[i * ldq + kk]
                    if value == 0 { #expect(Int32(q) == r.zero[i], "k=\(k) row \(i): 0 must map to the zero point") }
                    worst = max(worst, abs(value - r.scale[i] * Float(Int32(q) - r.zero[i])))
                }
                #expect(worst <= r.scale[i] * maxErrorInSteps * (1 + errorSlack), "k=\(k) row \(i): error \(worst) vs step \(r.scale[i])")
                #expect(r.q[i * ldq + k] == 0xAB, "k=\(k) row \(i): wrote past k")
            }
        }
    }

    @Test func signOfTheRowFixesTheZeroPoint() {
        let x: [Float] = [1, 2, 3, -1, -2, -3, 0, 0, 0]
        let r = quantize(AFK_ISA_PORTABLE, x, m: 3, k: 3, ldx: 3, ldq: 3)
        #expect(r.zero == [0, 255, 0])
        #expect(r.q[0..<3] == [85, 170, 255])
        #expect(r.q[6..<9] == [0, 0, 0])
    }

    @Test(arguments: allKernelISAs.dropFirst())
    func variantMatchesPortable(isa: afk_isa) {
        guard kernelSupports(isa) else {
            print("skipping quantize parity for \(kernelName(isa)): not supported by this CPU")
            return
        }
        // Row counts around the AVX-512 variant's blocks of 16 rows; rows scaled from 1e-30 to
        // 1e30 so that every lane of its parameters sees tiny and huge ranges.
        let magnitudes: [Float] = [1, 1e-30, 1e-6, 1e6, 1e30]
        for k in depths {
            for m in [1, 9, 16, 17, 40] {
                let ldx = k + 2, ldq = k + 1
                var x = testRows(m: m, k: k, ldx: ldx, seed: UInt64(k * 64 + m) + 100)
                for i in 0..<m {
                    for kk in 0..<k { x[i * ldx + kk] *= magnitudes[i % magnitudes.count] }
                }
                let want = quantize(AFK_ISA_PORTABLE, x, m: m, k: k, ldx: ldx, ldq: ldq)
                let got = quantize(isa, x, m: m, k: k, ldx: ldx, ldq: ldq)
                #expect(got.q == want.q && got.scale == want.scale && got.zero == want.zero, "\(kernelName(isa)) k=\(k) m=\(m)")
            }
        }
    }
}
