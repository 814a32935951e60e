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

    init() {}
}
