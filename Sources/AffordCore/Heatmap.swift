/// A single-channel float map, row-major.
public struct Heatmap: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "Heatmap needs width*height values")
        self.width = width
        self.height = height
        self.values = values
    }

    public init(width: Int, height: Int, repeating value: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: value, count: width * height))
    }

    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }
}

/// One action's raw map at the model's patch-grid resolution.
public struct ActionMap: Sendable {
    public var action: String
    public var map: Heatmap
    /// Probability in [0, 1] that the action's part is in view at all; nil when the model
    /// was not trained to say (min-max normalisation hides that from the map itself).
    public var presence: Float?

    public init(action: String, map: Heatmap, presence: Float? = nil) {
        self.action = action
        self.map = map
        self.presence = presence
    }
}

/// The inference seam: turns an image into one map per requested action.
///
/// The daemon's pipeline depends on this protocol only, so publishing and
/// control can be tested with a fake and the engine with no I/O.
public protocol AffordanceGrounder: Sendable {
    /// The actions this model can ground, in head order.
    var vocabulary: [String] { get }
    /// Identifies the model in published headers and recordings.
    var modelID: String { get }
    /// The square input side the model resizes frames to.
    var inputSize: Int { get }
    /// One backbone pass; one raw map per action, in the order asked.
    func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap]
    /// Several images (zoom's regions): one result per image, in order, each resized to
    /// `inputSize` a side (nil: the model's `inputSize`). Engines run them as one batched pass;
    /// the default grounds them one by one at the model's own size.
    func ground(batch images: [RGBImage], inputSize: Int?, actions: [String]) throws -> [[ActionMap]]
    /// The actions whose whole-frame maps may also propose zoom's regions: those `ground`
    /// returns only when asked for (the default, `vocabulary`).
    var proposalVocabulary: [String] { get }
}

extension AffordanceGrounder {
    public var proposalVocabulary: [String] { vocabulary }

    public func ground(batch images: [RGBImage], inputSize: Int?, actions: [String]) throws -> [[ActionMap]] {
        try images.map { try ground($0, actions: actions) }
    }

    /// A batch at the model's own input size.
    public func ground(batch images: [RGBImage], actions: [String]) throws -> [[ActionMap]] {
        try ground(batch: images, inputSize: nil, actions: actions)
    }
}
