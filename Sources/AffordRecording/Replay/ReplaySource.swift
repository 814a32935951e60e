import AffordCore

/// Replays camera frames from an MCAP log: affordd's own recordings (Foxglove
/// JSON images) or rosbag2 logs (sensor_msgs CDR images).
///
/// Frames carry the recorded capture time, which is wall-clock time in every log
/// (Foxglove and ROS stamps), as `captureWallNs`. For affordd recordings it is mapped
/// back to CLOCK_MONOTONIC with the clock offset stored in the log; other logs have no
/// offset, so their frames are placed on this machine's monotonic clock from the
/// moment replay starts, keeping the recorded spacing.
/// A truncated or corrupt log replays its valid prefix, then throws.
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

        public init(topic: String? = nil, pacing: Pacing = .recorded, loop: Bool = false, cameraName: String? = nil,
                    limits: MCAPReader.Limits = .init()) {
            self.topic = topic
            self.pacing = pacing
            self.loop = loop
            self.cameraName = cameraName
            self.limits = limits
        }
    }

    let path: String
    let options: Options
    public private(set) var cameraName: String
    /// The topic being replayed, once chosen.
    private(set) var topic: String?
    /// Times the log has been started over.
    private(set) var loopCount = 0

    private var reader: MCAPReader?
    private let decoder = ImageMessageDecoder()
    private var selected: (channelID: UInt16, kind: ImageMessageDecoder.Kind)?
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
        let reader = try MCAPReader(path: path, limits: options.limits)
        self.reader = reader
        while selected == nil, let record = try reader.next() { _ = try handle(record, reader) }
        guard selected != nil else {
            throw AffordError(.invalidInput, "\(path): no image channel"
                              + (options.topic.map { " named '\($0)'" } ?? "") + " to replay")
        }
    }

    public func close() {
        reader?.close()
        reader = nil
    }

    public func nextFrame() throws -> Frame? {
        guard let reader else { return nil }
        while let record = try reader.next() {
            if let frame = try handle(record, reader) { return frame }
        }
        guard options.loop, framesThisPass > 0 else { return nil }
        framesThisPass = 0
        reader.close()
        self.reader = try MCAPReader(path: path, limits: options.limits)
        loopCount += 1
        pace.startNextLoop()
        return try nextFrame()
    }

    /// Tracks metadata and channels; turns a message on the chosen channel into a frame.
    private func handle(_ record: MCAPReader.Record, _ reader: MCAPReader) throws -> Frame? {
        switch record {
        case .metadata(let metadata):
            if metadata.name == RecordingMetadata.clockRecord,
               let offset = metadata.entries[RecordingMetadata.realtimeOffsetKey].flatMap(Int64.init) {
                realtimeOffsetNs = offset
            }
        case .channel(let channel):
            considerChannel(channel, reader: reader)
        case .message(let message):
            guard let selected, message.channelID == selected.channelID else { return nil }
            let image = try decoder.decode(message.data, kind: selected.kind,
                                           context: "\(path): \(topic ?? "") message \(message.sequence)")
            let recordedNs = image.stampNs != 0 ? image.stampNs : message.logTime
            let stamp = pace.stamp(recordedNs: monotonic(recordedNs))
            if options.pacing == .recorded { pace.wait(untilRecorded: stamp) }
            sequence += 1
            framesThisPass += 1
            return Frame(pixels: image.pixels, width: image.width, height: image.height, format: image.format,
                         stride: image.stride, captureMonotonicNs: stamp, sequence: sequence - 1, camera: cameraName,
                         captureWallNs: recordedNs, frameID: image.frameID)
        case .schema, .attachment:
            break
        }
        return nil
    }

    private func considerChannel(_ channel: MCAPChannel, reader: MCAPReader) {
        guard selected == nil,
              let kind = ImageMessageDecoder.Kind(schema: reader.schemas[channel.schemaID], channel: channel) else { return }
        if let wanted = options.topic {
            guard channel.topic == wanted else { return }
        } else if let role = channel.metadata[RecordingMetadata.roleKey], role != RecordingMetadata.cameraRole {
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
