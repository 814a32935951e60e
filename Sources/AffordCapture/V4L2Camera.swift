import AffordCore
import Foundation
import Synchronization

/// A V4L2 camera as a `FrameSource`: a capture thread dequeues at camera rate into a
/// latest-wins mailbox, reconnects with capped backoff when the device fails, and keeps counters.
/// With a depth node configured, the same thread reads its Z16 stream and pairs it with the
/// colour frames (`DepthNode`).
///
/// `Sendable`: one thread pulls frames while others read `statistics` or call `close()`.
public final class V4L2Camera: FrameSource, Sendable {
    public var cameraName: String { capture.config.name }
    private let capture: CaptureLoop
    private let thread: OwnedThread

    /// Starts capturing at once; device problems surface through `nextFrame()` and `statistics`.
    public init(config: V4L2CameraConfig, opener: any V4L2DeviceOpener = LibV4L2Opener(),
                log: @escaping CaptureLogger = { _, _ in }) {
        let capture = CaptureLoop(config: config, opener: opener, log: log)
        self.capture = capture
        thread = OwnedThread(name: "capture-\(config.name)") { capture.run() }
    }

    deinit { close() }

    /// The newest frame; blocks while the camera reconnects. Throws on configuration
    /// errors (unsupported format, unknown control, not a V4L2 device).
    public func nextFrame() throws -> Frame? { try capture.frames.take()?.item }

    /// Stops the capture thread and releases the device; returns within about 100 ms.
    public func close() {
        guard capture.requestStop() else { return }
        // At most one poll slice plus closing the device.
        thread.join(timeoutSeconds: Double(CaptureLoop.pollSliceMilliseconds + 1000) / 1000)
        capture.frames.finish(.closed)
    }

    /// The counters, for the daemon's status message.
    public var statistics: CaptureStatistics { capture.statistics.withLock { $0 } }
}

/// What runs on the capture thread, and the state it shares with the camera's users.
final class CaptureLoop: Sendable {
    let config: V4L2CameraConfig
    let opener: any V4L2DeviceOpener
    let log: CaptureLogger
    let frames: Mailbox<Frame>
    let statistics = Mutex(CaptureStatistics())
    /// Set by `requestStop`; a backoff sleep waits on it, so a stop cuts the sleep short.
    private let stopping = ConditionLock(false)

    init(config: V4L2CameraConfig, opener: any V4L2DeviceOpener, log: @escaping CaptureLogger) {
        self.config = config
        self.opener = opener
        self.log = log
        frames = Mailbox(keys: [config.name])
    }

    static let pollSliceMilliseconds = 100

    /// Asks `run` to end; returns false when that was already asked.
    func requestStop() -> Bool {
        stopping.withLock { stopping in
            defer { stopping = true }
            return !stopping
        }
    }

    private var isStopping: Bool { stopping.withLock { $0 } }

    /// Connect, stream until the device fails, back off, repeat; ends on stop or a fatal error.
    func run() {
        var attempt = 0
        var sequence = SequenceTracker()
        while !isStopping {
            do {
                try stream(resettingBackoff: { attempt = 0 }, sequence: &sequence)
            } catch let failure as V4L2Failure where failure.isTransient {
                guard !isStopping else { break }
                let delay = config.backoff.delay(attempt: attempt)
                attempt += 1
                statistics.withLock {
                    $0.streaming = false
                    $0.reconnects += 1
                    $0.lastError = failure.description
                }
                log(.warning, "camera \(config.name): \(failure); reconnect attempt \(attempt) in \(delay) s")
                if stopping.wait(until: Date(timeIntervalSinceNow: delay), { $0 ? true : nil }) != nil { break }
            } catch {
                let fatal = (error as? V4L2Failure)?.affordError ?? (error as? AffordError)
                    ?? AffordError(.device, "\(error)")
                statistics.withLock {
                    $0.streaming = false
                    $0.lastError = fatal.description
                }
                log(.error, "camera \(config.name): \(fatal.message); giving up")
                frames.finish(.failed(fatal))
                return
            }
        }
    }

