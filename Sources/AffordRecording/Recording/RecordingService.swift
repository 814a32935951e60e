import AffordCore
import Foundation
import Synchronization

/// The daemon's recorder: frames and results queue here from any thread and are written
/// on the recorder's own thread, so neither capture nor output ever waits on the disk.
///
/// - The queue is bounded; when the disk falls behind, the oldest item is dropped and counted.
/// - Files rotate by size or age. Each one is finalised (summary, indexes) before the next
///   starts, so every closed file opens in Foxglove on its own.
/// - An existing file is never replaced: `run.mcap` is taken, then `run-1.mcap`, `run-2.mcap`, …
/// - `close()` drains the queue and finalises the open file (SIGTERM's path).
public final class RecordingService: ResultSink, Sendable {
    public struct Options: Sendable {
        /// The first file's path; later ones insert `-N` before the extension.
        var path: String
        var recorder: MCAPRecorder.Options
        /// Start a new file once this one holds this many bytes (nil: no size limit).
        var maxBytes: UInt64?
        /// Start a new file once this one is this old (nil: no age limit).
        var maxSeconds: Double?
        /// Items waiting for the disk before the oldest is dropped.
        var queueCapacity: Int

        public init(path: String, recorder: MCAPRecorder.Options = .init(), maxBytes: UInt64? = nil,
                    maxSeconds: Double? = nil, queueCapacity: Int = 64) {
            self.path = path
            self.recorder = recorder
            self.maxBytes = maxBytes
            self.maxSeconds = maxSeconds
            self.queueCapacity = queueCapacity
        }
    }

    public struct Status: Sendable, Equatable {
        /// Every file this service created, oldest first.
        public var files: [String] = []
        /// Items dropped because the queue was full.
        public var queueDrops: UInt64 = 0
        /// Counters over every file so far, the open one included; a failed rotation counts as
        /// an I/O error and stops recording.
        public var recorded = MCAPRecorder.Status()
    }

    private enum Item: Sendable {
        case frame(Frame)
        case result(FrameResult)
    }

    private let options: Options
    private let configText: String
    /// One key, so frames and results reach the file in the order they came.
    private let queue: Mailbox<Item>
    private static let queueKey = "recording"
    /// Set once at the end of `init` (the thread's body needs `self`).
    private let writer = Mutex<OwnedThread?>(nil)
    private let state: Mutex<Status>
    /// Touched only by the writer thread once it runs (and by `init` before it starts).
    private let segment: Mutex<Segment>
    private let log: @Sendable (String) -> Void

    private struct Segment: @unchecked Sendable {
        // @unchecked: the recorder is used only under this mutex.
        var recorder: MCAPRecorder
        var openedNs: UInt64
        var modelIDs: Set<String>
    }

    /// Creates the first file now, so a bad path fails at start-up, then starts the writer thread.
    public init(options: Options, configText: String, modelID: String? = nil,
                log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.options = options
        self.configText = configText
        self.log = log
        queue = Mailbox(keys: [Self.queueKey], capacity: options.queueCapacity)
        let (path, recorder) = try Self.openSegment(after: options.path, options: options, configText: configText,
                                                    modelID: modelID)
        state = Mutex(Status(files: [path]))
        segment = Mutex(Segment(recorder: recorder, openedNs: MonotonicClock.nowNs(),
                                modelIDs: modelID.map { [$0] } ?? []))
        let thread = OwnedThread(name: "affordd-record") { [self] in writeLoop() }
        writer.withLock { $0 = thread }
    }

    /// Queues a camera frame; never blocks.
    public func record(_ frame: Frame) { push(.frame(frame)) }

    /// ResultSink: queues the result; never blocks.
    public func consume(_ result: FrameResult) throws {
        guard options.recorder.recordResults else { return }
        push(.result(result))
    }

    public var status: Status {
        // The segment lock first, as the writer thread takes them, so no rotation falls between.
        segment.withLock { segment in
            var status = state.withLock { $0 }
            status.recorded = status.recorded.followed(by: segment.recorder.status)
            return status
        }
    }

    /// Writes what is queued, finalises the open file and stops the thread. Idempotent.
    public func close() throws {
        // The first close takes the thread; a later one finds nil and returns.
        guard let thread = writer.withLock({ $0.take() }) else { return }
        queue.close()
        thread.join()
        try segment.withLock { try $0.recorder.close() }
    }

    private func push(_ item: Item) {
        if queue.put(item, for: Self.queueKey) { state.withLock { $0.queueDrops += 1 } }
    }

    private func writeLoop() {
        while true {
            let (items, ending) = queue.takeAll(waitingUntil: nil)
            for item in items { write(item) }
            if ending != nil { return }
        }
    }

    private func write(_ item: Item) {
        segment.withLock { segment in
            rotateIfDue(&segment)
            do {
                switch item {
                case .frame(let frame):
                    try segment.recorder.record(frame)
                case .result(let result):
                    segment.modelIDs.insert(result.modelID)
                    try segment.recorder.consume(result)
                }
            } catch {
                // The recorder stops itself on its first error and counts the rest as dropped.
                log("recording stopped: \(error)")
            }
        }
    }

    /// Finalises the open file and starts the next one when it is full or old enough.
    private func rotateIfDue(_ segment: inout Segment) {
        let age = Double(MonotonicClock.nowNs() &- segment.openedNs) / 1e9
        let full = options.maxBytes.map { segment.recorder.bytesWritten >= $0 } ?? false
        let old = options.maxSeconds.map { age >= $0 } ?? false
        guard full || old, !segment.recorder.status.stopped else { return }
        do {
            try segment.recorder.close()
        } catch {
            log("recording stopped: closing \(state.withLock { $0.files.last ?? "" }) failed: \(error)")
            return  // counted by the recorder, which now counts what comes as dropped
        }
        do {
            let (path, recorder) = try Self.openSegment(after: options.path, options: options, configText: configText,
                                                        modelID: segment.modelIDs.first)
            let closed = segment.recorder.status
            segment = Segment(recorder: recorder, openedNs: MonotonicClock.nowNs(), modelIDs: segment.modelIDs)
            state.withLock {
                $0.files.append(path)
                $0.recorded = $0.recorded.followed(by: closed)
            }
        } catch {
            // The closed file stays complete; its stopped recorder counts what comes as dropped.
            state.withLock {
                $0.recorded.ioErrors += 1
                $0.recorded.lastError = "recording rotation failed: \(error)"
            }
            log("recording rotation failed, recording stopped: \(error)")
        }
    }

    /// The first of `base`, `base-1`, `base-2`, … that does not exist yet, created exclusively.
    static func openSegment(after base: String, options: Options, configText: String,
                            modelID: String?) throws -> (String, MCAPRecorder) {
        let url = URL(fileURLWithPath: base)
        let stem = url.deletingPathExtension().path
        let suffix = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        for index in 0..<10_000 {
            let path = index == 0 ? base : "\(stem)-\(index)\(suffix)"
            do {
                let sink = try FileByteSink(path: path, exclusive: true)
                return (path, try MCAPRecorder(sink: sink, configText: configText, modelID: modelID,
                                               options: options.recorder))
            } catch let error as AffordError where error.code == .alreadyExists {
                continue
            }
        }
        throw AffordError(.io, "recording: \(base) and 10,000 numbered files after it exist already")
    }
}
