import AffordCore
import Glibc

/// Replays camera frames from an MCAP log: affordd's own recordings (Foxglove
/// JSON images) or rosbag2 logs (sensor_msgs CDR images).
///
/// Frames carry the recorded capture time; for affordd recordings that is
/// mapped back to CLOCK_MONOTONIC with the clock offset stored in the log.
/// A truncated or corrupt log replays its valid prefix, then throws.
public final class ReplaySource: FrameSource {
    /// How fast frames come out.
    public enum Pacing: Sendable, Equatable {
        /// Sleep so frames keep their recorded spacing.
        case recorded
        /// No sleeping: for evaluation and benchmarks.
        case asFastAsPossible
    }

    public struct Options: Sendable {
        /// The topic to replay; nil takes the first camera image channel.
        public var topic: String?
        public var pacing: Pacing
        /// Start over at the end instead of ending the stream.
        public var loop: Bool
        /// Frames are stamped with this name; nil uses the recorded camera (or the topic).
        public var cameraName: String?

        public init(topic: String? = nil, pacing: Pacing = .recorded, loop: Bool = false, cameraName: String? = nil) {
            self.topic = topic
            self.pacing = pacing
            self.loop = loop
            self.cameraName = cameraName
        }
    }

    public let path: String
    public let options: Options
    public private(set) var cameraName: String
    /// The topic being replayed, once chosen.
    public private(set) var topic: String?
    /// Times the log has been started over.
    public private(set) var loopCount = 0

    private var reader: MCAPReader?
    private let decoder = ImageMessageDecoder()
    private var selected: (channelID: UInt16, kind: ImageMessageDecoder.Kind)?
    private var realtimeOffsetNs: Int64?
    private var sequence: UInt64 = 0
    private var pace = ReplayPacer()

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        cameraName = options.cameraName ?? ""
        reader = try MCAPReader(path: path)
    }

    public func close() {
        reader?.close()
        reader = nil
    }

    public func nextFrame() throws -> Frame? {
        guard let reader else { return nil }
        while let record = try reader.next() {
            switch record {
            case .metadata(let metadata):
                if metadata.name == RecordingMetadata.clockRecord,
                   let offset = metadata.entries[RecordingMetadata.realtimeOffsetKey].flatMap(Int64.init) {
                    realtimeOffsetNs = offset
                }
            case .channel(let channel):
                considerChannel(channel, reader: reader)
            case .message(let message):
                guard let selected, message.channelID == selected.channelID else { continue }
                let image = try decoder.decode(message.data, kind: selected.kind,
                                               context: "\(path): \(topic ?? "") message \(message.sequence)")
                let recordedNs = image.stampNs != 0 ? image.stampNs : message.logTime
                let stamp = pace.stamp(recordedNs: monotonic(recordedNs))
                if options.pacing == .recorded { pace.wait(untilRecorded: stamp) }
                sequence += 1
                return Frame(pixels: image.pixels, width: image.width, height: image.height, format: image.format,
                             stride: image.stride, captureMonotonicNs: stamp, sequence: sequence - 1, camera: cameraName)
            case .schema, .attachment:
                continue
            }
        }
        guard selected != nil else {
            throw AffordError(.invalidInput, "\(path): no image channel"
                              + (options.topic.map { " named '\($0)'" } ?? "") + " to replay")
        }
        guard options.loop else { return nil }
        reader.close()
        self.reader = try MCAPReader(path: path)
        loopCount += 1
        pace.startNextLoop()
        return try nextFrame()
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
        guard let realtimeOffsetNs else { return recordedNs }
        let value = Int64(bitPattern: recordedNs) &- realtimeOffsetNs
        return value < 0 ? 0 : UInt64(value)
    }
}

/// Keeps recorded spacing on the monotonic clock and shifts stamps forward on each loop.
struct ReplayPacer {
    private var firstRecorded: UInt64?
    private var lastRecorded: UInt64 = 0
    private var lastGap: UInt64 = 0
    private var loopShift: UInt64 = 0
    private var wallStart: UInt64 = 0

    /// The stamp a frame gets: its recorded time, moved past the previous loops.
    mutating func stamp(recordedNs: UInt64) -> UInt64 {
        if firstRecorded == nil {
            firstRecorded = recordedNs
            wallStart = MonotonicClock.nowNs()
        }
        if recordedNs > lastRecorded, lastRecorded != 0 { lastGap = recordedNs - lastRecorded }
        lastRecorded = recordedNs
        return recordedNs &+ loopShift
    }

    /// Sleeps until `stamp` is as far from the first frame as it was in the recording.
    func wait(untilRecorded stamp: UInt64) {
        guard let firstRecorded, stamp > firstRecorded else { return }
        let target = wallStart &+ (stamp - firstRecorded)
        var deadline = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) == EINTR {}
    }

    /// The next loop starts one frame interval after this one ended.
    mutating func startNextLoop() {
        guard let firstRecorded else { return }
        loopShift &+= (lastRecorded &- firstRecorded) &+ max(lastGap, 1)
        lastRecorded = 0
    }
}
