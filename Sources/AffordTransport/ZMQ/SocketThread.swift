import AffordCore

/// A dedicated thread that owns its sockets: it sets them up, reports whether
/// that worked, then loops until asked to stop.
///
/// `init` returns only after `setUp` ran, so binds are done (or their error
/// thrown) before the caller goes on.
final class SocketThread: Sendable {
    private let stopRequested = Shared(false)
    private let thread: OwnedThread

    /// How `setUp` went, for `init` to wait on.
    private enum SetUp: Sendable {
        case pending, done
        case failed(any Error)
    }

    /// `setUp` runs on the new thread and returns the loop body's state; `step`
    /// is then called repeatedly until `stop()`, and should block at most ~50 ms.
    init<State>(
        name: String,
        setUp: @escaping @Sendable () throws -> State,
        step: @escaping @Sendable (State) -> Void,
        tearDown: @escaping @Sendable (State) -> Void = { _ in }
    ) throws {
        let outcome = ConditionLock(SetUp.pending)
        let stopRequested = self.stopRequested
        // The body sits in a box the thread empties, so everything it captured
        // (sockets, a CurveServer) is released before `stop()` returns.
        let body = Shared<(@Sendable () -> Void)?>({
            let state: State
            do {
                state = try setUp()
            } catch {
                outcome.withLock { $0 = .failed(error) }
                return
            }
            outcome.withLock { $0 = .done }
            while !stopRequested.value { step(state) }
            tearDown(state)
        })
        thread = OwnedThread(name: name) {
            let run = body.withLock { box in
                defer { box = nil }
                return box
            }
            run?()
        }
        let error = outcome.wait { outcome -> (any Error)?? in
            switch outcome {
            case .pending: nil
            case .done: .some(nil)
            case .failed(let error): .some(error)
            }
        }
        if let error { throw error }
    }

    /// Whether `stop()` was called; long-running steps can check it.
    var isStopping: Bool { stopRequested.value }

    /// Asks the loop to end and waits until its sockets are closed. Idempotent.
    func stop() {
        if stopRequested.withLock({ flag in defer { flag = true }; return flag }) { return }
        thread.join()
    }
}
