import Foundation

/// Thread-safe counters and a latency window for one pipeline stage.
final class StageCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var framesIn = 0
    private var framesOut = 0
    private var drops = 0
    private var errors = 0
    private var lastError: String?
    private var latencies: [UInt64]
    private var latencyCursor = 0
    private var outTimes: [UInt64]
    private var outCursor = 0

    /// Latencies and throughput are taken over the last `window` frames.
    init(window: Int = 256) {
        latencies = []
        latencies.reserveCapacity(window)
        outTimes = []
        outTimes.reserveCapacity(window)
        self.window = window
    }
    private let window: Int

    func recordIn() { locked { framesIn += 1 } }
    func recordDrop() { locked { drops += 1 } }
    func recordError(_ message: String) { locked { errors += 1; lastError = message } }

    /// One frame left the stage `latencyNs` after it entered (or was captured, for end-to-end).
    func recordOut(latencyNs: UInt64, at now: UInt64) {
        locked {
            framesOut += 1
            Self.push(latencyNs, into: &latencies, cursor: &latencyCursor, window: window)
            Self.push(now, into: &outTimes, cursor: &outCursor, window: window)
        }
    }

    func snapshot(now: UInt64) -> StageStatus {
        locked {
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
                return Double(sorted[index]) / 1e6
            }
            var fps = 0.0
            if outTimes.count >= 2, let first = outTimes.min(), let last = outTimes.max(), last > first {
                // Rate over the window, zero once the stage has gone quiet for a couple of seconds.
                // `now` is read before the lock, so a frame may have left after it: the gap saturates at 0.
                let quiet = now > last ? now - last : 0
                fps = quiet > 2_000_000_000 ? 0 : Double(outTimes.count - 1) / (Double(last - first) / 1e9)
            }
            return StageStatus(framesIn: framesIn, framesOut: framesOut, drops: drops, errors: errors,
                               fps: fps, latencyP50Ms: percentile(0.5), latencyP99Ms: percentile(0.99),
                               lastError: lastError)
        }
    }

    private static func push(_ value: UInt64, into buffer: inout [UInt64], cursor: inout Int, window: Int) {
        if buffer.count < window {
            buffer.append(value)
        } else {
            buffer[cursor] = value
            cursor = (cursor + 1) % window
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// One stage's health, as published in the status message.
public struct StageStatus: Sendable, Codable, Equatable {
    public var framesIn: Int
    public var framesOut: Int
    public var drops: Int
    public var errors: Int
    public var fps: Double
    public var latencyP50Ms: Double
    public var latencyP99Ms: Double
    public var lastError: String?

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
        public var device: DeviceHealth?
        enum CodingKeys: String, CodingKey { case capture, decode, endToEnd = "end_to_end", device }
    }
    public var cameras: [String: Camera]
    public var inference: StageStatus
    public var postprocess: StageStatus
    public var paused: Bool
    public var actions: [String]
    public var healthy: Bool
}
