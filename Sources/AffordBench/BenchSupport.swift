import AffordCore
import AffordEngine
import CAffordKernels
import Foundation

/// Command-line options and timing helpers shared by the engine benchmarks.
struct BenchOptions {
    var models = "models"
    var fixtures = "fixtures"
    var threads: Int?
    var runs = 30
    var warmup = 5
    var size = 224
    /// A head file: also time `GroundingEngine.ground` end to end (preprocess, backbone, head).
    var head: String?

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw AffordError(.invalidConfig, "\(flag) needs a value") }
            switch flag {
            case "--models": models = value
            case "--fixtures": fixtures = value
            case "--threads": threads = try Self.positive(flag, value)
            case "--runs": runs = try Self.positive(flag, value)
            case "--warmup": warmup = try Self.positive(flag, value)
            case "--size": size = try Self.positive(flag, value)
            case "--head": head = value
            default: throw AffordError(.invalidConfig, "unknown option \(flag)")
            }
        }
    }

    private static func positive(_ flag: String, _ value: String) throws -> Int {
        guard let number = Int(value), number >= 0 else { throw AffordError(.invalidConfig, "\(flag) wants a number, got '\(value)'") }
        return number
    }
}

/// The small benchmarks' shared ends: reading `--flag N`, and printing a table plus the JSON last line.
enum BenchReport {
    /// The number after `flag`, or `fallback` when the flag is absent; a flag without a number is an error.
    static func number(_ flag: String, in arguments: [String], default fallback: Int) throws -> Int {
        guard let index = arguments.firstIndex(of: flag) else { return fallback }
        guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else {
            throw AffordError(.invalidConfig, "\(flag) wants a positive number")
        }
        return value
    }

    /// Runs `measure`, prints its rows and then one JSON line; a failure prints `{"<errorKey>": …}` and exits 1.
    static func run(_ name: String, errorKey: String, labelWidth: Int, _ measure: () throws -> [(String, Double)]) {
        do {
            let results = try measure()
            for (key, value) in results { print("\(key.padding(toLength: labelWidth, withPad: " ", startingAt: 0)) \(format(value))") }
            print("{" + results.map { "\"\($0.0)\": \(format($0.1))" }.joined(separator: ", ") + "}")
        } catch {
            print("\(name) benchmark failed: \(error)")
            print("{\"\(errorKey)\": \"\(error)\"}")
            exit(1)
        }
    }

    /// Three decimals, as JSON reads it.
    static func format(_ value: Double) -> String { String((value * 1000).rounded() / 1000) }
}

/// Both precisions of the backbone on one pool, plus fixed inputs to time.
struct BenchBackbones {
    let pool: ComputePool
    let fp32: Backbone
    let int8: Backbone
    let size: Int

    init(options: BenchOptions) throws {
        pool = try ComputePool(threads: options.threads)
        fp32 = try Backbone(path: options.models + "/dinov2_vits14.fp32.safetensors", precision: .fp32, pool: pool)
        int8 = try Backbone(path: options.models + "/dinov2_vits14.int8.safetensors", precision: .int8, pool: pool)
        size = options.size
    }

    func backbone(_ precision: Precision) -> Backbone { precision == .int8 ? int8 : fp32 }

    /// A smooth deterministic CHW pattern: timings do not depend on pixel values.
    static func pattern(size: Int) -> [Float] {
        let plane = size * size
        return (0..<(3 * plane)).map { Float(sin(Double($0 % plane) * 0.001 + Double($0 / plane))) }
    }

    /// Wall times in milliseconds of `runs` forward passes of `batch` images of `size` (default: the option's).
    func time(_ precision: Precision, runs: Int, size: Int? = nil, batch: Int = 1) throws -> [Double] {
        let backbone = backbone(precision)
        let side = size ?? self.size
        let input = Self.pattern(size: side)
        return try (0..<runs).map { _ in
            let start = MonotonicClock.nowNs()
            try backbone.run(height: side, width: side, batch: batch, fill: { _, target in
                _ = target.update(fromContentsOf: input)
            }, consume: { _ in })
            return Double(MonotonicClock.nowNs() - start) / 1e6
        }
    }

