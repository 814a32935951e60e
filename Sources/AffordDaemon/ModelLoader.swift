import AffordCore
import AffordEngine
import Foundation
import Logging

/// Builds the grounder a config or the command line names.
public enum ModelLoader {
    /// Loads backbone + head, run at the configured input size or else the head's own.
    /// `realTime` says whether frames come paced (cameras, replay at recorded pace) rather than
    /// as fast as the pipeline takes them; it decides pinning where the config does not.
    public static func grounder(_ model: ModelConfig, realTime: Bool = true) throws -> any AffordanceGrounder {
        for (key, path) in [("model.backbone", model.backbone), ("model.head", model.head)]
        where !FileManager.default.fileExists(atPath: path) {
            throw AffordError(.invalidConfig, "\(key): no such file \(path)")
        }
        let pin = pinsThreads(model, realTime: realTime)
        let engine = try GroundingEngine(backbonePath: model.backbone, headPath: model.head,
                                         precision: Precision(rawValue: model.precision) ?? .int8,
                                         threads: model.threads, inputSize: model.inputSize, pinThreads: pin)
        if pin && model.threads > 1 && !engine.threadsPinned {
            Logger(label: "affordd").warning("model.pin_threads: could not give each of the \(model.threads) engine threads a CPU (too few allowed, or sched_setaffinity refused); running unpinned")
        }
        return engine
    }

    /// Pinned threads keep a paced frame's p99 near its median: a worker that slept between
    /// frames no longer wakes on the caller's core (docs/ENGINE.md, "Where the tail comes
    /// from"). Unpaced, the scheduler's freedom to place the other stages' threads is worth
    /// more: lossless replay ran 0.83-0.85 of the engine's throughput pinned, 0.90 unpinned.
    static func pinsThreads(_ model: ModelConfig, realTime: Bool) -> Bool { model.pinThreads ?? realTime }
}
