/// How a mailbox's stream ended.
public enum MailboxEnding: Sendable, Equatable {
    case closed
    case failed(AffordError)
}

/// The hand-off rules of `Mailbox`, as a plain value (no locks, no waiting), so they can be
/// tested directly:
/// - each key holds at most `capacity` pending items; a put into a full place drops its oldest
///   (with capacity 1: the latest wins);
/// - takers go round-robin across keys, oldest first within a key;
/// - pending items are still delivered after the ending; puts after it are refused.
struct MailboxState<Item> {
    enum Put: Equatable {
        /// Stored without dropping anything.
        case stored
        /// Stored; the key's oldest untaken item was dropped to make room.
        case replaced
        /// Not stored: the mailbox has ended.
        case refused
    }

    enum Take {
        case item(key: String, Item)
        /// Nothing pending and the mailbox ended.
        case ended(MailboxEnding)
        /// Nothing pending yet: wait.
        case empty
    }

    let keys: [String]
    /// Pending items a key may hold.
    let capacity: Int
    private var pending: [String: [Item]] = [:]
    private var nextKeyIndex = 0
    /// Items not yet taken.
    private(set) var count = 0
    private(set) var ending: MailboxEnding?

    init(keys: [String], capacity: Int = 1) {
        self.keys = keys
        self.capacity = max(1, capacity)
    }

    /// Whether `putWaiting` for `key` may go on: its place has room, or the mailbox ended.
    func isFree(_ key: String) -> Bool { pending[key, default: []].count < capacity || ending != nil }

    mutating func put(_ item: Item, for key: String) -> Put {
        guard ending == nil else { return .refused }
        pending[key, default: []].append(item)
        guard pending[key, default: []].count > capacity else {
            count += 1
            return .stored
        }
        pending[key]?.removeFirst()
        return .replaced
    }

    mutating func take() -> Take {
        for offset in 0..<keys.count {
            let index = (nextKeyIndex + offset) % keys.count
            let key = keys[index]
            // Removed in place: a copy of the key's array per take would cost an allocation.
            if pending[key]?.isEmpty == false, let item = pending[key]?.removeFirst() {
                count -= 1
                nextKeyIndex = (index + 1) % keys.count
                return .item(key: key, item)
            }
        }
        return ending.map(Take.ended) ?? .empty
    }

    /// Takes everything pending, in `take` order.
    mutating func takeAll() -> [Item] {
        var items: [Item] = []
        items.reserveCapacity(count)
        while case .item(_, let item) = take() { items.append(item) }
        return items
    }

    /// Ends the stream; the first ending wins.
    mutating func finish(_ ending: MailboxEnding) {
        if self.ending == nil { self.ending = ending }
    }
}

extension MailboxState: Sendable where Item: Sendable {}
extension MailboxState.Take: Sendable where Item: Sendable {}
