import AffordCore
import AffordEngine
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

/// Both precisions of the backbone on one pool, plus a fixed input to time.
struct BenchBackbones {
    let pool: ComputePool
    let fp32: Backbone
    let int8: Backbone
    let input: [Float]
    let size: Int

    init(options: BenchOptions) throws {
        pool = try ComputePool(threads: options.threads)
        fp32 = try Backbone(path: options.models + "/dinov2_vits14.fp32.safetensors", precision: .fp32, pool: pool)
        int8 = try Backbone(path: options.models + "/dinov2_vits14.int8.safetensors", precision: .int8, pool: pool)
        size = options.size
        // A smooth deterministic pattern: timings do not depend on pixel values.
        let plane = size * size
        input = (0..<(3 * plane)).map { Float(sin(Double($0 % plane) * 0.001 + Double($0 / plane))) }
    }

    func backbone(_ precision: Precision) -> Backbone { precision == .int8 ? int8 : fp32 }

    /// Wall times in milliseconds of `runs` forward passes.
    func time(_ precision: Precision, runs: Int) throws -> [Double] {
        let backbone = backbone(precision)
        return try (0..<runs).map { _ in
            let start = MonotonicClock.nowNs()
            try backbone.run(height: size, width: size, fill: { target in
                _ = target.update(fromContentsOf: input)
            }, consume: { _ in })
            return Double(MonotonicClock.nowNs() - start) / 1e6
        }
    }

    /// Process CPU milliseconds per forward pass, median of `runs` (at one thread: the work itself,
    /// unaffected by other processes on a loaded machine).
    func cpuTime(_ precision: Precision, runs: Int) throws -> Double {
        let backbone = backbone(precision)
        return median(try (0..<runs).map { _ in
            let start = Self.processCPUNs()
            try backbone.run(height: size, width: size, fill: { target in
                _ = target.update(fromContentsOf: input)
            }, consume: { _ in })
            return Double(Self.processCPUNs() - start) / 1e6
        })
    }

    static func processCPUNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Per-token cosine of int8 against fp32 over the fixture images (`backbone_*.safetensors`).
    func cosine(fixtures: String) throws -> (mean: Double, min: Double, images: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        let files = names.filter { $0.hasPrefix("backbone_") && $0.hasSuffix(".safetensors") }.sorted()
        guard !files.isEmpty else { throw AffordError(.io, "no backbone_*.safetensors fixtures in \(fixtures)") }
        var cosines: [Double] = []
        for name in files {
            let file = try SafetensorsFile(path: fixtures + "/" + name)
            let info = try file.info("input")
            let input = Array(try file.floats("input"))
            let (height, width) = (info.shape[2], info.shape[3])
            let exact = try fp32.tokens(input: input, height: height, width: width)
            let quantized = try int8.tokens(input: input, height: height, width: width)
            cosines += ParityMetrics.rowCosines(quantized, exact, dim: fp32.config.embedDim)
        }
        return (cosines.reduce(0, +) / Double(cosines.count), cosines.min() ?? 0, files.count)
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
