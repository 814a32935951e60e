import AffordCore
import AffordEngine
import ArgumentParser
import Foundation

/// `affordd inspect-model FILE`: what a backbone or head file holds, without running it.
struct InspectModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-model",
        abstract: "Print a model file's metadata, actions, tensor and parameter counts and quantization."
    )

    @Argument(help: "A backbone or head .safetensors file.")
    var file: String

    func run() throws {
        let model = try SafetensorsFile(path: file)
        guard let format = model.metadata["format"] else {
            throw AffordError(.invalidModel, "\(file): a safetensors file but not an affordd model (no 'format' metadata)")
        }
        let tensors = model.tensors.values.sorted { $0.name < $1.name }
        let scales = tensors.filter { $0.name.hasSuffix("_scale") && model.contains(String($0.name.dropLast(6))) }
        let parameters = tensors.filter { t in !scales.contains { $0.name == t.name } }.reduce(0) { $0 + $1.elementCount }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0

        print("file:         \(file) (\(bytes / 1024) KiB)")
        print("format:       \(format) v\(model.metadata["format_version"] ?? "?")")
        switch format {
        case "affordd-backbone":
            let config = try BackboneConfig(file: model)
            print("architecture: \(model.metadata["architecture"] ?? "?"), patch \(config.patchSize), dim \(config.embedDim), depth \(config.depth), heads \(config.numHeads), mlp \(config.mlpHidden)")
            print("normalise:    mean \(config.imageMean), std \(config.imageStd)")
            print("source:       \(model.metadata["source"] ?? "?") sha256 \(model.metadata["source_sha256"] ?? "?")")
        case "affordd-head":
            let config = try HeadConfig(file: model)
            print("model id:     \(config.modelID)")
            print("actions:      \(config.actions.count): \(config.actions.joined(separator: ", "))")
            print("input:        \(config.inputSize)x\(config.inputSize), features \(config.embedDim), hidden \(config.hiddenDim)")
            print("presence:     \(config.hasPresence ? "yes (max-pooled linear layer)" : "no: every action is taken as in view")")
            print("backbone:     sha256 \(config.backboneHash)")
            print("recipe:       \(config.recipe)")
        default:
            throw AffordError(.invalidModel, "\(file): unknown format '\(format)' (expected affordd-backbone or affordd-head)")
        }
        let int8 = tensors.filter { $0.dtype == .i8 }
        let quantization = model.metadata["quantization"]
            ?? (int8.isEmpty ? "none" : "int8-symmetric-per-output-channel")
        print("quantization: \(quantization) (\(int8.count) int8 tensors)")
        print("tensors:      \(tensors.count) (\(scales.count) of them scales)")
        print("parameters:   \(parameters) (\(String(format: "%.2f", Double(parameters) / 1e6)) M)")
    }
}
