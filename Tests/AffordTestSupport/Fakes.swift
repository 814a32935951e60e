import AffordCore
import Foundation

/// A grounder that draws one bright blob per action at a known place, optionally slowly, and counts calls.
public final class FakeGrounder: AffordanceGrounder, @unchecked Sendable {
    public let vocabulary: [String]
    public let modelID = "fake-grounder"
    public let inputSize = 224
    /// Seconds each call sleeps, to play a slow model.
    public let delay: Double
    /// Every action's presence on call n is `presences[n]` (the last one after that); none: nil.
    public let presences: [Float]
    private let lock = NSLock()
    private var calls: [[String]] = []

    public init(vocabulary: [String] = ["hold", "cut", "pour", "push", "open"], delay: Double = 0, presences: [Float] = []) {
        self.vocabulary = vocabulary
        self.delay = delay
        self.presences = presences
    }

    /// The action lists of every call so far.
    public var recordedCalls: [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return calls
    }

    /// Grid cell (x, y) of the blob for the action at vocabulary index `index` on a 16x16 grid.
    public static func blobCell(index: Int) -> (x: Int, y: Int) { (2 + 3 * index, 3 + 2 * index) }

    public func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        lock.lock()
        let call = calls.count
        calls.append(actions)
        lock.unlock()
        let presence = presences.isEmpty ? nil : presences[min(call, presences.count - 1)]
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return try actions.map { action in
            guard let index = vocabulary.firstIndex(of: action) else {
                throw AffordError(.invalidInput, "unknown action '\(action)'")
            }
            var map = Heatmap(width: 16, height: 16)
            let cell = Self.blobCell(index: index)
            map[cell.x, cell.y] = 1
            return ActionMap(action: action, map: map, presence: presence)
        }
    }
}

/// Keeps every result it is given.
public final class CapturingSink: ResultSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [FrameResult] = []
    /// Called after each result is stored (e.g. to release a lock-step source).
    private let onConsume: (@Sendable () -> Void)?

    public init(onConsume: (@Sendable () -> Void)? = nil) { self.onConsume = onConsume }

    public func consume(_ result: FrameResult) throws {
        lock.lock()
        stored.append(result)
        lock.unlock()
        onConsume?()
    }

    public var results: [FrameResult] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// Yields `count` small RGB frames at `interval` seconds, then ends (or waits for `close()` when `holdOpen`).
public final class ScriptedSource: FrameSource, @unchecked Sendable {
    public let cameraName: String
    private let count: Int
    private let interval: Double
    private let holdOpen: Bool
    private let width: Int, height: Int
    /// Called (outside the lock) before every frame but the first: lets a test run in lock-step.
    private let beforeNext: (@Sendable () -> Void)?
    private let condition = NSCondition()
    private var produced = 0
    private var closed = false

    public init(camera: String, count: Int, interval: Double = 0, width: Int = 64, height: Int = 48,
                holdOpen: Bool = false, beforeNext: (@Sendable () -> Void)? = nil) {
        cameraName = camera
        self.beforeNext = beforeNext
        self.count = count
        self.interval = interval
        self.holdOpen = holdOpen
        self.width = width
        self.height = height
    }

    /// Frames handed out so far.
    public var framesProduced: Int {
        condition.lock()
        defer { condition.unlock() }
        return produced
    }

    public func nextFrame() throws -> Frame? {
        if framesProduced > 0 { beforeNext?() }
        condition.lock()
        defer { condition.unlock() }
        if produced > 0 && interval > 0 && !closed { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
        while !closed && produced >= count && holdOpen { condition.wait() }
        guard !closed, produced < count else { return nil }
        produced += 1
        let shade = UInt8(truncatingIfNeeded: produced)
        return Frame(pixels: [UInt8](repeating: shade, count: width * height * 3), width: width, height: height,
                     format: .rgb8, captureMonotonicNs: MonotonicClock.nowNs(), sequence: UInt64(produced),
                     camera: cameraName)
    }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A source whose every read fails, like an unplugged camera.
public final class FailingSource: FrameSource, @unchecked Sendable {
    public let cameraName: String
    public init(camera: String) { cameraName = camera }
    public func nextFrame() throws -> Frame? { throw AffordError(.device, "\(cameraName): VIDIOC_DQBUF failed: ENODEV") }
    public func close() {}
}
