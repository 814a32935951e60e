import AffordCore
import AffordPostprocess
import Foundation

/// Scores predicted maps against AGD20K ground truth: `<affordance>/<object>/<name>.png` trees.
public struct AffordanceEvaluation: Sendable {
    /// Mean scores over some images.
    public struct Summary: Sendable, Equatable {
        var kld = 0.0, sim = 0.0, nss = 0.0
        var count = 0

        mutating func add(_ scores: SaliencyMetrics.Scores) {
            kld += scores.kld
            sim += scores.sim
            nss += scores.nss
            count += 1
        }

        var mean: Summary {
            guard count > 0 else { return self }
            let n = Double(count)
            return Summary(kld: kld / n, sim: sim / n, nss: nss / n, count: count)
        }

        /// The last line of `affordd eval`.
        public var json: String {
            func number(_ value: Double) -> String { String(format: "%.6f", value) }
            return #"{"KLD":\#(number(kld)),"SIM":\#(number(sim)),"NSS":\#(number(nss)),"count":\#(count)}"#
        }
    }

    /// One GT file and where its counterpart lives, relative to the trees' roots.
    struct Item: Sendable {
        var affordance: String
        /// e.g. `hold/cup/cup_000123.png`.
        var relativePath: String
    }

    private var totals = Summary()
    private var perAffordance: [String: Summary] = [:]

    init() {}

    /// Every `.png` under `gtDirectory` as `<affordance>/<object>/<name>.png`, sorted.
    static func groundTruthItems(in gtDirectory: String) throws -> [Item] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: gtDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AffordError(.io, "ground truth folder \(gtDirectory) does not exist")
        }
        let root = URL(fileURLWithPath: gtDirectory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw AffordError(.io, "cannot list ground truth folder \(gtDirectory)")
        }
        var items: [Item] = []
        for case let url as URL in walker where url.pathExtension.lowercased() == "png" {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            let parts = relative.split(separator: "/")
            guard parts.count == 3 else {
                throw AffordError(.invalidInput,
                    "\(url.path): expected GT/<affordance>/<object>/<name>.png, got \(parts.count) levels")
            }
            items.append(Item(affordance: String(parts[0]), relativePath: relative))
        }
        guard !items.isEmpty else { throw AffordError(.invalidInput, "no ground-truth PNGs under \(gtDirectory)") }
        return items.sorted { $0.relativePath < $1.relativePath }
    }

    /// Scores one image and files it under its affordance.
    mutating func add(prediction: Heatmap, groundTruth: Heatmap, affordance: String) {
        let scores = SaliencyMetrics.score(prediction: prediction, groundTruth: groundTruth)
        totals.add(scores)
        perAffordance[affordance, default: Summary()].add(scores)
    }

    public var overall: Summary { totals.mean }

    /// One aligned line per affordance, alphabetically.
    public var report: [String] {
        perAffordance.keys.sorted().compactMap { name in
            guard let summary = perAffordance[name]?.mean else { return nil }
            return String(format: "%-16@ KLD %.4f  SIM %.4f  NSS %.4f  count %d",
                          name as NSString, summary.kld, summary.sim, summary.nss, summary.count)
        }
    }

    /// `affordd eval --pred --gt`: both trees mirror each other; a missing prediction is an error.
    public static func compare(predictions: String, groundTruth: String) throws -> AffordanceEvaluation {
        var evaluation = AffordanceEvaluation()
        for item in try groundTruthItems(in: groundTruth) {
            let predPath = URL(fileURLWithPath: predictions).appendingPathComponent(item.relativePath).path
            guard FileManager.default.fileExists(atPath: predPath) else {
                throw AffordError(.invalidInput, "no prediction for \(item.relativePath) under \(predictions)")
            }
            let gtPath = URL(fileURLWithPath: groundTruth).appendingPathComponent(item.relativePath).path
            evaluation.add(prediction: try ImageFiles.loadGray(predPath), groundTruth: try ImageFiles.loadGray(gtPath),
                           affordance: item.affordance)
        }
        return evaluation
    }
}
