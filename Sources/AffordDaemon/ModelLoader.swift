import AffordCore
import AffordEngine
import Foundation

/// Builds the grounder a config or the command line names.
public enum ModelLoader {
    /// Loads backbone + head; with `checkInputSize` the head must match the configured input size.
    public static func grounder(_ model: ModelConfig, checkInputSize: Bool = true) throws -> any AffordanceGrounder {
        for (key, path) in [("model.backbone", model.backbone), ("model.head", model.head)]
        where !FileManager.default.fileExists(atPath: path) {
            throw AffordError(.invalidConfig, "\(key): no such file \(path)")
        }
        let engine = try GroundingEngine(backbonePath: model.backbone, headPath: model.head,
                                         precision: Precision(rawValue: model.precision) ?? .int8,
                                         threads: model.threads)
        guard !checkInputSize || engine.inputSize == model.inputSize else {
            throw AffordError(.invalidConfig,
                "model.input_size: configured \(model.inputSize) but head '\(engine.modelID)' was exported for \(engine.inputSize)")
        }
        return engine
    }
}
