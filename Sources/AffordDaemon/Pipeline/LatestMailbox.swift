import Foundation

/// Holds at most one pending item per key; a newer item replaces one not yet taken,
/// or, with `putWaiting`, waits until it was taken (lossless offline replay).
///
/// Takers are served round-robin across keys, so one busy camera cannot starve
/// another. Memory is bounded by the number of keys.
final class LatestMailbox<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let keys: [String]
    private var pending: [String: Item] = [:]
    private var nextKeyIndex = 0
    private var closed = false

    init(keys: [String]) { self.keys = keys }

    /// Stores `item` for `key`; returns true when it replaced an item nobody took (a drop).
    @discardableResult
    func put(_ item: Item, for key: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return true }
        let replaced = pending.updateValue(item, forKey: key) != nil
        condition.signal()
        return replaced
    }

    /// Stores `item` for `key` once the previous one was taken: back-pressure, no drop.
    /// Returns false when the mailbox closed first (the item is not stored).
    @discardableResult
    func putWaiting(_ item: Item, for key: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while pending[key] != nil && !closed { condition.wait() }
        guard !closed else { return false }
        pending[key] = item
        condition.broadcast()
        return true
    }

    /// Blocks for the next item in round-robin key order; nil once closed and empty.
    func take() -> (key: String, item: Item)? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            for offset in 0..<keys.count {
                let index = (nextKeyIndex + offset) % keys.count
                if let item = pending.removeValue(forKey: keys[index]) {
                    nextKeyIndex = (index + 1) % keys.count
                    condition.broadcast()  // a `putWaiting` for this key may go on
                    return (keys[index], item)
                }
            }
            if closed { return nil }
            condition.wait()
        }
    }

    /// Items not yet taken.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    /// Takers drain what is pending, then get nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
