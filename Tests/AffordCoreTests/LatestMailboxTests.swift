import AffordCore
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
}

// Serialized: each test parks a pool thread in a blocking call, and the pool has one per core.
@Suite(.serialized) struct LatestMailboxTests {
    static func describe(_ taken: (key: String, item: Int)?) -> String? { taken.map { "\($0.key)\($0.item)" } }

    @Test func putWaitingBlocksUntilTheItemIsTakenAndEndsOnClose() async throws {
        let mailbox = LatestMailbox<Int>(keys: ["a"])
        #expect(mailbox.putWaiting(1, for: "a"))
        let second = Task.detached { mailbox.putWaiting(2, for: "a") }
        try await Task.sleep(for: .milliseconds(50))
        #expect(mailbox.count == 1, "the second put waits while the first is pending")
        #expect(Self.describe(try mailbox.take()) == "a1")
        #expect(await second.value)
        #expect(Self.describe(try mailbox.take()) == "a2")
        mailbox.put(3, for: "a")
        let blocked = Task.detached { mailbox.putWaiting(4, for: "a") }
        try await Task.sleep(for: .milliseconds(50))
        mailbox.close()
        #expect(await blocked.value == false, "closing releases a waiting put without storing it")
    }

    @Test func aBlockedTakerWakesOnAPutAndOnTheEnding() async throws {
        let mailbox = LatestMailbox<Int>(keys: ["a"])
        let first = Task.detached { try mailbox.take()?.item }
        try await Task.sleep(for: .milliseconds(20))
        #expect(mailbox.put(7, for: "a") == false)
        #expect(try await first.value == 7)
        let second = Task.detached { try mailbox.take()?.item }
        try await Task.sleep(for: .milliseconds(20))
        mailbox.finish(.failed(AffordError(.device, "unplugged")))
        await #expect(throws: AffordError.self) { try await second.value }
        #expect(mailbox.put(8, for: "a") == true, "a put after the ending is a drop")
    }
}
