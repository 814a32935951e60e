import AffordCore

/// The ViT's shape and input normalisation, read from the backbone file's metadata.
public struct BackboneConfig: Sendable, Equatable {
    public var patchSize: Int
    public var embedDim: Int
    public var depth: Int
    public var numHeads: Int
    public var mlpHidden: Int
    /// Side of the learned position-embedding grid (37 for DINOv2).
    var positionGrid: Int
    var layerNormEps: Float
    public var imageMean: [Float]
    public var imageStd: [Float]
    /// `none` or `int8-symmetric-per-output-channel`.
    var quantization: String

    /// Reads and checks the metadata of an `affordd-backbone` file; every size has an upper
    /// bound well above ViT-g's, so buffer sizes computed from them cannot overflow.
    public init(file: SafetensorsFile) throws {
        try file.requireFormat("affordd-backbone", version: 1)
        patchSize = try file.metadataInt("patch_size", in: 1...64)
        embedDim = try file.metadataInt("embed_dim", in: 1...8192)
        depth = try file.metadataInt("depth", in: 1...128)
        numHeads = try file.metadataInt("num_heads", in: 1...256)
        mlpHidden = try file.metadataInt("mlp_hidden", in: 1...65536)
        positionGrid = try file.metadataInt("pos_grid", in: 1...256)
        layerNormEps = try file.metadataFloats("layer_norm_eps").first ?? 1e-6
        imageMean = try file.metadataFloats("image_mean")
        imageStd = try file.metadataFloats("image_std")
        quantization = file.metadata["quantization"] ?? "none"
        guard patchSize > 0, embedDim > 0, depth > 0, numHeads > 0, embedDim % numHeads == 0,
              mlpHidden > 0, positionGrid > 0, imageMean.count == 3, imageStd.count == 3,
              imageStd.allSatisfy({ $0 > 0 }) else {
            throw AffordError(.invalidModel, "\(file.path): inconsistent architecture metadata")
        }
    }
}
