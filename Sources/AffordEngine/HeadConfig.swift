import AffordCore

/// What an `affordd-head` file says about itself.
public struct HeadConfig: Sendable, Equatable {
    /// Action names in output-channel order.
    public var actions: [String]
    public var inputSize: Int
    public var embedDim: Int
    public var hiddenDim: Int
    public var backboneHash: String
    public var modelID: String
    /// The training recipe as stored (JSON text).
    public var recipe: String
    /// Whether the file has a presence layer, which says if each action is in view at all.
    public var hasPresence: Bool

    public init(file: SafetensorsFile) throws {
        try file.requireFormat("affordd-head", version: 1)
        actions = try file.metadataStrings("actions")
        inputSize = try file.metadataInt("input_size", in: 14...1792)
        embedDim = try file.metadataInt("embed_dim", in: 1...8192)
        hiddenDim = try file.metadataInt("hidden_dim", in: 1...65536)
        backboneHash = try file.metadata("backbone_sha256")
        modelID = file.metadata["model_id"] ?? "unnamed"
        recipe = file.metadata["recipe"] ?? "{}"
        switch file.metadata["presence"] {
        case nil: hasPresence = false
        case PresenceLayer.readout: hasPresence = true
        case let other?:
            throw AffordError(.invalidModel, "\(file.path): unknown presence readout '\(other)'; this build reads '\(PresenceLayer.readout)'")
        }
        guard !actions.isEmpty, actions.count <= 1024, Set(actions).count == actions.count else {
            throw AffordError(.invalidModel, "\(file.path): actions \(actions) must be a non-empty list of distinct names")
        }
        guard inputSize > 0, embedDim > 0, hiddenDim > 0 else {
            throw AffordError(.invalidModel, "\(file.path): input_size, embed_dim and hidden_dim must be positive")
        }
    }
}
