import AffordCore
import AffordPostprocess

/// One camera's input side: where frames come from, how they become RGB, where centroids point.
public struct CameraInput: @unchecked Sendable {
    var name: String
    /// The optical frame published with this camera's results (`cameras[].frame_id`).
    var frameID: String
    /// Each stage waits for the next instead of replacing its pending frame: for offline
    /// replay (`affordd replay --fast`), where every frame must be processed.
    var lossless: Bool
    /// Pulled only from this camera's capture thread.
    var source: FrameSource
    /// Makes this camera's decoder on its capture thread (decoders are single-threaded).
    var makeDecoder: @Sendable () throws -> (Frame) throws -> RGBImage
    var geometry: CentroidGeometry
    /// For sources that may be stopped from another thread (V4L2Camera): unblocks a pending read.
    var interrupt: (@Sendable () -> Void)?
    /// What the device itself reports (streaming, reconnects, its last error), when it can.
    var deviceHealth: (@Sendable () -> DeviceHealth)?
    /// The source pairs a depth stream with its frames: frames without depth are counted.
    var hasDepth: Bool

    public init(name: String, frameID: String? = nil, lossless: Bool = false, source: FrameSource,
                makeDecoder: @escaping @Sendable () throws -> (Frame) throws -> RGBImage,
                geometry: CentroidGeometry = CentroidGeometry(camera: nil),
                interrupt: (@Sendable () -> Void)? = nil, deviceHealth: (@Sendable () -> DeviceHealth)? = nil,
                hasDepth: Bool = false) {
        self.name = name
        self.frameID = frameID ?? "\(name)_optical_frame"
        self.lossless = lossless
        self.source = source
        self.makeDecoder = makeDecoder
        self.geometry = geometry
        self.interrupt = interrupt
        self.deviceHealth = deviceHealth
        self.hasDepth = hasDepth
    }
}

/// A camera device's own view of its health.
public struct DeviceHealth: Sendable, Codable, Equatable {
    var streaming: Bool
    var reconnects: Int
    /// Frames the driver's sequence numbers say were lost before we saw them.
    var driverDrops: Int
    var lastError: String?
    /// The depth node's failures and rejected depth frames; 0 without one.
    var depthErrors: Int
    /// The device and format frames come from, or the replayed log.
    var source: String?

    init(streaming: Bool, reconnects: Int = 0, driverDrops: Int = 0, lastError: String? = nil, depthErrors: Int = 0,
         source: String? = nil) {
        self.source = source
        self.streaming = streaming
        self.reconnects = reconnects
        self.driverDrops = driverDrops
        self.lastError = lastError
        self.depthErrors = depthErrors
    }
}

/// What can change on reload without touching the cameras or the model.
public struct ReloadableSettings: Sendable, Equatable {
    var actions: [String]
    var postprocess: PostprocessSettings
    var tablePlane: Plane?
    /// Object-centric zoom; off grounds each frame in one whole-frame pass.
    var zoom: ZoomSettings

    public init(actions: [String], postprocess: PostprocessSettings, tablePlane: Plane? = nil,
                zoom: ZoomSettings = ZoomSettings()) {
        self.actions = actions
        self.postprocess = postprocess
        self.tablePlane = tablePlane
        self.zoom = zoom
    }
}

/// A decoded frame waiting for inference.
struct DecodedFrame: Sendable {
    var image: RGBImage
    var frame: FrameHeader
    var timings: StageTimings
}

/// Raw maps waiting for post-processing.
struct InferredFrame: Sendable {
    var maps: [ActionMap]
    /// With zoom: the regions' maps, merged into frame pixels on the output thread.
    var zoomed: ZoomedMaps? = nil
    var frame: FrameHeader
    var timings: StageTimings
    var modelID: String
}

/// What follows a frame through the stages once its pixels are decoded.
struct FrameHeader: Sendable {
    var camera: String
    var sequence: UInt64
    var captureMonotonicNs: UInt64
    var captureWallNs: UInt64?
    var frameID: String
    /// When the capture thread received it, on CLOCK_MONOTONIC: the start of end-to-end latency.
    var receivedNs: UInt64
    var width: Int
    var height: Int
    /// The paired depth frame, when the camera has one.
    var depth: DepthImage?
}
