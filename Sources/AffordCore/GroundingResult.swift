/// One connected region of an action heatmap, with where it points in space.
public struct AffordanceComponent: Sendable, Equatable, Codable {
    /// Score-weighted centroid in frame pixels (x right, y down).
    public var u: Double
    public var v: Double
    /// Pixels above threshold.
    public var area: Int
    public var peak: Float
    public var mean: Float
    /// Unit ray through the undistorted centroid in the camera's optical frame; nil without calibration.
    public var rayCamera: SIMD3<Double>?
    /// The same ray in the robot's base frame; nil without extrinsics.
    public var rayBase: SIMD3<Double>?
    /// Where that ray meets the configured table plane, in the base frame; nil without a plane or a hit.
    public var tablePoint: SIMD3<Double>?
    /// With zoom, the region (frame pixels) whose crop grounded this centroid; nil without zoom
    /// or for a centroid outside every region.
    public var region: RegionBox?
    /// Image-plane orientation and extent from the score-weighted second moments, frame pixels;
    /// nil when the component's sums were not finite.
    public var shape: ComponentShape?
    /// The grasp: from depth where the frame has it, else top-down on the table plane; nil
    /// without a shape, extrinsics, and a depth point or a table hit.
    public var grasp: Grasp?
    /// What the frame's depth says at this component; nil when the frame has no depth.
    public var depth: ComponentDepth?

    public init(
        u: Double, v: Double, area: Int, peak: Float, mean: Float,
        rayCamera: SIMD3<Double>? = nil, rayBase: SIMD3<Double>? = nil, tablePoint: SIMD3<Double>? = nil,
        region: RegionBox? = nil, shape: ComponentShape? = nil, grasp: Grasp? = nil, depth: ComponentDepth? = nil
    ) {
        self.u = u
        self.v = v
        self.area = area
        self.peak = peak
        self.mean = mean
        self.rayCamera = rayCamera
        self.rayBase = rayBase
        self.tablePoint = tablePoint
        self.region = region
        self.shape = shape
        self.grasp = grasp
        self.depth = depth
    }
}

/// One action's post-processed output for one frame.
public struct ActionResult: Sendable {
    public var action: String
    /// Min-max normalised to [0, 1] at the output size.
    public var heatmap: Heatmap
    /// Strongest first, at most the configured count; empty when `presence` is below the
    /// configured minimum, so a controller gets no target for an action that is not in view.
    public var components: [AffordanceComponent]
    /// The model's probability that the action is in view; nil for models without one.
    public var presence: Float?

    public init(action: String, heatmap: Heatmap, components: [AffordanceComponent], presence: Float? = nil) {
        self.action = action
        self.heatmap = heatmap
        self.components = components
        self.presence = presence
    }
}

/// Per-stage wall times for one frame, in nanoseconds.
public struct StageTimings: Sendable, Equatable, Codable {
    public var decodeNs: UInt64 = 0
    public var inferenceNs: UInt64 = 0
    public var postprocessNs: UInt64 = 0

    public init(decodeNs: UInt64 = 0, inferenceNs: UInt64 = 0, postprocessNs: UInt64 = 0) {
        self.decodeNs = decodeNs
        self.inferenceNs = inferenceNs
        self.postprocessNs = postprocessNs
    }
}

/// Everything the pipeline produced for one frame: what publishers and recorders consume.
public struct FrameResult: Sendable {
    public var camera: String
    public var sequence: UInt64
    public var captureMonotonicNs: UInt64
    /// The recorded wall-clock capture time, when the source had one (see `Frame.captureWallNs`).
    public var captureWallNs: UInt64?
    /// The camera's optical frame, e.g. `front_optical_frame`: what rays and pixels are relative to.
    public var frameID: String?
    /// The source frame's size (heatmaps may be smaller when an output size is configured).
    public var frameWidth: Int
    public var frameHeight: Int
    public var modelID: String
    public var actions: [ActionResult]
    public var timings: StageTimings
    /// Zoom's regions for this frame, frame pixels; empty without zoom.
    public var regions: [RegionBox]

    public init(
        camera: String, sequence: UInt64, captureMonotonicNs: UInt64, frameWidth: Int, frameHeight: Int,
        modelID: String, actions: [ActionResult], timings: StageTimings = StageTimings(), regions: [RegionBox] = [],
        captureWallNs: UInt64? = nil, frameID: String? = nil
    ) {
        self.camera = camera
        self.sequence = sequence
        self.captureMonotonicNs = captureMonotonicNs
        self.captureWallNs = captureWallNs
        self.frameID = frameID
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.modelID = modelID
        self.actions = actions
        self.timings = timings
        self.regions = regions
    }
}

/// Where results go: the ZeroMQ publisher, the MCAP recorder, a test's capturing sink.
/// The output thread calls them while control threads swap them, so they are Sendable.
public protocol ResultSink: AnyObject, Sendable {
    func consume(_ result: FrameResult) throws
}
