import AffordCore
import AffordEngine
import Foundation

/// `affordd-bench engine`: int8 and fp32 backbone medians, alternating, then one JSON line.
enum EngineBenchmark {
    static func run(arguments: [String]) throws {
        let options = try BenchOptions(arguments: arguments)
        let backbones = try BenchBackbones(options: options)
        print("threads \(backbones.pool.threads), kernels \(backbones.pool.isaName), input \(options.size)x\(options.size)")
        for precision in Precision.allCases { _ = try backbones.time(precision, runs: options.warmup) }
        var times: [Precision: [Double]] = [:]
        for _ in 0..<options.runs {
            for precision in [Precision.int8, .fp32] { times[precision, default: []] += try backbones.time(precision, runs: 1) }
        }
        let int8 = median(times[.int8] ?? []), fp32 = median(times[.fp32] ?? [])
        print("int8 median \(jsonNumber(int8)) ms, fp32 median \(jsonNumber(fp32)) ms over \(options.runs) runs each")

        let int8CPU = try backbones.cpuTime(.int8, runs: options.runs)
        let fp32CPU = try backbones.cpuTime(.fp32, runs: options.runs)
        print("process CPU per frame: int8 \(jsonNumber(int8CPU)) ms, fp32 \(jsonNumber(fp32CPU)) ms (all threads, spin included)")

        let profile = try backbones.int8.profile(height: options.size, width: options.size, runs: options.runs)
        for (stage, ms) in profile { print("  int8 \(stage): \(jsonNumber(ms)) ms/frame (median)") }

        var fields = ["\"affordd_int8_ms\":\(jsonNumber(int8))", "\"affordd_fp32_ms\":\(jsonNumber(fp32))",
                      "\"affordd_int8_cpu_ms\":\(jsonNumber(int8CPU))", "\"affordd_fp32_cpu_ms\":\(jsonNumber(fp32CPU))",
                      "\"threads\":\(backbones.pool.threads)", "\"isa\":\"\(backbones.pool.isaName)\""]
        if let cosine = try? backbones.cosine(fixtures: options.fixtures) {
            print("int8 vs fp32 token cosine over \(cosine.images) fixture images: mean \(cosine.mean), min \(cosine.min)")
            fields += ["\"cosine_mean\":\(jsonNumber(cosine.mean, digits: 6))", "\"cosine_min\":\(jsonNumber(cosine.min, digits: 6))"]
        }
        emit("{\(fields.joined(separator: ","))}")
    }
}
