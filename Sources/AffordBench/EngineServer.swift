import AffordCore
import AffordEngine
import Foundation

/// `affordd-bench engine-server`: a line protocol so `make bench` can interleave affordd
/// with onnxruntime runs in one session.
///
///     → {"ready":true}
///     run int8 N | run fp32 N   → {"precision":"int8","ms":[...]}
///     cosine                    → {"cosine_mean":x,"cosine_min":y}
///     quit
enum EngineServer {
    static func run(arguments: [String]) throws {
        let options = try BenchOptions(arguments: arguments)
        let backbones = try BenchBackbones(options: options)
        emit("{\"ready\":true}")
        while let line = readLine() {
            let words = line.split(separator: " ").map(String.init)
            switch words.first {
            case "run":
                guard words.count == 3, let precision = Precision(rawValue: words[1]), let runs = Int(words[2]), runs > 0 else {
                    emit("{\"error\":\"usage: run int8|fp32 N\"}")
                    continue
                }
                let ms = try backbones.time(precision, runs: runs)
                emit("{\"precision\":\"\(precision.rawValue)\",\"ms\":[\(ms.map { jsonNumber($0) }.joined(separator: ","))]}")
            case "cosine":
                do {
                    let result = try backbones.cosine(fixtures: options.fixtures)
                    emit("{\"cosine_mean\":\(jsonNumber(result.mean, digits: 6)),\"cosine_min\":\(jsonNumber(result.min, digits: 6))}")
                } catch {
                    emit("{\"error\":\"\(error)\"}")
                }
            case "quit":
                return
            case nil:
                continue
            default:
                emit("{\"error\":\"unknown command '\(words[0])'\"}")
            }
        }
    }
}
