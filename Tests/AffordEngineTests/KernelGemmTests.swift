import CAffordKernels
import Testing

/// Every variant must reproduce the reference bit for bit: the integer sums are exact in all
/// of them and they share one float epilogue order (no fused multiply-add), so no rounding
/// difference is expected at all.
private let allowedBitDifference: UInt32 = 0
/// The reference against a Double recomputation of the header's formula.
private let referenceRelativeTolerance = 1e-5

private let rowCounts = [1, 3, 6, 17, 257]
private let columnCounts = [1, 5, 18, 31, 33, 100, 384]
private let depths = [1, 3, 5, 7, 64, 588, 1536]
/// Written where a call must not write (outside its column range, in the ldc padding).
private let untouched: Float = -12345

/// One random GEMM problem with strided A and C and non-trivial zero points.
private struct GemmProblem {
    let m, n, k, lda, ldc: Int
    let a: [UInt8]
    let aScale: [Float]
    let aZero: [Int32]
    let b: [Int8]
    let wScale: [Float]
    let bias: [Float]
    /// For the accumulating GEMM: `C[i][j] += cScale[j] · result`.
    let cScale: [Float]

    /// `weights` (N × K) replaces the random B.
    init(m: Int, n: Int, k: Int, seed: UInt64, weights: [Int8]? = nil) {
        var random = KernelRandom(seed: seed)
        self.m = m; self.n = n; self.k = k
        lda = k + 3
        ldc = n + 5
        a = random.bytes(m * lda)
        aScale = random.floats(m, in: 0.001..<0.1)
        aZero = random.zeroPoints(m)
        b = weights ?? random.signedBytes(n * k)
        wScale = random.floats(n, in: 0.001..<0.05)
        bias = random.floats(n, in: -2..<2)
        cScale = random.floats(n, in: 0.01..<2)
    }

    func reference(withBias: Bool) -> [Float] {
        var c = [Float](repeating: untouched, count: m * ldc)
        withBias ? bias.withUnsafeBufferPointer { run(reference: $0.baseAddress, into: &c) } : run(reference: nil, into: &c)
        return c
    }

    private func run(reference bias: UnsafePointer<Float>?, into c: inout [Float]) {
        afk_gemm_u8s8_f32_ref(Int32(m), Int32(n), Int32(k), a, Int32(lda), aScale, aZero,
                              b, Int32(k), wScale, bias, &c, Int32(ldc))
    }

    func packed(_ isa: afk_isa, weights: OpaquePointer, columns: Range<Int>, withBias: Bool) -> [Float] {
        var c = [Float](repeating: untouched, count: m * ldc)
        bias.withUnsafeBufferPointer { biasBuffer in
            afk_gemm_u8s8_f32(isa, Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound),
                              a, Int32(lda), aScale, aZero, weights, wScale,
                              withBias ? biasBuffer.baseAddress : nil, &c, Int32(ldc))
        }
        return c
    }

    /// The accumulating GEMM into a C of `untouched`, and what it must give: `untouched + cScale[j] · reference`
    /// (a multiply, then an add) inside `columns`, `untouched` elsewhere.
    func accumulated(_ isa: afk_isa, weights: OpaquePointer, columns: Range<Int>, withBias: Bool) -> (actual: [Float], expected: [Float]) {
        var c = [Float](repeating: untouched, count: m * ldc)
        bias.withUnsafeBufferPointer { biasBuffer in
            afk_gemm_u8s8_f32_accumulate(isa, Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound),
                                         a, Int32(lda), aScale, aZero, weights, wScale,
                                         withBias ? biasBuffer.baseAddress : nil, cScale, &c, Int32(ldc))
        }
        var expected = reference(withBias: withBias)
        for i in 0..<m {
            for j in columns {
                let product = cScale[j] * expected[i * ldc + j]
                expected[i * ldc + j] = untouched + product
            }
        }
        return (c, expected)
    }
}

