import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A named OS thread for blocking work (poll, read, inference), which its owner can wait for:
/// from a thread (`join(timeoutSeconds:)`) or from async code (`join()`, which gives up when
/// the task is cancelled, so a stuck stage cannot hold a shutdown past its deadline).
public final class OwnedThread: Sendable {
    private struct State {
        var finished = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledWaiters: Set<Int> = []
        var nextWaiter = 0
    }

    private let state = ConditionLock(State())

    /// Starts `body` at once on a new thread named `name` (at most 15 bytes reach the OS).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [state] in
            nameCurrentThreadForTheOS(name)
            body()
            let waiters = state.withLock { state in
                state.finished = true
                defer { state.waiters = [:] }
                return state.waiters.values
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Blocks until the body returned, or `timeoutSeconds` passed; returns whether it returned.
    @discardableResult
    public func join(timeoutSeconds: Double? = nil) -> Bool {
        let deadline = timeoutSeconds.map { Date(timeIntervalSinceNow: $0) }
        return state.wait(until: deadline) { $0.finished ? true : nil } ?? false
    }

    /// Suspends until the body returned, or the task is cancelled.
    public func join() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.cancelledWaiters.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                // Cancelled before the continuation was stored: it must resume at once.
                if !state.finished { state.cancelledWaiters.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }
}

/// `top -H`, `/proc/PID/task/TID/comm` and gdb show this name. corelibs Foundation keeps
/// `Thread.name` to itself, and Glibc's `pthread_setname_np` is not visible to Swift, so this
/// writes `/proc/thread-self/comm` as that function does. Best effort: names are for people.
private func nameCurrentThreadForTheOS(_ name: String) {
    #if os(Linux)
    let descriptor = open("/proc/thread-self/comm", O_WRONLY)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    #endif
}
