import Foundation

/// The one type that hands items between threads: each key holds at most `capacity` pending
/// items, so a slow taker never builds an unbounded queue.
/// - `put` drops the key's oldest untaken item when its place is full: with capacity 1 the
///   latest wins (live and paced pipeline stages); with more it is a bounded FIFO (the
///   publisher and the recorder, where order matters).
/// - `putWaiting` waits for room instead (back-pressure, for lossless replay).
/// The rules are `MailboxState`'s; this adds the locking and the waiting.
public final class Mailbox<Item: Sendable>: Sendable {
    private let state: ConditionLock<MailboxState<Item>>

    public init(keys: [String], capacity: Int = 1) { state = ConditionLock(MailboxState(keys: keys, capacity: capacity)) }

    /// Stores `item` for `key`; returns true when it was a drop (an untaken item made room,
    /// or the mailbox had ended and `item` was not stored).
    @discardableResult
    public func put(_ item: Item, for key: String) -> Bool {
        state.withLock { $0.put(item, for: key) } != .stored
    }

    /// Stores `item` for `key` once its place has room: back-pressure, no drop.
    /// Returns false when the mailbox ended first (the item is not stored).
    @discardableResult
    public func putWaiting(_ item: Item, for key: String) -> Bool {
        state.wait { state in state.isFree(key) ? state.put(item, for: key) == .stored : nil }
    }

    /// Blocks for the next item in round-robin key order; nil once closed and drained,
    /// throws once failed and drained.
    public func take() throws(AffordError) -> (key: String, item: Item)? {
        typealias Outcome = Result<(key: String, item: Item)?, AffordError>
        let outcome: Outcome = state.wait { state -> Outcome? in
            switch state.take() {
            case .item(let key, let item): return Outcome.success((key, item))
            case .ended(.closed): return Outcome.success(nil)
            case .ended(.failed(let error)): return Outcome.failure(error)
            case .empty: return nil
            }
        }
        return try outcome.get()
    }

    /// Waits until something is pending, the mailbox ended, or `deadline` passed (nil: no
    /// deadline), then takes everything pending. `ending` is set once nothing more will come.
    public func takeAll(waitingUntil deadline: Date?) -> (items: [Item], ending: MailboxEnding?) {
        let taken = state.wait(until: deadline) { state -> ([Item], MailboxEnding?)? in
            guard state.count > 0 || state.ending != nil else { return nil }
            let items = state.takeAll()
            return (items, state.ending)
        }
        return taken ?? ([], nil)
    }

    /// Items not yet taken.
    public var count: Int { state.withLock { $0.count } }

    /// Ends the stream: pending items are still taken, then takers get the ending and
    /// waiting putters give up.
    public func finish(_ ending: MailboxEnding) { state.withLock { $0.finish(ending) } }

    public func close() { finish(.closed) }
}
