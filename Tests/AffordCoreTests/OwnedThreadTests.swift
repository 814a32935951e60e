import AffordCore
import Foundation
import Testing

@Suite struct OwnedThreadTests {
    @Test func asyncJoinEndsWhenCancelledThenWhenTheThreadEnds() async throws {
        final class Flag: @unchecked Sendable {
            private let lock = NSLock()
            private var value = false
            func set() { lock.withLock { value = true } }
            var isSet: Bool { lock.withLock { value } }
        }
        let finished = Flag()
        let release = DispatchSemaphore(value: 0)
        let thread = OwnedThread(name: "stuck") {
            release.wait()
            finished.set()
        }
        let joiner = Task { await thread.join() }
        try await Task.sleep(for: .milliseconds(50))
        joiner.cancel()
        await joiner.value
        #expect(!finished.isSet, "join returned on cancellation, not because the thread ended")
        release.signal()
        await thread.join()
        #expect(finished.isSet)
    }

    @Test func blockingJoinTimesOutThenSeesTheEnd() {
        let release = DispatchSemaphore(value: 0)
        let thread = OwnedThread(name: "blocked") { release.wait() }
        #expect(thread.join(timeoutSeconds: 0.05) == false)
        release.signal()
        #expect(thread.join(timeoutSeconds: 5))
        #expect(thread.join(), "joining an ended thread returns at once")
    }
}