    /// One connection: open, negotiate, apply controls, stream until something throws. The
    /// depth node, if configured, is served alongside; its failures never end the connection.
    private func stream(resettingBackoff: () -> Void, sequence: inout SequenceTracker) throws {
        let device = try opener.open(config.device)
        defer { device.close() }
        let formats = try device.formats()
        let negotiated = try FormatNegotiation.negotiate(config.request, from: formats)
        guard let captureFormat = negotiated.format else {
            throw AffordError(.unsupported, "camera \(config.name): \(negotiated) is not a colour format")
        }
        for (control, value) in try ControlSetting.resolve(config.controls, against: try device.controls()) {
            try device.setControl(control, value: value)
        }
        let layout = try device.configure(negotiated, bufferCount: config.bufferCount)
        try device.startStreaming()
        let offset = MonotonicClock.realtimeOffsetNs()
        let rate = layout.interval.map { " (driver runs \($0.fps) fps)" } ?? ""
        log(.info, "camera \(config.name): \(config.device) -> \(device.node) [\(device.identity.card)] "
            + "negotiated \(negotiated)\(rate) from \(formats.summary)")
        statistics.withLock {
            $0.deviceNode = device.node
            $0.negotiated = negotiated.description
            $0.realtimeOffsetNs = offset
        }
        sequence.startConnection()
        let depth = config.depth.map { DepthNode(config: $0, capture: self, colour: negotiated) }
        defer { depth?.close() }
        var warnedClock = false
        // Poll in short slices so close() is noticed within one slice, not one frame timeout.
        let slice = min(Self.pollSliceMilliseconds, config.frameTimeoutMilliseconds)
        let frameTimeoutNs = UInt64(config.frameTimeoutMilliseconds) * 1_000_000
        var waitedNs: UInt64 = 0
        while !isStopping {
            let started = MonotonicClock.nowNs()
            depth?.connectIfDue(nowNs: started)
            let timeout = depth?.waitMilliseconds(nowNs: started, atMost: slice) ?? slice
            var gotFrame = false
            func take(_ buffer: DequeuedBuffer) {
                gotFrame = true
                if !buffer.monotonicTimestamp && !warnedClock {
                    warnedClock = true
                    log(.warning, "camera \(config.name): driver timestamps are not CLOCK_MONOTONIC; stamping at dequeue")
                }
                guard let frame = frame(from: buffer, format: captureFormat.pixelFormat, negotiated: negotiated,
                                        layout: layout, sequence: &sequence) else { return }
                (depth?.receive(colour: frame) ?? [frame]).forEach(deliver)
            }
            let woke: Bool
            if let depth, let depthDevice = depth.device {
                let ready = try opener.waitForBuffers(on: [device, depthDevice], timeoutMilliseconds: timeout)
                woke = ready[0] ? try device.dequeue(timeoutMilliseconds: 0, take) : false
                if ready[1] { depth.read(nowNs: MonotonicClock.nowNs()).forEach(deliver) }
            } else {
                woke = try device.dequeue(timeoutMilliseconds: timeout, take)
            }
            let now = MonotonicClock.nowNs()
            depth?.expire(nowNs: now).forEach(deliver)
            depth?.checkStall(nowNs: now)
            if gotFrame {
                waitedNs = 0
                resettingBackoff()
            } else if !woke {
                waitedNs += now - started
                if waitedNs >= frameTimeoutNs {
                    throw V4L2Failure.timeout(path: device.node, milliseconds: config.frameTimeoutMilliseconds)
                }
            }
        }
    }

    /// The buffer as a frame, counting sequence gaps and damage; nil for a damaged buffer.
    private func frame(from buffer: DequeuedBuffer, format: PixelFormat, negotiated: NegotiatedFormat,
                       layout: StreamLayout, sequence: inout SequenceTracker) -> Frame? {
        let gap = sequence.advance(driverSequence: buffer.sequence)
        let minimumBytes = format.bytesPerPixel.map { _ in layout.bytesPerLine * negotiated.height } ?? 1
        let damaged = buffer.damaged || buffer.bytes.count < minimumBytes
        statistics.withLock {
            $0.streaming = true
            $0.drops += gap + (damaged ? 1 : 0)
            if damaged { $0.lastError = "camera \(config.name): damaged frame \(buffer.sequence) (\(buffer.bytes.count) bytes)" }
        }
        guard !damaged else { return nil }
        return Frame(
            pixels: Array(buffer.bytes), width: negotiated.width, height: negotiated.height, format: format,
            stride: format.bytesPerPixel == nil ? 0 : layout.bytesPerLine,
            captureMonotonicNs: buffer.monotonicTimestamp ? buffer.timestampNs : MonotonicClock.nowNs(),
            sequence: sequence.current, camera: config.name)
    }

    /// Hands a frame to the consumer.
    private func deliver(_ frame: Frame) {
        // Counted before publishing, so a consumer holding the frame sees it counted.
        statistics.withLock { $0.frames += 1 }
        if frames.put(frame, for: config.name) { statistics.withLock { $0.superseded += 1 } }
    }
}

/// Maps the driver's per-connection sequence onto one counter that survives reconnects,
/// so gaps in `Frame.sequence` are exactly the frames that were lost.
struct SequenceTracker {
    private(set) var current: UInt64 = 0
    private var lastDriverSequence: UInt32?
    private var started = false

    /// A reconnect restarts the driver's count; it is not a gap.
    mutating func startConnection() { lastDriverSequence = nil }

    /// Returns how many frames the driver skipped before this one.
    mutating func advance(driverSequence: UInt32) -> Int {
        var gap = 0
        if let last = lastDriverSequence, driverSequence &- last > 1, driverSequence &- last < 1 << 31 {
            gap = Int(driverSequence &- last) - 1
        }
        lastDriverSequence = driverSequence
        if started { current += UInt64(gap) + 1 }
        started = true
        return gap
    }
}
