import AffordCore
import Dispatch
import Synchronization

/// A one-frame mailbox: the producer overwrites, the consumer takes the newest.
/// A slow consumer therefore never builds a queue; it just sees sequence gaps.
public final class LatestFrameSlot: Sendable {
    /// How the stream ended, if it has.
    public enum Ending: Sendable, Equatable {
        case closed
        case failed(AffordError)
    }

    private struct State {
        var frame: Frame?
        var ending: Ending?
    }

    private let state = Mutex(State())
    // Mutex has no condition variable; the semaphore wakes the consumer. Its count may
    // run ahead of the frames (a take without a wait), which only causes a re-check.
    private let wakeUp = DispatchSemaphore(value: 0)

    public init() {}

    /// Stores `frame`; returns true when it replaced one the consumer never took.
    @discardableResult
    public func publish(_ frame: Frame) -> Bool {
        let replaced = state.withLock { state in
            let replaced = state.frame != nil
            state.frame = frame
            return replaced
        }
        if !replaced { wakeUp.signal() }
        return replaced
    }

    /// Ends the stream; a pending frame is still delivered first.
    public func finish(_ ending: Ending) {
        state.withLock { state in
            if state.ending == nil { state.ending = ending }
        }
        wakeUp.signal()
    }

    /// Blocks for the newest frame; nil after `.closed`, throws after `.failed`.
    public func take() throws -> Frame? {
        while true {
            let result: Result<Frame?, AffordError>? = state.withLock { state in
                if let frame = state.frame {
                    state.frame = nil
                    return .success(frame)
                }
                switch state.ending {
                case .closed: return .success(nil)
                case .failed(let error): return .failure(error)
                case nil: return nil
                }
            }
            if let result { return try result.get() }
            wakeUp.wait()
        }
    }
}
