import AffordCore
import AffordDaemon
import AffordPostprocess
import ArgumentParser
import Foundation

/// How one-shot commands find a model: a config file, or the files named directly.
struct ModelOptions: ParsableArguments {
    @Option(help: "Daemon config whose model, actions and post-processing to use.")
    var config: String?

    @Option(name: .customLong("model"), help: "Head file (.safetensors); overrides the config.")
    var head: String?

    @Option(help: "Backbone file; default models/dinov2_vits14.int8.safetensors (or $AFFORDD_MODELS).")
    var backbone: String?

    @Option(help: "Worker threads for inference.")
    var threads: Int?

    @Option(help: "Square network input in pixels, a multiple of 14; overrides the config (default: the head's own).")
    var inputSize: Int?

    @Flag(inversion: .prefixedNo,
          help: "Object-centric zoom: ground up to grounding.zoom.max_regions crops of the objects the whole frame shows, merged back (default: the config's grounding.zoom.enabled, else \(ZoomSettings.shipped.enabled ? "on" : "off")).")
    var zoom: Bool?

    /// The command line's numbers get the config file's bounds.
    func validate() throws {
        if let threads, !ConfigLoader.Limits.threads.contains(threads) {
            throw ValidationError("--threads \(threads) is outside \(ConfigLoader.Limits.threads)")
        }
        if let inputSize, !ConfigLoader.Limits.inputSize.contains(inputSize) {
            throw ValidationError("--input-size \(inputSize) is outside \(ConfigLoader.Limits.inputSize)")
        }
    }

    func loadConfig() throws -> DaemonConfig? {
        try config.map { try ConfigLoader.load(path: $0) }
    }

    /// The model section: config first, then command-line overrides.
    func modelConfig(_ config: DaemonConfig?) -> ModelConfig {
        let models = ProcessInfo.processInfo.environment["AFFORDD_MODELS"] ?? "models"
        var model = config?.model ?? ModelConfig(
            backbone: "\(models)/dinov2_vits14.int8.safetensors", head: "models-default/affordd-default.head.safetensors",
            threads: 2, precision: "int8")
        if let head { model.head = head }
        if let backbone { model.backbone = backbone }
        if let threads { model.threads = threads }
        if let inputSize { model.inputSize = inputSize }
        return model
    }

    /// The config's zoom settings (or the defaults), with `--zoom`/`--no-zoom` applied.
    func zoomSettings(_ config: DaemonConfig?) -> ZoomSettings {
        var settings = config?.grounding.zoom ?? .shipped
        if let zoom { settings.enabled = zoom }
        return settings
    }

    /// Loads the grounder, at the head's own input size unless the config or `--input-size` sets
    /// one; `realTime` as `ModelLoader.grounder` takes it.
    func grounder(_ config: DaemonConfig?, realTime: Bool = true) throws -> any AffordanceGrounder {
        try ModelLoader.grounder(modelConfig(config), realTime: realTime)
    }
}
