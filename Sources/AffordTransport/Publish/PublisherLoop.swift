import AffordCore
import Foundation

/// The publisher thread's state: its socket, and how one step encodes and sends.
final class PublisherLoop: @unchecked Sendable {
    // @unchecked: created and used only on the publisher thread (SocketThread's contract).
    let socket: ZMQSocket
    private let queue: PublisherQueue
    private let settings: Shared<LiveSettings>
    private let statusSource: (@Sendable () -> [PipelineStatus])?
    private let encoder = WireFormat.encoder()
    private var nextStatusNs: UInt64 = 0

    init(
        socket: ZMQSocket, queue: PublisherQueue, settings: Shared<LiveSettings>,
        statusSource: (@Sendable () -> [PipelineStatus])?
    ) {
        self.socket = socket
        self.queue = queue
        self.settings = settings
        self.statusSource = statusSource
    }

    func step() {
        queue.take(timeoutMs: 50).forEach(send)
        guard let statusSource else { return }
        let now = MonotonicClock.nowNs()
        if now >= nextStatusNs {
            nextStatusNs = now + settings.value.statusIntervalNs
            statusSource().forEach(send)
        }
    }

    private func send(_ result: FrameResult) {
        let stamp = WireFrameStamp(
            result: result, publishWallNs: MonotonicClock.wallNs(),
            // A log's recorded wall stamp is used as it is: adding this machine's offset to it again would double it.
            captureWallNs: result.captureWallNs
                ?? MonotonicClock.wallNs(monotonic: result.captureMonotonicNs, offset: MonotonicClock.realtimeOffsetNs()))
        let encoding = settings.value.encoding
        for action in result.actions {
            send(Topic.heatmap(camera: result.camera, action: action.action), WireHeatmapHeader(stamp: stamp, action: action, encoding: encoding)) {
                ZMQMessage(count: encoding.byteCount(of: action.heatmap)) { encoding.encode(action.heatmap, into: $0) }
            }
        }
        send(Topic.centroids(camera: result.camera), WireCentroids(stamp: stamp))
        queue.counters.withLock { $0.framesPublished += 1 }
    }

    private func send(_ status: PipelineStatus) {
        let body = StatusTopicBody(status: status, publisher: queue.counters.value, publishWallNs: MonotonicClock.wallNs())
        send(Topic.status(camera: status.camera), body)
    }

    /// Sends [topic, JSON body, payload?]; failures are counted, never thrown at the pipeline.
    private func send(_ topic: String, _ body: some Encodable, payload: (() -> ZMQMessage)? = nil) {
        do {
            let json = try encoder.encode(body)
            var frames = [ZMQMessage(topic), ZMQMessage(json)]
            if let payload { frames.append(payload()) }
            // PUB never blocks: at SNDHWM libzmq drops the message for that subscriber.
            try socket.send(frames, dontWait: true)
            queue.counters.withLock { $0.messagesSent += 1 }
        } catch {
            queue.counters.withLock {
                $0.sendErrors += 1
                $0.lastError = "\(topic): \(error)"
            }
        }
    }
}
