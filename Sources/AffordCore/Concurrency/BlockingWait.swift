import Foundation

/// Runs async work from a plain thread (the control thread, the fuzz harness) and blocks
/// until it finishes, or until `timeoutSeconds` pass: then the task is cancelled and the
/// result is nil. The waiting is `ConditionLock`'s, like every other blocking hand-off.
public func awaitBlocking<T: Sendable>(timeoutSeconds: Double? = nil,
                                       _ work: @escaping @Sendable () async -> T) -> T? {
    let outcome = ConditionLock<T?>(nil)
    let task = Task {
        let value = await work()
        outcome.withLock { $0 = value }
    }
    let deadline = timeoutSeconds.map { Date(timeIntervalSinceNow: max(0, $0)) }
    let result = outcome.wait(until: deadline) { $0 }
    if result == nil { task.cancel() }
    return result
}
