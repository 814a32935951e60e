import AffordCore
import Metrics

/// Thread-safe counters and a latency window for one pipeline stage.
final class StageCounters: Sendable {
    private let window: Shared<StageWindow>
    /// Every latency also goes to this histogram (`/metrics`), when there is one.
    private let histogram: Metrics.Timer?

    /// Latencies and throughput are taken over the last `window` frames.
    init(window: Int = 256, histogram: Metrics.Timer? = nil) {
        self.window = Shared(StageWindow(capacity: window))
        self.histogram = histogram
    }

    func recordIn() { window.withLock { $0.framesIn += 1 } }
    func recordDrop() { window.withLock { $0.drops += 1 } }
    func recordError(_ message: String) { window.withLock { $0.recordError(message) } }

    /// One frame left the stage `latencyNs` after it entered (or was captured, for end-to-end).
    func recordOut(latencyNs: UInt64, at now: UInt64) {
        window.withLock { $0.recordOut(latencyNs: latencyNs, at: now) }
        histogram?.recordNanoseconds(Int64(clamping: latencyNs))
    }

    func snapshot(now: UInt64) -> StageStatus { window.withLock { $0.status(now: now) } }
}

/// The counts and the rolling latency and departure-time windows of one stage; no locking, no clock.
struct StageWindow: Sendable {
    /// A stage with no departure for this long has gone quiet: no rate, not flowing.
    static let quietAfterNs: UInt64 = 2_000_000_000

    var framesIn = 0
    var framesOut = 0
    var drops = 0
    var errors = 0
    var lastError: String?
    private var latencies: RingWindow
    private var departures: RingWindow

    init(capacity: Int) {
        latencies = RingWindow(capacity: capacity)
        departures = RingWindow(capacity: capacity)
    }

    mutating func recordError(_ message: String) {
        errors += 1
        lastError = message
    }

    mutating func recordOut(latencyNs: UInt64, at now: UInt64) {
        framesOut += 1
        latencies.push(latencyNs)
        departures.push(now)
    }

    func status(now: UInt64) -> StageStatus {
        let sorted = latencies.values.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
            return Double(sorted[index]) / 1e6
        }
        var fps = 0.0
        let times = departures.values
        // `now` may be read before the last departure was recorded: the gap saturates at 0.
        let quiet = times.max().map { now > $0 ? now - $0 : 0 }
        let recent = quiet.map { $0 <= Self.quietAfterNs } ?? false
        if recent, times.count >= 2, let first = times.min(), let last = times.max(), last > first {
            // Rate over the window, zero once the stage has gone quiet for a couple of seconds.
            fps = Double(times.count - 1) / (Double(last - first) / 1e9)
        }
        return StageStatus(framesIn: framesIn, framesOut: framesOut, drops: drops, errors: errors,
                           fps: fps, latencyP50Ms: percentile(0.5), latencyP99Ms: percentile(0.99),
                           lastError: lastError, recentlyOut: recent)
    }
}

/// The last `capacity` values, overwritten oldest first.
struct RingWindow: Sendable {
    private(set) var values: [UInt64] = []
    private var cursor = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        values.reserveCapacity(self.capacity)
    }

    mutating func push(_ value: UInt64) {
        if values.count < capacity {
            values.append(value)
        } else {
            values[cursor] = value
            cursor = (cursor + 1) % capacity
        }
    }
}

/// One stage's health, as published in the status message.
public struct StageStatus: Sendable, Codable, Equatable {
    public var framesIn: Int
    public var framesOut: Int
    var drops: Int
    var errors: Int
    var fps: Double
    public var latencyP50Ms: Double
    public var latencyP99Ms: Double
    var lastError: String?
    /// A frame left within the last two seconds. Unlike `fps > 0` it needs one departure, not
    /// two, so a slow stream is flowing from its first frame on.
    var recentlyOut = false

    enum CodingKeys: String, CodingKey {
        case framesIn = "frames_in", framesOut = "frames_out", drops, errors, fps
        case latencyP50Ms = "latency_p50_ms", latencyP99Ms = "latency_p99_ms", lastError = "last_error"
    }
}

/// The whole pipeline's health: per camera capture and end-to-end, plus the shared inference stage.
public struct PipelineHealth: Sendable, Codable, Equatable {
    public struct Camera: Sendable, Codable, Equatable {
        public var capture: StageStatus
        public var decode: StageStatus
        /// Capture to publish.
        public var endToEnd: StageStatus
        var device: DeviceHealth?
        /// Nil for a camera without a depth stream.
        var depth: DepthTally?
        enum CodingKeys: String, CodingKey { case capture, decode, endToEnd = "end_to_end", device, depth }
    }
    public var cameras: [String: Camera]
    public var inference: StageStatus
    public var postprocess: StageStatus
    var paused: Bool
    var actions: [String]
    var healthy: Bool
}

/// How many of a depth camera's frames came with a paired depth frame.
public struct DepthTally: Sendable, Codable, Equatable {
    public var framesWithDepth: UInt64 = 0
    /// No depth frame within the pairing tolerance: these publish without depth fields.
    public var framesMissingDepth: UInt64 = 0

    mutating func count(_ frame: Frame) {
        if frame.depth == nil { framesMissingDepth += 1 } else { framesWithDepth += 1 }
    }

    enum CodingKeys: String, CodingKey {
        case framesWithDepth = "frames_with_depth"
        case framesMissingDepth = "frames_missing_depth"
    }
}
