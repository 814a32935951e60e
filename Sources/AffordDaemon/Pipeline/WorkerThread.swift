import AffordCore
import Foundation

/// A named OS thread for blocking work (sources block on poll/read), joinable from async code.
final class WorkerThread: @unchecked Sendable {
    private let finished = DispatchGroup()

    /// Starts `body` at once on a new thread.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        finished.enter()
        startNamedThread(name) { [finished] in
            body()
            finished.leave()
        }
    }

    /// Suspends until the thread's body has returned, or the task is cancelled: after the
    /// graceful-shutdown deadline the group cancels, and a stuck stage must not hold the exit.
    func join() async {
        let gate = ResumeOnce()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                gate.arm(continuation)
                finished.notify(queue: .global()) { gate.fire() }
            }
        } onCancel: {
            gate.fire()
        }
    }

}

/// Resumes a continuation exactly once, whichever of completion or cancellation comes first.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var fired = false

    func arm(_ continuation: CheckedContinuation<Void, Never>) {
        lock.lock()
        if fired {
            lock.unlock()
            continuation.resume()
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func fire() {
        lock.lock()
        fired = true
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume()
    }
}
