/// One camera pipeline's health, filled in by the daemon and published on
/// `afford/<camera>/status/`.
public struct PipelineStatus: Sendable, Equatable, Codable {
    /// Median and 99th-percentile wall time of one stage over the recent window, in ms.
    public struct Latency: Sendable, Equatable, Codable {
        var p50Ms: Double
        var p99Ms: Double

        public init(p50Ms: Double, p99Ms: Double) {
            self.p50Ms = p50Ms
            self.p99Ms = p99Ms
        }

        enum CodingKeys: String, CodingKey {
            case p50Ms = "p50_ms"
            case p99Ms = "p99_ms"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(WireFormat.finite(p50Ms), forKey: .p50Ms)
            try c.encode(WireFormat.finite(p99Ms), forKey: .p99Ms)
        }
    }

    public var camera: String
    /// A short word: `running`, `paused`, `camera_lost`, `starting`, …
    var state: String
    /// Frames published per second over the recent window.
    var fps: Double
    var framesCaptured: UInt64
    var framesPublished: UInt64
    /// Frames replaced by a newer one between stages, or lost by the source.
    var framesDropped: UInt64
    /// Keyed by stage name: `decode`, `inference`, `postprocess`, `publish`, `total` (capture→publish).
    var latency: [String: Latency]
    var actions: [String]
    /// The most recent error's text, nil when there was none.
    var lastError: String?
    /// Other named counters (malformed control requests, camera reconnects, …).
    var counters: [String: UInt64]
    var uptimeSeconds: Double
    /// The device and format, or the log, frames come from; nil before the camera opens.
    var source: String?

    public init(
        camera: String, state: String, fps: Double = 0, framesCaptured: UInt64 = 0, framesPublished: UInt64 = 0,
        framesDropped: UInt64 = 0, latency: [String: Latency] = [:], actions: [String] = [], lastError: String? = nil,
        counters: [String: UInt64] = [:], uptimeSeconds: Double = 0, source: String? = nil
    ) {
        self.source = source
        self.camera = camera
        self.state = state
        self.fps = fps
        self.framesCaptured = framesCaptured
        self.framesPublished = framesPublished
        self.framesDropped = framesDropped
        self.latency = latency
        self.actions = actions
        self.lastError = lastError
        self.counters = counters
        self.uptimeSeconds = uptimeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case camera, state, fps, latency, actions, counters, source
        case framesCaptured = "frames_captured"
        case framesPublished = "frames_published"
        case framesDropped = "frames_dropped"
        case lastError = "last_error"
        case uptimeSeconds = "uptime_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(camera, forKey: .camera)
        try c.encode(state, forKey: .state)
        try c.encode(fps.isFinite ? fps : 0, forKey: .fps)
        try c.encode(framesCaptured, forKey: .framesCaptured)
        try c.encode(framesPublished, forKey: .framesPublished)
        try c.encode(framesDropped, forKey: .framesDropped)
        try c.encode(latency, forKey: .latency)
        try c.encode(actions, forKey: .actions)
        try c.encode(lastError, forKey: .lastError)  // null, not absent
        try c.encode(counters, forKey: .counters)
        try c.encode(WireFormat.finite(uptimeSeconds), forKey: .uptimeSeconds)
        try c.encode(source, forKey: .source)  // null, not absent
    }
}
