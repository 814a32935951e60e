import AffordCore

/// A colour camera's depth node as its capture thread serves it: a Z16 stream whose buffers
/// become `DepthImage`s, paired with the colour frames by stamp (`DepthPairing`).
///
/// The depth node never stops colour. When it fails to open, errors or stalls, it is closed,
/// the failure is counted (`CaptureStatistics.depthErrors`) and logged once until depth flows
/// again, and it is reopened after the camera's reconnect backoff; meanwhile colour frames go
/// out without depth. A buffer that is not a whole Z16 image is rejected and counted, and the
/// stream goes on. A colour frame waits for its depth at most the pairing tolerance.
final class DepthNode {
    private let config: V4L2DepthConfig
    private let capture: CaptureLoop
    /// The colour stream: the depth node is asked for its size, at its rate.
    private let colour: NegotiatedFormat
    /// The streaming device with its mode and row step.
    private struct Stream {
        let device: any V4L2Device
        let format: NegotiatedFormat
        let bytesPerLine: Int
    }

    /// Nil while the node is down.
    private var stream: Stream?
    private var pairing: DepthPairing
    /// When the newest colour frame, if it still waits for its depth, leaves without it.
    private var expiryNs: UInt64?
    private var attempt = 0
    private var retryAtNs: UInt64 = 0
    private var lastBufferNs: UInt64 = 0
    /// A failure has been logged and no depth frame has come since.
    private var reported = false

    init(config: V4L2DepthConfig, capture: CaptureLoop, colour: NegotiatedFormat) {
        self.config = config
        self.capture = capture
        self.colour = colour
        pairing = DepthPairing(toleranceNs: config.toleranceNs)
    }

    /// The streaming depth device, to wait on beside the colour one; nil while down.
    var device: (any V4L2Device)? { stream?.device }

    private var cameraName: String { capture.config.name }

    /// Opens and starts the node when it is down and its backoff has passed.
    func connectIfDue(nowNs: UInt64) {
        guard stream == nil, nowNs >= retryAtNs else { return }
        do {
            let device = try capture.opener.open(config.device)
            do {
                let fps = colour.interval.map { Int($0.fps.rounded()) } ?? capture.config.request.fps
                let format = try FormatNegotiation.negotiateDepth(width: colour.width, height: colour.height, fps: fps,
                                                                  from: try device.formats())
                let layout = try device.configure(format, bufferCount: capture.config.bufferCount)
                try device.startStreaming()
                stream = Stream(device: device, format: format, bytesPerLine: layout.bytesPerLine)
                lastBufferNs = nowNs
                capture.statistics.withLock {
                    $0.depthStreaming = true
                    $0.depthNegotiated = format.description
                }
                capture.log(.info, "camera \(cameraName): depth \(config.device) -> \(device.node) negotiated \(format)")
            } catch {
                device.close()
                throw error
            }
        } catch {
            fail(error, nowNs: nowNs)
        }
    }

    /// A colour frame arrived: the frames that leave now. While the node is down nothing is
    /// held, as no depth can come.
    func receive(colour frame: Frame) -> [Frame] {
        let released = pairing.receive(colour: frame, stampNs: frame.captureMonotonicNs)
        guard stream != nil else { return released + pairing.finish() }
        expiryNs = frame.captureMonotonicNs &+ config.toleranceNs
        return released
    }

    /// Takes the ready depth buffer; returns the colour frames it lets go (paired, or shown
    /// to have no depth coming).
    func read(nowNs: UInt64) -> [Frame] {
        guard let stream else { return [] }
        var converted: Result<DepthImage, any Error>?
        do {
            _ = try stream.device.dequeue(timeoutMilliseconds: 0) { buffer in
                converted = Result { try image(from: buffer, of: stream) }
            }
        } catch {
            fail(error, nowNs: nowNs)
            return []
        }
        guard let converted else { return [] }
        lastBufferNs = nowNs
        switch converted {
        case .success(let depth):
            attempt = 0
            reported = false
            capture.statistics.withLock { $0.depthFrames += 1 }
            return pairing.receive(depth: depth)
        case .failure(let error):
            record(error)
            return []
        }
    }

    /// The held colour frame, without depth, once its tolerance has passed.
    func expire(nowNs: UInt64) -> [Frame] {
        guard let expiryNs, nowNs > expiryNs else { return [] }
        self.expiryNs = nil
        return pairing.expire(nowNs: nowNs)
    }

    /// How long the capture thread may wait: `slice` at most, and not past the held frame's expiry.
    func waitMilliseconds(nowNs: UInt64, atMost slice: Int) -> Int {
        guard let expiryNs else { return slice }
        // One past the remainder: expiry needs the clock strictly past it.
        let remaining = expiryNs >= nowNs ? (expiryNs - nowNs) / 1_000_000 + 1 : 0
        return Int(min(UInt64(slice), remaining))
    }

    /// A node that sent nothing for the camera's frame timeout has stalled: reopen it.
    func checkStall(nowNs: UInt64) {
        let timeoutMilliseconds = capture.config.frameTimeoutMilliseconds
        guard let stream, nowNs >= lastBufferNs + UInt64(timeoutMilliseconds) * 1_000_000 else { return }
        fail(V4L2Failure.timeout(path: stream.device.node, milliseconds: timeoutMilliseconds), nowNs: nowNs)
    }

    func close() {
        stream?.device.close()
        stream = nil
        capture.statistics.withLock { $0.depthStreaming = false }
    }

    /// Z16 samples, stamped on the colour frames' clock, then the configured transform.
    private func image(from buffer: DequeuedBuffer, of stream: Stream) throws -> DepthImage {
        let context = "depth node \(stream.device.node) buffer \(buffer.sequence)"
        guard !buffer.damaged else { throw AffordError(.device, "\(context): the driver flagged it damaged") }
        // DepthImage checks the layout: a short buffer (bytesused) or a bad row step is rejected.
        let depth = try DepthImage(
            unsigned16: Array(buffer.bytes), width: stream.format.width, height: stream.format.height,
            stride: stream.bytesPerLine, metresPerUnit: config.metresPerUnit,
            stampNs: buffer.monotonicTimestamp ? buffer.timestampNs : MonotonicClock.nowNs(), context: context)
        return try config.transform.map { try $0(depth) } ?? depth
    }

    /// Closes the node and schedules the next attempt.
    private func fail(_ error: any Error, nowNs: UInt64) {
        close()
        let delay = capture.config.backoff.delay(attempt: attempt)
        attempt += 1
        retryAtNs = nowNs + UInt64(delay * 1e9)
        record(error)
    }

    /// Counts the error; logs it unless one was logged since depth last flowed.
    private func record(_ error: any Error) {
        let message = (error as? AffordError)?.message ?? "\(error)"
        capture.statistics.withLock {
            $0.depthErrors += 1
            $0.depthLastError = message
        }
        guard !reported else { return }
        reported = true
        capture.log(.warning, "camera \(cameraName): depth \(config.device): \(message); "
            + "frames go out without depth until it recovers (retrying with backoff)")
    }
}
