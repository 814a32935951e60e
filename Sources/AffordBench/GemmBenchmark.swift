import AffordCore
import CAffordKernels

/// `affordd-bench gemm`: times every kernel variant on the ViT-S/14 GEMM shapes at 1 and 2
/// threads and compares them with the measured multiply-accumulate peak.
/// Options: `--runs N` (default 30), `--isa avx512_vnni|avx_vnni|avx2|neon_dotprod|neon|portable`.
enum GemmBenchmark {
    struct Shape {
        let name: String
        let m, n, k: Int
        /// How often the backbone runs it per 224x224 frame.
        let perFrame: Int
    }

    static let shapes = [
        Shape(name: "qkv", m: 257, n: 1152, k: 384, perFrame: 12),
        Shape(name: "attn_out", m: 257, n: 384, k: 384, perFrame: 12),
        Shape(name: "fc1", m: 257, n: 1536, k: 384, perFrame: 12),
        Shape(name: "fc2", m: 257, n: 384, k: 1536, perFrame: 12),
        Shape(name: "patch_embed", m: 256, n: 384, k: 588, perFrame: 1),
        // Attention, per head: QKᵀ (keys as weights) and PV (values as weights). The engine runs
        // heads in parallel, so their 1-thread times are the ones that count.
        Shape(name: "attn_qk", m: 257, n: 257, k: 64, perFrame: 72),
        Shape(name: "attn_pv", m: 257, n: 64, k: 257, perFrame: 72),
    ]

    struct Result {
        let isa: afk_isa
        let shape: Shape
        let threads: Int
        let medianMs: Double
        /// The fastest run: what the hardware does when no other process takes the cores.
        let bestMs: Double
        let gops: Double
        let peakShare: Double
    }

    /// Column splits land on multiples of this: the AVX-512 kernel's 64-column blocks.
    static let columnAlignment = 64
    static let tasksPerThread = 3

    static func run(arguments: [String]) {
        let runs = option("--runs", in: arguments) ?? 30
        // `--isa NAME` times that variant only.
        let only = arguments.firstIndex(of: "--isa").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        let isas = allISAs.filter { afk_isa_supported($0) != 0 && (only == nil || name($0) == only) }
        var peaks: [(afk_isa, Double)] = []
        var results: [Result] = []
        for isa in isas {
            let peak = afk_dot_peak_gops(isa)
            peaks.append((isa, peak))
            print("\(name(isa)): peak \(format(peak)) GOPS per thread (multiply-accumulate throughput)")
            // The portable kernel is a correctness fallback; a few runs say enough.
            let isaRuns = isa == AFK_ISA_PORTABLE ? min(runs, 3) : runs
            for threads in [1, 2] {
                guard let pool = afk_pool_create(Int32(threads)) else { continue }
                defer { afk_pool_destroy(pool) }
                for shape in shapes {
                    let times = timesMs(shape: shape, isa: isa, pool: pool, threads: threads, runs: isaRuns)
                    let ms = times[times.count / 2]
                    let gops = 2 * Double(shape.m * shape.n * shape.k) / (ms * 1e6)
                    let share = peak > 0 ? gops / (peak * Double(threads)) : 0
                    results.append(Result(isa: isa, shape: shape, threads: threads, medianMs: ms, bestMs: times[0], gops: gops, peakShare: share))
                    print("  \(threads)t \(shape.name + String(repeating: " ", count: max(0, 12 - shape.name.count))) m=\(shape.m) n=\(shape.n) k=\(shape.k): "
                        + "median \(format(ms, digits: 3)) ms (best \(format(times[0], digits: 3)))  \(format(gops)) GOPS  \(format(100 * share)) % of peak")
                }
            }
        }
        let quantize = isas.map { isa in (isa, quantizeMedianUs(isa: isa, runs: runs)) }
        for (isa, us) in quantize {
            print("\(name(isa)): quantize 257x384 \(format(us.0, digits: 2)) us, 257x1536 \(format(us.1, digits: 2)) us (1 thread, median)")
        }
        let dispatchUs = emptyRunMedianUs(runs: max(runs, 1000))
        print("pool: empty 2-thread parallel-for \(format(dispatchUs, digits: 2)) us (median)")
        print(json(peaks: peaks, results: results, quantize: quantize, dispatchUs: dispatchUs))
    }