/// Elements where `actual` differs from `expected` restricted to `columns` (else `untouched`).
private func mismatches(_ actual: [Float], _ expected: [Float], problem p: GemmProblem, columns: Range<Int>) -> Int {
    var count = 0
    for i in 0..<p.m {
        for j in 0..<p.ldc {
            let want = columns.contains(j) ? expected[i * p.ldc + j] : untouched
            let got = actual[i * p.ldc + j]
            let distance = want.bitPattern > got.bitPattern ? want.bitPattern - got.bitPattern : got.bitPattern - want.bitPattern
            if distance > allowedBitDifference { count += 1 }
        }
    }
    return count
}

/// Runs `isa` on every odd shape: full range with bias, and a sub-range without.
private func checkMatchesReference(_ isa: afk_isa) throws {
    var seed: UInt64 = 1
    for m in rowCounts {
        for n in columnCounts {
            for k in depths {
                seed += 1
                let problem = GemmProblem(m: m, n: n, k: k, seed: seed)
                let weights = try #require(problem.b.withUnsafeBufferPointer { afk_pack_weights($0.baseAddress, Int32(n), Int32(k)) })
                defer { afk_packed_weights_free(weights) }
                let subRange = n / 3..<max(n / 3 + 1, n - n / 4)
                for (columns, withBias) in [(0..<n, true), (subRange, false)] {
                    let expected = problem.reference(withBias: withBias)
                    let actual = problem.packed(isa, weights: weights, columns: columns, withBias: withBias)
                    let bad = mismatches(actual, expected, problem: problem, columns: columns)
                    #expect(bad == 0, "\(kernelName(isa)) m=\(m) n=\(n) k=\(k) columns=\(columns) bias=\(withBias): \(bad) wrong")
                    let accumulated = problem.accumulated(isa, weights: weights, columns: columns, withBias: withBias)
                    let badSums = mismatches(accumulated.actual, accumulated.expected, problem: problem, columns: columns)
                    #expect(badSums == 0, "\(kernelName(isa)) accumulating m=\(m) n=\(n) k=\(k) columns=\(columns): \(badSums) wrong")
                }
            }
        }
    }
}

@Suite struct KernelGemmTests {
    @Test func portableMatchesReference() throws { try checkMatchesReference(AFK_ISA_PORTABLE) }

    @Test(.enabled(if: kernelSupports(AFK_ISA_AVX2), "this CPU has no AVX2"))
    func avx2MatchesReference() throws { try checkMatchesReference(AFK_ISA_AVX2) }

    @Test(.enabled(if: kernelSupports(AFK_ISA_AVX_VNNI), "this CPU has no AVX-VNNI"))
    func avxVnniMatchesReference() throws { try checkMatchesReference(AFK_ISA_AVX_VNNI) }

    @Test(.enabled(if: kernelSupports(AFK_ISA_AVX512_VNNI), "this CPU has no AVX-512 VNNI"))
    func avx512VnniMatchesReference() throws { try checkMatchesReference(AFK_ISA_AVX512_VNNI) }

    @Test(.enabled(if: kernelSupports(AFK_ISA_NEON), "this CPU has no NEON (scripts/check-arm64.sh runs it under qemu)"))
    func neonMatchesReference() throws { try checkMatchesReference(AFK_ISA_NEON) }

    @Test(.enabled(if: kernelSupports(AFK_ISA_NEON_DOTPROD), "this CPU has no NEON dot product (scripts/check-arm64.sh runs it under qemu)"))
    func neonDotprodMatchesReference() throws { try checkMatchesReference(AFK_ISA_NEON_DOTPROD) }

