import AffordCore
import AffordEngine
import Foundation

/// Builds the grounder a config or the command line names.
public enum ModelLoader {
    /// Loads backbone + head, run at the configured input size or else the head's own.
    public static func grounder(_ model: ModelConfig) throws -> any AffordanceGrounder {
        for (key, path) in [("model.backbone", model.backbone), ("model.head", model.head)]
        where !FileManager.default.fileExists(atPath: path) {
            throw AffordError(.invalidConfig, "\(key): no such file \(path)")
        }
        return try GroundingEngine(backbonePath: model.backbone, headPath: model.head,
                                   precision: Precision(rawValue: model.precision) ?? .int8,
                                   threads: model.threads, inputSize: model.inputSize)
    }
}
