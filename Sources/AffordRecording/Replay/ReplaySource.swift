import AffordCore

/// Replays camera frames from an MCAP log: affordd's own recordings (Foxglove
/// JSON images) or rosbag2 logs (sensor_msgs CDR images).
///
/// Frames carry the recorded capture time, which is wall-clock time in every log
/// (Foxglove and ROS stamps), as `captureWallNs`. For affordd recordings it is mapped
/// back to CLOCK_MONOTONIC with the clock offset stored in the log; other logs have no
/// offset, so their frames are placed on this machine's monotonic clock from the
/// moment replay starts, keeping the recorded spacing.
/// With a depth topic (or an affordd recording's depth channel), each frame carries the depth
/// frame whose stamp is closest to its own within the tolerance (`DepthPairing`).
/// A truncated or corrupt log replays its valid prefix, then throws; a bad depth message is
/// skipped and counted (`depthErrors`), its frame going on without depth.
public final class ReplaySource: FrameSource {
    /// How fast frames come out.
    public enum Pacing: Sendable, Equatable {
        /// Sleep so frames keep their recorded spacing.
        case recorded
        /// No sleeping: for evaluation and benchmarks.
        case asFastAsPossible
    }

    /// Which topic, how fast, whether to loop, and the camera name frames get.
    public struct Options: Sendable {
        /// The topic to replay; nil takes the first camera image channel.
        var topic: String?
        var pacing: Pacing
        /// Start over at the end instead of ending the stream.
        var loop: Bool
        /// Frames are stamped with this name; nil uses the recorded camera (or the topic).
        var cameraName: String?
        /// Caps and CRC checking for the underlying reader.
        var limits: MCAPReader.Limits
        /// Aligned depth images to pair with the frames (`sensor_msgs/Image` 16UC1 or 32FC1);
        /// nil takes an affordd recording's depth channel, if it has one.
        var depthTopic: String?
        /// A depth frame pairs with a colour frame stamped at most this far from it.
        var depthToleranceNs: UInt64

        public init(topic: String? = nil, pacing: Pacing = .recorded, loop: Bool = false, cameraName: String? = nil,
                    limits: MCAPReader.Limits = .init(), depthTopic: String? = nil,
                    depthToleranceNs: UInt64 = DepthPairing.defaultToleranceNs) {
            self.topic = topic
            self.pacing = pacing
            self.loop = loop
            self.cameraName = cameraName
            self.limits = limits
            self.depthTopic = depthTopic
            self.depthToleranceNs = depthToleranceNs
        }
    }

    public let path: String
    let options: Options
    public private(set) var cameraName: String
    /// The topic being replayed, once chosen.
    private(set) var topic: String?
    /// Times the log has been started over.
    private(set) var loopCount = 0

    private var reader: MCAPReader?
    private let decoder = ImageMessageDecoder()
    private var selected: (channelID: UInt16, kind: ImageMessageDecoder.Kind)?
    private var selectedDepth: (channelID: UInt16, kind: ImageMessageDecoder.Kind)?
    private var pairing: DepthPairing
    /// Depth messages that did not decode, and the last one's error; read from other threads.
    public let depthErrors = Shared<(count: Int, last: String?)>((0, nil))
    /// Frames released by the pairing, not yet returned.
    private var ready: [Frame] = []
    private var realtimeOffsetNs: Int64?
    /// For logs without a clock record: (first recorded stamp, monotonic time replay saw it).
    private var rebase: (recorded: UInt64, monotonic: UInt64)?
    private var sequence: UInt64 = 0
    /// Frames yielded by the current pass over the log; an empty pass ends looping.
    private var framesThisPass = 0
    private var pace = ReplayPacer()

