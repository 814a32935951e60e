@testable import AffordCore
import Foundation
import Testing

@Suite struct MailboxStateTests {
    static func describe(_ take: MailboxState<Int>.Take) -> String {
        switch take {
        case .item(let key, let item): "\(key)\(item)"
        case .ended(.closed): "closed"
        case .ended(.failed(let error)): "failed: \(error)"
        case .empty: "empty"
        }
    }

    @Test func aNewerItemReplacesAnUntakenOneAndTakersGoRoundRobin() {
        var state = MailboxState<Int>(keys: ["a", "b", "c"])
        #expect(state.put(1, for: "a") == .stored)
        #expect(state.put(2, for: "a") == .replaced, "an untaken item is replaced: a drop")
        _ = state.put(10, for: "b")
        _ = state.put(20, for: "c")
        #expect(state.count == 3)
        #expect(Self.describe(state.take()) == "a2")
        _ = state.put(3, for: "a")
        // After "a" comes "b" then "c", even though "a" has a new item waiting.
        #expect((0..<3).map { _ in Self.describe(state.take()) } == ["b10", "c20", "a3"])
        #expect(Self.describe(state.take()) == "empty")
    }

    @Test func pendingItemsAreDeliveredBeforeTheEndingAndLaterPutsAreRefused() {
        var state = MailboxState<Int>(keys: ["a"])
        _ = state.put(1, for: "a")
        #expect(!state.isFree("a"))
        state.finish(.failed(AffordError(.device, "gone")))
        state.finish(.closed)
        #expect(state.isFree("a"), "a waiting put must wake once the mailbox ended")
        #expect(state.put(2, for: "a") == .refused)
        #expect(Self.describe(state.take()) == "a1")
        #expect(Self.describe(state.take()) == "failed: device: gone", "the first ending wins")
    }

    @Test func withRoomForMoreAKeyIsABoundedFIFOThatDropsItsOldest() {
        var state = MailboxState<Int>(keys: ["a", "b"], capacity: 3)
        #expect((1...3).map { state.put($0, for: "a") } == [.stored, .stored, .stored])
        #expect(!state.isFree("a") && state.isFree("b"))
        #expect(state.put(4, for: "a") == .replaced, "the oldest (1) makes room")
        _ = state.put(10, for: "b")
        #expect(state.count == 4)
        // Round-robin across keys, oldest first within one.
        #expect(state.takeAll() == [2, 10, 3, 4])
        #expect(state.count == 0)
        #expect(Self.describe(state.take()) == "empty")
    }
}

// The blocking calls run on OwnedThreads: parked on the cooperative pool (one thread per
// core) they could starve it while another suite waits on async work.
@Suite struct MailboxTests {
    static func describe(_ taken: (key: String, item: Int)?) -> String? { taken.map { "\($0.key)\($0.item)" } }

    /// Runs `body` on its own thread; the result is read after `join`.
    static func onThread<R: Sendable>(_ body: @escaping @Sendable () throws -> R) -> (OwnedThread, ConditionLock<Result<R, any Error>?>) {
        let result = ConditionLock<Result<R, any Error>?>(nil)
        let thread = OwnedThread(name: "mailbox-test") {
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
        }
        return (thread, result)
    }

    @Test func putWaitingBlocksUntilTheItemIsTakenAndEndsOnClose() throws {
        let mailbox = Mailbox<Int>(keys: ["a"])
        #expect(mailbox.putWaiting(1, for: "a"))
        let (second, secondResult) = Self.onThread { mailbox.putWaiting(2, for: "a") }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(mailbox.count == 1, "the second put waits while the first is pending")
        #expect(Self.describe(try mailbox.take()) == "a1")
        #expect(second.join(timeoutSeconds: 5))
        #expect(try secondResult.withLock { $0 }?.get() == true)
        #expect(Self.describe(try mailbox.take()) == "a2")
        mailbox.put(3, for: "a")
        let (blocked, blockedResult) = Self.onThread { mailbox.putWaiting(4, for: "a") }
        Thread.sleep(forTimeInterval: 0.05)
        mailbox.close()
        #expect(blocked.join(timeoutSeconds: 5))
        #expect(try blockedResult.withLock { $0 }?.get() == false, "closing releases a waiting put without storing it")
    }

    @Test func aBlockedTakerWakesOnAPutAndOnTheEnding() throws {
        let mailbox = Mailbox<Int>(keys: ["a"])
        let (first, firstResult) = Self.onThread { try mailbox.take()?.item }
        Thread.sleep(forTimeInterval: 0.02)
        #expect(mailbox.put(7, for: "a") == false)
        #expect(first.join(timeoutSeconds: 5))
        #expect(try firstResult.withLock { $0 }?.get() == 7)
        let (second, secondResult) = Self.onThread { try mailbox.take()?.item }
        Thread.sleep(forTimeInterval: 0.02)
        mailbox.finish(.failed(AffordError(.device, "unplugged")))
        #expect(second.join(timeoutSeconds: 5))
        #expect(throws: AffordError.self) { try secondResult.withLock { $0 }?.get() }
        #expect(mailbox.put(8, for: "a") == true, "a put after the ending is a drop")
    }

    @Test func takeAllWaitsUntilTheDeadlineThenReturnsThePendingItemsAndTheEnding() throws {
        let mailbox = Mailbox<Int>(keys: ["a"], capacity: 4)
        let timedOut = mailbox.takeAll(waitingUntil: Date(timeIntervalSinceNow: 0.02))
        #expect(timedOut.items.isEmpty && timedOut.ending == nil)
        let (taker, taken) = Self.onThread { mailbox.takeAll(waitingUntil: nil).items }
        Thread.sleep(forTimeInterval: 0.02)
        mailbox.put(1, for: "a")
        #expect(taker.join(timeoutSeconds: 5))
        #expect(try taken.withLock { $0 }?.get() == [1])
        mailbox.put(2, for: "a")
        mailbox.put(3, for: "a")
        mailbox.close()
        let last = mailbox.takeAll(waitingUntil: nil)
        #expect(last.items == [2, 3] && last.ending == .closed, "pending items come with the ending")
    }
}