    /// What one parallel region costs before any work: publish, wake, claim, join.
    private static func emptyRunMedianUs(runs: Int) -> Double {
        guard let pool = afk_pool_create(2) else { return .nan }
        defer { afk_pool_destroy(pool) }
        var times: [Double] = []
        for iteration in 0..<(runs + 10) {
            let start = MonotonicClock.nowNs()
            afk_pool_run(pool, 2, { _, _, _ in }, nil)
            if iteration >= 10 { times.append(Double(MonotonicClock.nowNs() - start) / 1e3) }
        }
        return times.sorted()[times.count / 2]
    }

    /// Median single-thread time of quantizing one block's GEMM inputs (k = 384 and 1536).
    private static func quantizeMedianUs(isa: afk_isa, runs: Int) -> (Double, Double) {
        func median(k: Int) -> Double {
            let m = 257
            let x = (0..<m * k).map { Float(($0 &* 7919) % 2001 - 1000) * 0.003 }
            var q = [UInt8](repeating: 0, count: m * k)
            var scale = [Float](repeating: 0, count: m), zero = [Int32](repeating: 0, count: m)
            var times: [Double] = []
            for iteration in 0..<(runs + 3) {
                let start = MonotonicClock.nowNs()
                afk_quantize_rows_u8(isa, x, Int32(m), Int32(k), Int32(k), &q, Int32(k), &scale, &zero)
                if iteration >= 3 { times.append(Double(MonotonicClock.nowNs() - start) / 1e3) }
            }
            return times.sorted()[times.count / 2]
        }
        return (median(k: 384), median(k: 1536))
    }

    private static let allISAs: [afk_isa] = [
        AFK_ISA_AVX512_VNNI, AFK_ISA_AVX_VNNI, AFK_ISA_AVX2, AFK_ISA_NEON_DOTPROD, AFK_ISA_NEON, AFK_ISA_PORTABLE,
    ]

    /// Everything one timed call needs, shared read-only with the pool's threads.
    private struct Job {
        let isa: afk_isa
        let m, k: Int
        let a: UnsafePointer<UInt8>
        let aScale: UnsafePointer<Float>
        let aZero: UnsafePointer<Int32>
        let weights: OpaquePointer
        let wScale, bias: UnsafePointer<Float>
        let c: UnsafeMutablePointer<Float>
        let n: Int
        let columns: [Range<Int>]
    }

    private static let runJobChunk: afk_task_fn = { context, task, _ in
        guard let job = context?.assumingMemoryBound(to: Job.self).pointee else { return }
        let columns = job.columns[Int(task)]
        afk_gemm_u8s8_f32(job.isa, Int32(job.m), Int32(columns.lowerBound), Int32(columns.upperBound),
                          job.a, Int32(job.k), job.aScale, job.aZero, job.weights, job.wScale, job.bias,
                          job.c, Int32(job.n))
    }