    /// Opens `path` and reads up to the image channel it will replay, so the camera name
    /// is known and a missing topic fails here; nothing of that channel is skipped.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        cameraName = options.cameraName ?? ""
        pairing = DepthPairing(toleranceNs: options.depthToleranceNs)
        let reader = try MCAPReader(path: path, limits: options.limits)
        self.reader = reader
        while selected == nil || (options.depthTopic != nil && selectedDepth == nil), let record = try reader.next() {
            try handle(record, reader)
        }
        guard selected != nil else {
            throw AffordError(.invalidInput, "\(path): no image channel"
                              + (options.topic.map { " named '\($0)'" } ?? "") + " to replay")
        }
        if let depthTopic = options.depthTopic, selectedDepth == nil {
            throw AffordError(.invalidInput, "\(path): no raw image channel named '\(depthTopic)' for depth")
        }
    }

    /// Whether frames can carry depth: a depth topic was asked for, or a depth channel found.
    public var hasDepth: Bool { options.depthTopic != nil || selectedDepth != nil }

    public func close() {
        reader?.close()
        reader = nil
    }

    public func nextFrame() throws -> Frame? {
        while true {
            if !ready.isEmpty {
                let frame = ready.removeFirst()
                if options.pacing == .recorded { pace.wait(untilRecorded: frame.captureMonotonicNs) }
                return frame
            }
            guard let reader else { return nil }
            if let record = try reader.next() {
                try handle(record, reader)
                continue
            }
            ready = pairing.finish()
            if !ready.isEmpty { continue }
            guard options.loop, framesThisPass > 0 else { return nil }
            framesThisPass = 0
            reader.close()
            self.reader = try MCAPReader(path: path, limits: options.limits)
            loopCount += 1
            pace.startNextLoop()
            pairing = DepthPairing(toleranceNs: options.depthToleranceNs)
        }
    }

    /// Tracks metadata and channels; a message on the chosen channels goes through the pairing
    /// (straight through without depth) into `ready`.
    private func handle(_ record: MCAPReader.Record, _ reader: MCAPReader) throws {
        switch record {
        case .metadata(let metadata):
            if metadata.name == RecordingMetadata.clockRecord,
               let offset = metadata.entries[RecordingMetadata.realtimeOffsetKey].flatMap(Int64.init) {
                realtimeOffsetNs = offset
            }
        case .channel(let channel):
            considerChannel(channel, reader: reader)
        case .message(let message):
            if let selectedDepth, message.channelID == selectedDepth.channelID {
                do {
                    var depth = try decoder.decodeDepth(message.data, kind: selectedDepth.kind,
                                                        context: "\(path): depth message \(message.sequence)")
                    if depth.stampNs == 0 { depth.stampNs = message.logTime }
                    ready += pairing.receive(depth: depth)
                } catch {
                    depthErrors.withLock { $0 = ($0.count + 1, "\(error)") }
                }
                return
            }
            guard let selected, message.channelID == selected.channelID else { return }
            let image = try decoder.decode(message.data, kind: selected.kind,
                                           context: "\(path): \(topic ?? "") message \(message.sequence)")
            let recordedNs = image.stampNs != 0 ? image.stampNs : message.logTime
            let stamp = pace.stamp(recordedNs: monotonic(recordedNs))
            sequence += 1
            framesThisPass += 1
            let frame = Frame(pixels: image.pixels, width: image.width, height: image.height, format: image.format,
                              stride: image.stride, captureMonotonicNs: stamp, sequence: sequence - 1, camera: cameraName,
                              captureWallNs: recordedNs, frameID: image.frameID)
            // Paired by recorded stamps: depth and colour come from the same clock there. A log
            // may declare the depth channel after the first colour frames: those wait for it too.
            ready += hasDepth ? pairing.receive(colour: frame, stampNs: recordedNs) : [frame]
        case .schema, .attachment:
            break
        }
    }

    private func considerChannel(_ channel: MCAPChannel, reader: MCAPReader) {
        guard let kind = ImageMessageDecoder.Kind(schema: reader.schemas[channel.schemaID], channel: channel) else { return }
        let role = channel.metadata[RecordingMetadata.roleKey]
        if selectedDepth == nil, options.depthTopic.map({ $0 == channel.topic }) ?? (role == RecordingMetadata.depthRole) {
            selectedDepth = (channel.id, kind)
            return
        }
        guard selected == nil else { return }
        if let wanted = options.topic {
            guard channel.topic == wanted else { return }
        } else if let role, role != RecordingMetadata.cameraRole {
            return  // affordd's heatmaps are RawImages too; the default is the camera
        }
        selected = (channel.id, kind)
        topic = channel.topic
        if options.cameraName == nil {
            cameraName = channel.metadata[RecordingMetadata.cameraKey] ?? channel.topic
        }
    }

    private func monotonic(_ recordedNs: UInt64) -> UInt64 {
        if let realtimeOffsetNs {
            let value = Int64(bitPattern: recordedNs) &- realtimeOffsetNs
            return value < 0 ? 0 : UInt64(value)
        }
        let origin = rebase ?? (recordedNs, MonotonicClock.nowNs())
        rebase = origin
        // Stamps earlier than the first one (out-of-order messages) stay at the origin.
        return origin.monotonic &+ (recordedNs > origin.recorded ? recordedNs - origin.recorded : 0)
    }
}
