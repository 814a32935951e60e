import Foundation

/// A value guarded by a lock that threads can also wait on.
///
/// `Synchronization.Mutex` has no condition variable, and a blocking hand-off needs one, so this
/// is the one type that wraps NSCondition; a lock nobody waits on should be a `Mutex`.
public final class ConditionLock<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched with `condition` held.
    private let condition = NSCondition()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the lock held, then wakes every waiter (the state may have changed).
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&value)
    }

    /// Waits until `body` returns non-nil, re-running it after every change; the lock is held
    /// while `body` runs, and the others are woken afterwards.
    public func wait<R>(_ body: (inout Value) throws -> R?) rethrows -> R {
        // Without a deadline the wait only ends with a result.
        guard let result = try wait(until: nil, body) else { preconditionFailure("a wait without deadline ended") }
        return result
    }

    /// As `wait(_:)`, but gives up at `deadline` (nil: never) and returns nil.
    public func wait<R>(until deadline: Date?, _ body: (inout Value) throws -> R?) rethrows -> R? {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        while true {
            if let result = try body(&value) { return result }
            if let deadline {
                if !condition.wait(until: deadline) { return try body(&value) }
            } else {
                condition.wait()
            }
        }
    }
}
