import AffordCore
import AffordEngine
import Foundation

/// `affordd-bench engine-server`: a line protocol so `make bench` can interleave affordd
/// with onnxruntime runs in one session.
///
///     → {"ready":true}
///     run int8|fp32 N [SIZE [BATCH]]  → {"precision":"int8","size":224,"batch":1,"ms":[...]}  (ms per pass)
///     cosine                          → {"cosine_mean":x,"cosine_min":y}
///     reference SIZE                  → {"cosine_mean":x,"cosine_min":y,"images":n}  (int8 vs the fixtures' tokens)
///     floor SIZE                      → {"macs":m,"peak_gops":p,"floor_ms":f}
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
                guard (3...5).contains(words.count), let precision = Precision(rawValue: words[1]),
                      let runs = Int(words[2]), (1...10_000).contains(runs),
                      let size = words.count > 3 ? Int(words[3]) : options.size, (14...1024).contains(size),
                      let batch = words.count > 4 ? Int(words[4]) : 1, (1...Backbone.maximumBatch).contains(batch) else {
                    emit("{\"error\":\"usage: run int8|fp32 N [SIZE [BATCH]]\"}")
                    continue
                }
                let ms = try backbones.time(precision, runs: runs, size: size, batch: batch)
                emit("{\"precision\":\"\(precision.rawValue)\",\"size\":\(size),\"batch\":\(batch),"
                     + "\"ms\":[\(ms.map { jsonNumber($0) }.joined(separator: ","))]}")
            case "reference":
                guard words.count == 2, let size = Int(words[1]), (14...1024).contains(size) else {
                    emit("{\"error\":\"usage: reference SIZE\"}")
                    continue
                }
                do {
                    let result = try backbones.referenceCosine(fixtures: options.fixtures, size: size)
                    emit("{\"cosine_mean\":\(jsonNumber(result.mean, digits: 6)),\"cosine_min\":\(jsonNumber(result.min, digits: 6)),"
                         + "\"images\":\(result.images)}")
                } catch {
                    emit("{\"error\":\"\(error)\"}")
                }
            case "floor":
                guard words.count == 2, let size = Int(words[1]), (14...1024).contains(size),
                      let floor = try? backbones.gemmFloor(size: size) else {
                    emit("{\"error\":\"usage: floor SIZE (a multiple of the patch)\"}")
                    continue
                }
                emit("{\"macs\":\(jsonNumber(floor.macs, digits: 0)),\"peak_gops\":\(jsonNumber(floor.peakGops, digits: 1)),"
                     + "\"floor_ms\":\(jsonNumber(floor.ms))}")
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
