import Foundation

/// A named OS thread for blocking work (sources block on poll/read), joinable from async code.
final class WorkerThread: @unchecked Sendable {
    private let finished = DispatchGroup()

    /// Starts `body` at once on a new thread.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            body()
            finished.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Suspends until the thread's body has returned.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// Blocks until the body has returned or `timeout` seconds passed; true when it returned.
    func join(timeout: Double) -> Bool {
        finished.wait(timeout: .now() + timeout) == .success
    }
}