    /// The reference itself against the header's formula, recomputed in Double.
    @Test func referenceFollowsTheHeaderFormula() {
        let p = GemmProblem(m: 5, n: 7, k: 37, seed: 99)
        let c = p.reference(withBias: true)
        for i in 0..<p.m {
            for j in 0..<p.n {
                var dot = 0.0
                for kk in 0..<p.k {
                    dot += Double(Int32(p.a[i * p.lda + kk]) - p.aZero[i]) * Double(p.b[j * p.k + kk])
                }
                let want = Double(p.aScale[i]) * Double(p.wScale[j]) * dot + Double(p.bias[j])
                let got = Double(c[i * p.ldc + j])
                #expect(abs(got - want) <= referenceRelativeTolerance * max(1, abs(want)), "i=\(i) j=\(j)")
            }
        }
    }

    /// 255 x 127 pairs overflow int16 (what vpmaddubsw would saturate); every variant must stay exact.
    @Test(arguments: allKernelISAs.filter(kernelSupports))
    func extremeValuesStayExact(isa: afk_isa) throws {
        let m = 3, n = 20, k = 1536
        let a = [UInt8](repeating: 255, count: m * k)
        let b = (0..<n * k).map { index -> Int8 in (index / k) % 2 == 0 ? 127 : -128 }
        let aScale = [Float](repeating: 1, count: m), aZero = [Int32](repeating: 0, count: m)
        let wScale = [Float](repeating: 1, count: n)
        let weights = try #require(b.withUnsafeBufferPointer { afk_pack_weights($0.baseAddress, Int32(n), Int32(k)) })
        defer { afk_packed_weights_free(weights) }
        var c = [Float](repeating: 0, count: m * n)
        afk_gemm_u8s8_f32(isa, Int32(m), 0, Int32(n), a, Int32(k), aScale, aZero, weights, wScale, nil, &c, Int32(n))
        for j in 0..<n {
            let want = Float(255 * k * (j % 2 == 0 ? 127 : -128))
            #expect(c[j] == want && c[n + j] == want && c[2 * n + j] == want, "\(kernelName(isa)) column \(j)")
        }
    }

