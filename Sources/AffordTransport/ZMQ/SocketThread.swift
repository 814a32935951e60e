import AffordCore
import Foundation

/// A dedicated thread that owns its sockets: it sets them up, reports whether
/// that worked, then loops until asked to stop.
///
/// `init` returns only after `setUp` ran, so binds are done (or their error
/// thrown) before the caller goes on.
final class SocketThread: Sendable {
    private let stopRequested = Shared(false)
    private let finished = DispatchSemaphore(value: 0)
    private let name: String

    /// `setUp` runs on the new thread and returns the loop body's state; `step`
    /// is then called repeatedly until `stop()`, and should block at most ~50 ms.
    init<State>(
        name: String,
        setUp: @escaping @Sendable () throws -> State,
        step: @escaping @Sendable (State) -> Void,
        tearDown: @escaping @Sendable (State) -> Void = { _ in }
    ) throws {
        self.name = name
        let started = DispatchSemaphore(value: 0)
        let setUpError = Shared<(any Error)?>(nil)
        let stopRequested = self.stopRequested
        // The body sits in a box the thread empties, so everything it captured
        // (sockets, a CurveServer) is released before `stop()` returns.
        let body = Shared<(@Sendable () -> Void)?>({
            let state: State
            do {
                state = try setUp()
            } catch {
                setUpError.withLock { $0 = error }
                started.signal()
                return
            }
            started.signal()
            while !stopRequested.value { step(state) }
            tearDown(state)
        })
        startNamedThread(name) { [finished] in
            do {
                let run = body.withLock { box in
                    defer { box = nil }
                    return box
                }
                run?()
            }
            finished.signal()
        }
        started.wait()
        if let error = setUpError.value { throw error }
    }

    /// Whether `stop()` was called; long-running steps can check it.
    var isStopping: Bool { stopRequested.value }

    /// Asks the loop to end and waits until its sockets are closed. Idempotent.
    func stop() {
        if stopRequested.withLock({ flag in defer { flag = true }; return flag }) { return }
        finished.wait()
    }
}
