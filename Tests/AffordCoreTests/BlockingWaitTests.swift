import AffordCore
import Foundation
import Testing

/// `awaitBlocking` is called from plain threads, never from the cooperative pool, so each
/// test calls it on an `OwnedThread`.
@Suite struct BlockingWaitTests {
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let result = Shared<T?>(nil)
        await OwnedThread(name: "blocking-wait") { let value = body(); result.withLock { $0 = value } }.join()
        return result.value
    }

    @Test func returnsWhatTheAsyncWorkReturned() async {
        let value = await Self.onThread {
            awaitBlocking { () -> Int in
                try? await Task.sleep(for: .milliseconds(20))
                return 42
            }
        }
        #expect(value == 42)
    }

    @Test func givesUpAtTheDeadlineAndCancelsTheWork() async {
        let cancelled = Shared(false)
        let value = await Self.onThread {
            awaitBlocking(timeoutSeconds: 0.1) { () -> Int in
                do { try await Task.sleep(for: .seconds(30)) } catch { cancelled.withLock { $0 = true } }
                return 1
            }
        }
        // The thread came back with nil, not the work's 1: the wait ended at the deadline, not 30 s later.
        #expect(value == Optional<Int?>.some(nil))
        // The cancelled sleep throws as soon as the task runs again; wait for it to record that.
        let deadline = Date().addingTimeInterval(60)  // generous: the pool is shared with slow suites
        while !cancelled.value, Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(cancelled.value)
    }
}
