/// A snapshot of a source's counters for the daemon's status message.
public struct CaptureStatistics: Sendable, Equatable {
    /// Frames dequeued from the driver and handed to the mailbox.
    var frames = 0
    /// Frames the driver skipped (V4L2 sequence gaps) or flagged as damaged.
    public var drops = 0
    /// Frames replaced in the latest-wins mailbox before the consumer took them.
    var superseded = 0
    /// Reconnect attempts after a device failure.
    public var reconnects = 0
    /// The most recent error, with the ioctl and errno where there was one.
    public var lastError: String?
    /// True while frames are streaming.
    public var streaming = false
    /// The device node in use (after resolving /dev/v4l/by-id links).
    var deviceNode: String?
    /// What negotiation chose, e.g. "MJPG 640x480 @ 30.0 fps".
    var negotiated: String?
    /// CLOCK_REALTIME minus CLOCK_MONOTONIC at stream start, in ns.
    var realtimeOffsetNs: Int64?
    /// Depth frames read from the depth node, paired or not.
    public var depthFrames = 0
    /// Depth node failures (opening, stream errors, stalls) and rejected depth frames; colour
    /// frames go on without depth meanwhile.
    public var depthErrors = 0
    /// The most recent depth node error.
    public var depthLastError: String?
    /// True while the depth node streams.
    public var depthStreaming = false
    /// What the depth node negotiated, e.g. "Z16  640x480 @ 30.0 fps".
    var depthNegotiated: String?

    /// What the camera delivers, for status: "/dev/video2 MJPG 640x480 @ 30.0 fps", with the
    /// depth node's format after it; nil until the first negotiation.
    public var source: String? {
        guard let deviceNode, let negotiated else { return nil }
        return "\(deviceNode) \(negotiated)" + (depthNegotiated.map { ", depth \($0)" + (depthStreaming ? "" : " (stopped)") } ?? "")
    }

    init() {}
}