    /// Process CPU milliseconds per forward pass, median of `runs` (at one thread: the work itself,
    /// unaffected by other processes on a loaded machine).
    func cpuTime(_ precision: Precision, runs: Int) throws -> Double {
        let backbone = backbone(precision)
        let input = Self.pattern(size: size)
        return median(try (0..<runs).map { _ in
            let start = Self.processCPUNs()
            try backbone.run(height: size, width: size, fill: { target in
                _ = target.update(fromContentsOf: input)
            }, consume: { _ in })
            return Double(Self.processCPUNs() - start) / 1e6
        })
    }

    /// The GEMM floor of one forward pass at `size`: every multiply-accumulate of the backbone's
    /// matrix products (patch embedding, q/k/v, projection, MLP, QKᵀ and PV) at the kernel's
    /// peak measured now with every pool thread running it at once. What the frame would cost
    /// if nothing but multiply-accumulates took time.
    func gemmFloor(size: Int) throws -> (macs: Double, peakGops: Double, ms: Double) {
        let config = int8.config
        let grid = try int8.grid(height: size, width: size)
        let patches = Double(grid.rows * grid.columns), tokens = patches + 1
        let dim = Double(config.embedDim), hidden = Double(config.mlpHidden)
        let perBlock = tokens * dim * (3 * dim + dim + 2 * hidden) + 2 * tokens * tokens * dim
        let embedding = patches * Double(3 * config.patchSize * config.patchSize) * dim
        let macs = Double(config.depth) * perBlock + embedding
        let peak = Self.concurrentPeakGops(isa: pool.isa, threads: pool.threads)
        return (macs, peak, peak > 0 ? 2 * macs / (peak * 1e6) : .nan)
    }

    /// The multiply-accumulate peak (int8 GOPS) of `threads` threads running it at the same
    /// time: less than `threads` times one thread's where cores share a physical core or a busy host.
    static func concurrentPeakGops(isa: afk_isa, threads: Int) -> Double {
        let peaks = Shared([Double](repeating: 0, count: threads))
        let workers = (0..<threads).map { index in
            OwnedThread(name: "peak-\(index)") {
                let gops = afk_dot_peak_gops(isa)
                peaks.withLock { $0[index] = gops }
            }
        }
        for worker in workers { worker.join() }
        return peaks.withLock { $0.reduce(0, +) }
    }

    static func processCPUNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Per-token cosine of int8 against fp32 over the fixture images (`backbone_*.safetensors`).
    func cosine(fixtures: String) throws -> (mean: Double, min: Double, images: Int) {
        try cosines(fixtures: fixtures) { file, input, height, width in
            try fp32.tokens(input: input, height: height, width: width)
        }
    }

    /// Per-token cosine of int8 against the fixtures' own `tokens` (onnxruntime fp32 on the
    /// original graph: the reference every peer in `make bench` is held to), over the
    /// fixtures of `size`×`size`.
    func referenceCosine(fixtures: String, size: Int) throws -> (mean: Double, min: Double, images: Int) {
        try cosines(fixtures: fixtures, size: size) { file, _, _, _ in Array(try file.floats("tokens")) }
    }

    private func cosines(
        fixtures: String, size: Int? = nil,
        reference: (SafetensorsFile, [Float], Int, Int) throws -> [Float]
    ) throws -> (mean: Double, min: Double, images: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        var cosines: [Double] = []
        var images = 0
        for name in names.sorted() where name.hasPrefix("backbone_") && name.hasSuffix(".safetensors") {
            let file = try SafetensorsFile(path: fixtures + "/" + name)
            let info = try file.info("input")
            guard info.shape.count == 4 else { throw AffordError(.invalidModel, "\(name): input shape \(info.shape)") }
            let (height, width) = (info.shape[2], info.shape[3])
            if let size, (height, width) != (size, size) { continue }
            let input = Array(try file.floats("input"))
            let quantized = try int8.tokens(input: input, height: height, width: width)
            cosines += ParityMetrics.rowCosines(quantized, try reference(file, input, height, width), dim: int8.config.embedDim)
            images += 1
        }
        guard images > 0 else { throw AffordError(.io, "no backbone_*.safetensors fixtures\(size.map { " of \($0)x\($0)" } ?? "") in \(fixtures)") }
        return (cosines.reduce(0, +) / Double(cosines.count), cosines.min() ?? 0, images)
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func jsonNumber(_ value: Double, digits: Int = 3) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "null"
}

/// Prints and flushes at once (the bench driver reads line by line through a pipe).
func emit(_ line: String) {
    print(line)
    fflush(nil)
}
