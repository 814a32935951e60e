/// Hands items between threads: at most one pending item per key, so a slow taker never
/// builds a queue. `put` replaces an untaken item (latest wins, for live and paced use);
/// `putWaiting` waits until it was taken instead (back-pressure, for lossless replay).
/// The rules are `MailboxState`'s; this adds the locking and the waiting.
public final class LatestMailbox<Item: Sendable>: Sendable {
    private let state: ConditionLock<MailboxState<Item>>

    public init(keys: [String]) { state = ConditionLock(MailboxState(keys: keys)) }

    /// Stores `item` for `key`; returns true when it was a drop (replaced an untaken item,
    /// or the mailbox had ended).
    @discardableResult
    public func put(_ item: Item, for key: String) -> Bool {
        state.withLock { $0.put(item, for: key) } != .stored
    }

    /// Stores `item` for `key` once the previous one was taken: back-pressure, no drop.
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

    /// Items not yet taken.
    public var count: Int { state.withLock { $0.count } }

    /// Ends the stream: pending items are still taken, then takers get the ending and
    /// waiting putters give up.
    public func finish(_ ending: MailboxEnding) { state.withLock { $0.finish(ending) } }

    public func close() { finish(.closed) }
}
