import AffordCore

/// Log severities the capture layer uses.
public enum CaptureLogLevel: String, Sendable {
    case info, warning, error
}

/// Where capture reports what it negotiated, lost and retried; the daemon forwards it to swift-log.
public typealias CaptureLogger = @Sendable (CaptureLogLevel, String) -> Void

/// Everything needed to run one V4L2 camera.
public struct V4L2CameraConfig: Sendable {
    /// The camera name frames are stamped with.
    var name: String
    /// "/dev/video0", "/dev/v4l/by-id/usb-...-video-index0" or just the by-id name.
    var device: String
    var request: CaptureRequest
    /// Applied in order after every (re)connect.
    var controls: [ControlSetting]
    var bufferCount: Int
    /// This long without a frame counts as a stalled camera and triggers a reconnect.
    var frameTimeoutMilliseconds: Int
    var backoff: ReconnectBackoff
    /// A Z16 depth node read beside the colour one; nil for a colour camera.
    var depth: V4L2DepthConfig?

    public init(
        name: String, device: String, request: CaptureRequest, controls: [ControlSetting] = [],
        bufferCount: Int = 4, frameTimeoutMilliseconds: Int = 2000, backoff: ReconnectBackoff = ReconnectBackoff(),
        depth: V4L2DepthConfig? = nil
    ) {
        self.name = name
        self.device = device
        self.request = request
        self.controls = controls
        self.bufferCount = bufferCount
        self.frameTimeoutMilliseconds = frameTimeoutMilliseconds
        self.backoff = backoff
        self.depth = depth
    }
}

/// A camera's depth node (RealSense, Orbbec and other UVC depth cameras have one beside the
/// colour node): opened with Z16, at the size the driver gives for the colour size and at the
/// colour's rate, and read on the colour camera's capture thread (`DepthNode`).
public struct V4L2DepthConfig: Sendable {
    /// The depth node, named as `V4L2CameraConfig.device` is.
    var device: String
    /// Metres per Z16 unit (0.001 for millimetres).
    var metresPerUnit: Float
    /// A depth frame pairs with a colour frame stamped at most this far from it, and a colour
    /// frame waits at most this long for its depth.
    var toleranceNs: UInt64
    /// Applied to each depth image on the capture thread before it pairs, e.g. registration
    /// into the colour camera; a throw rejects that depth frame (counted like a bad buffer).
    var transform: (@Sendable (DepthImage) throws -> DepthImage)?

    public init(device: String, metresPerUnit: Float, toleranceNs: UInt64,
                transform: (@Sendable (DepthImage) throws -> DepthImage)? = nil) {
        self.device = device
        self.metresPerUnit = metresPerUnit
        self.toleranceNs = toleranceNs
        self.transform = transform
    }
}