    /// Sorted wall times of `runs` calls after 3 warm-up calls.
    private static func timesMs(shape: Shape, isa: afk_isa, pool: OpaquePointer, threads: Int, runs: Int) -> [Double] {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: m * k)
        let aScale = UnsafeMutablePointer<Float>.allocate(capacity: m)
        let aZero = UnsafeMutablePointer<Int32>.allocate(capacity: m)
        let wScale = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let bias = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer {
            a.deallocate(); aScale.deallocate(); aZero.deallocate()
            wScale.deallocate(); bias.deallocate(); c.deallocate()
        }
        for index in 0..<m * k { a[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        for i in 0..<m { aScale[i] = 0.01; aZero[i] = Int32(i % 256) }
        for j in 0..<n { wScale[j] = 0.002; bias[j] = Float(j % 7) }
        let b = (0..<n * k).map { Int8(truncatingIfNeeded: $0 &* 40503 >> 5) }
        guard let weights = b.withUnsafeBufferPointer({ afk_pack_weights($0.baseAddress, Int32(n), Int32(k)) }) else { return [.nan] }
        defer { afk_packed_weights_free(weights) }

        var job = Job(isa: isa, m: m, k: k, a: a, aScale: aScale, aZero: aZero, weights: weights,
                      wScale: wScale, bias: bias, c: c, n: n, columns: split(n, parts: threads))
        let tasks = Int32(job.columns.count)
        var times: [Double] = []
        withUnsafeMutablePointer(to: &job) { context in
            for iteration in 0..<(runs + 3) {
                let start = MonotonicClock.nowNs()
                afk_pool_run(pool, tasks, runJobChunk, context)
                if iteration >= 3 { times.append(Double(MonotonicClock.nowNs() - start) / 1e6) }
            }
        }
        return times.sorted()
    }

    /// `0..<n` in blocks of `columnAlignment` columns, at least `tasksPerThread` per thread
    /// where n allows, for the pool to balance (tasks are claimed dynamically).
    private static func split(_ n: Int, parts: Int) -> [Range<Int>] {
        let units = (n + columnAlignment - 1) / columnAlignment
        let tasks = max(1, min(units, parts == 1 ? 1 : parts * tasksPerThread))
        return (0..<tasks).map { task in
            let lower = min(n, units * task / tasks * columnAlignment)
            let upper = task == tasks - 1 ? n : min(n, units * (task + 1) / tasks * columnAlignment)
            return lower..<upper
        }
    }

    private static func option(_ flag: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }

    private static func name(_ isa: afk_isa) -> String { String(cString: afk_isa_name(isa)) }

    private static func format(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }

    /// One line: peaks per variant, every timing, and the per-frame GEMM time of each variant at 2 threads.
    private static func json(peaks: [(afk_isa, Double)], results: [Result], quantize: [(afk_isa, (Double, Double))], dispatchUs: Double) -> String {
        let peakFields = peaks.map { "\"\(name($0.0))\":\(format($0.1))" }.joined(separator: ",")
        let rows = results.map { r in
            "{\"isa\":\"\(name(r.isa))\",\"shape\":\"\(r.shape.name)\",\"m\":\(r.shape.m),\"n\":\(r.shape.n),\"k\":\(r.shape.k),"
                + "\"threads\":\(r.threads),\"median_ms\":\(format(r.medianMs, digits: 4)),\"best_ms\":\(format(r.bestMs, digits: 4)),\"gops\":\(format(r.gops)),"
                + "\"peak_share\":\(format(r.peakShare, digits: 3))}"
        }.joined(separator: ",")
        let frameFields = peaks.map { isa, _ in
            let frameMs = results.filter { $0.isa == isa && $0.threads == 2 }
                .reduce(0) { $0 + $1.medianMs * Double($1.shape.perFrame) }
            return "\"\(name(isa))\":\(format(frameMs, digits: 3))"
        }.joined(separator: ",")
        let quantizeFields = quantize.map { isa, us in
            "\"\(name(isa))\":{\"k384_us\":\(format(us.0, digits: 2)),\"k1536_us\":\(format(us.1, digits: 2))}"
        }.joined(separator: ",")
        return "{\"bench\":\"gemm\",\"peak_gops_per_thread\":{\(peakFields)},\"backbone_gemm_ms_2t\":{\(frameFields)},"
            + "\"quantize_257_rows\":{\(quantizeFields)},\"pool_dispatch_us\":\(format(dispatchUs, digits: 2)),\"results\":[\(rows)]}"
    }
}
