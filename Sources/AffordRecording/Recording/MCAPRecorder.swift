import AffordCore
import AffordTransport
import Foundation

/// Records camera frames, and optionally affordd's results, into an MCAP file that
/// Foxglove opens: JPEG frames as foxglove.CompressedImage, raw frames as
/// foxglove.RawImage, a paired depth frame as a 16UC1 RawImage, one mono8 heatmap channel
/// per action, the centroids as foxglove.ImageAnnotations and as the published centroids JSON.
///
/// The first I/O error is thrown once (to be logged), counted, and stops recording;
/// the file written so far stays readable (the open chunk is lost and counted).
/// Later calls are counted as dropped.
/// Thread-safe: frames and results may arrive from different threads. The writer, its
/// encoder and the counters are not Sendable; every `var` here is touched only under `serial`.
public final class MCAPRecorder: ResultSink, @unchecked Sendable {
    /// File layout, whether results are recorded, and how often the open chunk is flushed.
    public struct Options: Sendable {
        var writer: MCAPWriter.Options
        /// Also record results handed to `consume(_:)`.
        var recordResults: Bool
        /// Write the open chunk at least this often, bounding what a crash loses.
        var flushIntervalNs: UInt64

        public init(writer: MCAPWriter.Options = .init(), recordResults: Bool = true,
                    flushIntervalNs: UInt64 = 1_000_000_000) {
            self.writer = writer
            self.recordResults = recordResults
            self.flushIntervalNs = flushIntervalNs
        }
    }

    /// Counters for health reporting.
    public struct Status: Sendable, Equatable {
        public var framesRecorded: UInt64 = 0
        public var resultsRecorded: UInt64 = 0
        public var ioErrors: UInt64 = 0
        /// Frames and results that arrived after recording stopped.
        public var dropped: UInt64 = 0
        /// Messages accepted but still in the chunk whose write failed: not in the file.
        public var lostMessages: UInt64 = 0
        public var stopped = false
        public var lastError: String?

        /// These counters followed by `later`'s (the next file's), as one tally.
        func followed(by later: Status) -> Status {
            Status(framesRecorded: framesRecorded + later.framesRecorded, resultsRecorded: resultsRecorded + later.resultsRecorded,
                   ioErrors: ioErrors + later.ioErrors, dropped: dropped + later.dropped,
                   lostMessages: lostMessages + later.lostMessages, stopped: later.stopped,
                   lastError: later.lastError ?? lastError)
        }
    }

    let options: Options
    private let serial = Shared(())
    private let writer: MCAPWriter
    private var channels = RecorderChannels()
    private var state = Status()
    private var lastFlushNs = MonotonicClock.nowNs()
    private let realtimeOffsetNs: Int64
    private var recordedModelIDs: Set<String> = []
    private let encoder = FoxgloveEncoder()

    /// Creates the file and writes the metadata records (config, clock offset, model).
    public convenience init(path: String, configText: String, modelID: String? = nil,
                            options: Options = Options()) throws {
        try self.init(sink: FileByteSink(path: path), configText: configText, modelID: modelID, options: options)
    }

    /// Records into any byte sink (tests use one that fails like a full disk).
    init(sink: ByteSink, configText: String, modelID: String? = nil, options: Options = Options()) throws {
        self.options = options
        realtimeOffsetNs = MonotonicClock.realtimeOffsetNs()
        writer = try MCAPWriter(sink: sink, options: options.writer)
        try writer.addMetadata(MCAPMetadata(name: RecordingMetadata.configRecord,
                                            entries: [RecordingMetadata.configKey: configText]))
        try writer.addMetadata(MCAPMetadata(name: RecordingMetadata.clockRecord, entries: [
            RecordingMetadata.realtimeOffsetKey: String(realtimeOffsetNs),
            "clock": "CLOCK_MONOTONIC",
        ]))
        if let modelID { try recordModel(modelID) }
    }

    var status: Status { serial.withLock { _ in state } }

    /// The file's size so far, buffered bytes included.
    var bytesWritten: UInt64 { serial.withLock { _ in writer.bytesWritten } }

    /// Records one camera frame.
    public func record(_ frame: Frame) throws {
        try guarded {
            let wallNs = frame.captureWallNs ?? wallTime(frame.captureMonotonicNs)
            let payload = try encoder.encode(frame, wallNs: wallNs)
            state.framesRecorded += 1
            try add(payload, on: FoxgloveEncoder.channel(for: frame), wallNs: wallNs)
            if let depth = try encoder.encodeDepth(frame, wallNs: wallNs) {
                try add(depth, on: .depth(camera: frame.camera), wallNs: wallNs)
            }
        }
    }

    /// ResultSink: one mono8 heatmap per action and the centroids as annotations.
    public func consume(_ result: FrameResult) throws {
        guard options.recordResults else { return }
        try guarded {
            let wallNs = result.captureWallNs ?? wallTime(result.captureMonotonicNs)
            state.resultsRecorded += 1
            if !recordedModelIDs.contains(result.modelID) { try recordModel(result.modelID) }
            for (channel, payload) in try encoder.encode(result, wallNs: wallNs) { try add(payload, on: channel, wallNs: wallNs) }
            let centroids = try WireFormat.centroidsJSON(result, captureWallNs: wallNs, publishWallNs: MonotonicClock.wallNs())
            try add(centroids, on: .centroids(camera: result.camera), wallNs: wallNs)
        }
    }

    private func add(_ payload: [UInt8], on channel: FoxgloveChannel, wallNs: UInt64) throws {
        let recorded = try channels.channel(channel, writer)
        try writer.addMessage(MCAPMessage(channelID: recorded.id, sequence: recorded.next(),
                                          logTime: wallNs, publishTime: wallNs, data: payload))
    }

    /// Finalises the file (summary, footer). Safe to call more than once.
    public func close() throws {
        try serial.withLock { _ in
            guard !state.stopped else { return }
            state.stopped = true
            do { try writer.close() } catch { try fail(error) }
        }
    }

    private func recordModel(_ modelID: String) throws {
        recordedModelIDs.insert(modelID)
        try writer.addMetadata(MCAPMetadata(name: RecordingMetadata.modelRecord,
                                            entries: [RecordingMetadata.modelIDKey: modelID]))
    }

    /// Runs `body` under the lock unless stopped; the first error stops recording and is rethrown.
    private func guarded(_ body: () throws -> Void) throws {
        try serial.withLock { _ in
            guard !state.stopped else {
                state.dropped += 1
                return
            }
            do {
                try body()
                let now = MonotonicClock.nowNs()
                if now &- lastFlushNs >= options.flushIntervalNs {
                    lastFlushNs = now
                    try writer.flushChunk()
                }
            } catch {
                state.stopped = true
                try fail(error)
            }
        }
    }

    private func fail(_ error: any Error) throws -> Never {
        state.ioErrors += 1
        state.lostMessages += UInt64(writer.pendingMessageCount)
        state.lastError = "\(error)"
        throw error as? AffordError ?? AffordError(.io, "recording failed: \(error)")
    }

    private func wallTime(_ monotonicNs: UInt64) -> UInt64 {
        MonotonicClock.wallNs(monotonic: monotonicNs, offset: realtimeOffsetNs)
    }
}