    /// Packing into one reused buffer full of garbage (as attention does every frame) must
    /// zero the padding itself and give the reference results, for every shape in turn.
    @Test(arguments: allKernelISAs.filter(kernelSupports))
    func packingIntoAReusedBufferMatchesReference(isa: afk_isa) throws {
        let shapes = [(257, 64), (64, 257), (5, 7), (33, 588), (1, 1)]
        let bytes = shapes.map { afk_packed_weights_size(Int32($0.0), Int32($0.1)) }.max() ?? 0
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0x5A, count: bytes)
        for (index, (n, k)) in shapes.enumerated() {
            let problem = GemmProblem(m: 17, n: n, k: k, seed: 900 + UInt64(index))
            let weights = try #require(problem.b.withUnsafeBufferPointer {
                afk_pack_weights_into($0.baseAddress, Int32(n), Int32(k), buffer, bytes)
            })
            #expect(afk_packed_weights_n(weights) == Int32(n) && afk_packed_weights_k(weights) == Int32(k))
            let actual = problem.packed(isa, weights: weights, columns: 0..<n, withBias: true)
            let bad = mismatches(actual, problem.reference(withBias: true), problem: problem, columns: 0..<n)
            #expect(bad == 0, "\(kernelName(isa)) n=\(n) k=\(k): \(bad) wrong")
            afk_packed_weights_free(weights)  // a no-op for caller buffers
        }
    }

    /// Attention's K (by rows) and V (by columns) are quantized and packed in one pass. Into a
    /// reused buffer full of garbage, every ISA must give the definition's scales and, through
    /// the GEMM, the reference's results for codes quantized here by that definition.
    @Test(arguments: allKernelISAs.filter(kernelSupports))
    func quantizedPackingMatchesItsDefinition(isa: afk_isa) throws {
        let shapes = [(257, 64), (64, 257), (5, 7), (33, 588), (1, 1), (17, 3)]
        let bytes = shapes.map { afk_packed_weights_size(Int32($0.0), Int32($0.1)) }.max() ?? 0
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0x5A, count: bytes)
        for (index, (n, k)) in shapes.enumerated() {
            for byColumns in [false, true] {
                var random = KernelRandom(seed: 700 + UInt64(index))
                let ldx = (byColumns ? n : k) + 3
                let at = { (j: Int, kk: Int) in byColumns ? kk * ldx + j : j * ldx + kk }
                var x = random.floats((byColumns ? k : n) * ldx, in: -4..<4)
                for kk in 0..<k { x[at(0, kk)] = 0 }  // an all-zero column: scale 1, codes 0
                var wantScale = [Float](), codes = [Int8](repeating: 0, count: n * k)
                for j in 0..<n {
                    let peak = (0..<k).map { abs(x[at(j, $0)]) }.max() ?? 0
                    let scale: Float = peak > 0 ? peak / 127 : 1
                    wantScale.append(scale)
                    for kk in 0..<k {
                        codes[j * k + kk] = Int8(min(127, max(-127, x[at(j, kk)] * (1 / scale))).rounded(.toNearestOrEven))
                    }
                }
                var scale = [Float](repeating: .nan, count: n)
                let weights = try #require(byColumns
                    ? afk_pack_quantized_columns(isa, x, Int32(k), Int32(n), Int32(ldx), &scale, buffer, bytes)
                    : afk_pack_quantized_rows(isa, x, Int32(n), Int32(k), Int32(ldx), &scale, buffer, bytes))
                let label = "\(kernelName(isa)) n=\(n) k=\(k) \(byColumns ? "columns" : "rows")"
                #expect(afk_packed_weights_n(weights) == Int32(n) && afk_packed_weights_k(weights) == Int32(k), "\(label)")
                #expect(scale == wantScale, "\(label): scales")
                let problem = GemmProblem(m: 17, n: n, k: k, seed: 800 + UInt64(index), weights: codes)
                let actual = problem.packed(isa, weights: weights, columns: 0..<n, withBias: true)
                let bad = mismatches(actual, problem.reference(withBias: true), problem: problem, columns: 0..<n)
                #expect(bad == 0, "\(label): \(bad) wrong")
            }
        }
        let x = [Float](repeating: 1, count: 8)
        var scale = [Float](repeating: 0, count: 8)
        #expect(afk_pack_quantized_rows(isa, x, 2, 4, 3, &scale, buffer, bytes) == nil)  // ldx < k
        #expect(afk_pack_quantized_columns(isa, x, 4, 2, 1, &scale, buffer, bytes) == nil)  // ldx < n
        #expect(afk_pack_quantized_rows(isa, x, 2, 4, 4, &scale, buffer + 8, bytes) == nil)  // misaligned
    }

    @Test func packingIntoRejectsSmallOrMisalignedBuffers() {
        let b = [Int8](repeating: 1, count: 33 * 7)
        let bytes = afk_packed_weights_size(33, 7)
        #expect(bytes > 33 * 7)
        #expect(afk_packed_weights_size(0, 7) == 0 && afk_packed_weights_size(3, 65537) == 0)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes + 64, alignment: 64)
        defer { buffer.deallocate() }
        b.withUnsafeBufferPointer { b in
            #expect(afk_pack_weights_into(b.baseAddress, 33, 7, buffer, bytes - 1) == nil)
            #expect(afk_pack_weights_into(b.baseAddress, 33, 7, buffer + 8, bytes) == nil)
            #expect(afk_pack_weights_into(b.baseAddress, 33, 7, buffer, bytes) != nil)
        }
    }

    @Test func packedWeightsKeepTheirShape() throws {
        let b = [Int8](repeating: 1, count: 33 * 7)
        let weights = try #require(b.withUnsafeBufferPointer { afk_pack_weights($0.baseAddress, 33, 7) })
        defer { afk_packed_weights_free(weights) }
        #expect(afk_packed_weights_n(weights) == 33)
        #expect(afk_packed_weights_k(weights) == 7)
        #expect(b.withUnsafeBufferPointer { afk_pack_weights($0.baseAddress, 0, 7) } == nil)
    }
}
