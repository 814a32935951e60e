/// How a mailbox's stream ended.
public enum MailboxEnding: Sendable, Equatable {
    case closed
    case failed(AffordError)
}

/// The hand-off rules of `LatestMailbox`, as a plain value (no locks, no waiting), so they can
/// be tested directly: at most one pending item per key, a newer item replaces an untaken one,
/// takers go round-robin across keys, and pending items are still delivered after the ending.
public struct MailboxState<Item> {
    public enum Put: Equatable {
        /// Stored in an empty place.
        case stored
        /// Stored, replacing an item nobody took (a drop).
        case replaced
        /// Not stored: the mailbox has ended.
        case refused
    }

    public enum Take {
        case item(key: String, Item)
        /// Nothing pending and the mailbox ended.
        case ended(MailboxEnding)
        /// Nothing pending yet: wait.
        case empty
    }

    public let keys: [String]
    private var pending: [String: Item] = [:]
    private var nextKeyIndex = 0
    public private(set) var ending: MailboxEnding?

    public init(keys: [String]) { self.keys = keys }

    /// Items not yet taken.
    public var count: Int { pending.count }

    /// Whether `putWaiting` for `key` may go on: its place is free, or the mailbox ended.
    public func isFree(_ key: String) -> Bool { pending[key] == nil || ending != nil }

    public mutating func put(_ item: Item, for key: String) -> Put {
        guard ending == nil else { return .refused }
        return pending.updateValue(item, forKey: key) == nil ? .stored : .replaced
    }

    public mutating func take() -> Take {
        for offset in 0..<keys.count {
            let index = (nextKeyIndex + offset) % keys.count
            if let item = pending.removeValue(forKey: keys[index]) {
                nextKeyIndex = (index + 1) % keys.count
                return .item(key: keys[index], item)
            }
        }
        return ending.map(Take.ended) ?? .empty
    }

    /// Ends the stream; the first ending wins.
    public mutating func finish(_ ending: MailboxEnding) {
        if self.ending == nil { self.ending = ending }
    }
}

extension MailboxState: Sendable where Item: Sendable {}
extension MailboxState.Take: Sendable where Item: Sendable {}
