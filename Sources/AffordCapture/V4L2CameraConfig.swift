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

    public init(
        name: String, device: String, request: CaptureRequest, controls: [ControlSetting] = [],
        bufferCount: Int = 4, frameTimeoutMilliseconds: Int = 2000, backoff: ReconnectBackoff = ReconnectBackoff()
    ) {
        self.name = name
        self.device = device
        self.request = request
        self.controls = controls
        self.bufferCount = bufferCount
        self.frameTimeoutMilliseconds = frameTimeoutMilliseconds
        self.backoff = backoff
    }
}
