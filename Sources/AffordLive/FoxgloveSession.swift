import AffordCore

/// One Foxglove WebSocket client's subscriptions and the rules for what it sends
/// (ws-protocol v1, `foxglove.websocket.v1`), as a plain value: no I/O, tested directly.
struct FoxgloveSession: Sendable {
    /// Subscriptions one client may hold; a request past it is refused with a status message.
    static let maxSubscriptions = 256
    /// Text messages longer than this are refused unread.
    static let maxMessageBytes = 64 * 1024

    /// Subscription id -> channel id.
    private(set) var subscriptions: [UInt32: UInt32] = [:]

    /// A `status` message for the client (level 0 info, 1 warning, 2 error), or nothing.
    struct Status: Sendable, Equatable {
        var level: Int
        var message: String
    }

    /// Applies one text message; what is wrong with it comes back as statuses, and a request that
    /// is partly wrong applies nothing.
    mutating func receive(_ text: [UInt8], knownChannels: Set<UInt32>) -> [Status] {
        guard text.count <= Self.maxMessageBytes else { return [Status(level: 2, message: "message over 64 KiB")] }
        guard case .object(let message)? = try? StrictJSON.parse(text), case .string(let op)? = message["op"] else {
            return [Status(level: 2, message: "expected a JSON object with a string \"op\"")]
        }
        switch op {
        case "subscribe": return subscribe(message["subscriptions"], knownChannels: knownChannels)
        case "unsubscribe": return unsubscribe(message["subscriptionIds"])
        default: return [Status(level: 1, message: "op \"\(op.prefix(64))\" is not supported by affordd")]
        }
    }

    /// The client's subscription ids for `channel`.
    func subscriptionIDs(for channel: UInt32) -> [UInt32] {
        subscriptions.compactMap { $0.value == channel ? $0.key : nil }.sorted()
    }

    var subscribedChannels: Set<UInt32> { Set(subscriptions.values) }

    private mutating func subscribe(_ field: JSONValue?, knownChannels: Set<UInt32>) -> [Status] {
        guard case .array(let items)? = field else { return [Status(level: 2, message: "subscribe: expected \"subscriptions\": [...]")] }
        var added: [UInt32: UInt32] = [:]
        for item in items {
            guard case .object(let entry) = item, let id = Self.id(entry["id"]), let channel = Self.id(entry["channelId"]) else {
                return [Status(level: 2, message: "subscribe: each subscription needs integer \"id\" and \"channelId\" in 0...2^32-1")]
            }
            guard knownChannels.contains(channel) else { return [Status(level: 2, message: "subscribe: no channel \(channel)")] }
            guard subscriptions[id] == nil, added[id] == nil else {
                return [Status(level: 2, message: "subscribe: subscription id \(id) is in use")]
            }
            added[id] = channel
        }
        guard subscriptions.count + added.count <= Self.maxSubscriptions else {
            return [Status(level: 2, message: "subscribe: at most \(Self.maxSubscriptions) subscriptions per client")]
        }
        subscriptions.merge(added) { old, _ in old }
        return []
    }

    private mutating func unsubscribe(_ field: JSONValue?) -> [Status] {
        guard case .array(let items)? = field else { return [Status(level: 2, message: "unsubscribe: expected \"subscriptionIds\": [...]")] }
        let ids = items.map(Self.id)
        guard ids.allSatisfy({ $0 != nil }) else {
            return [Status(level: 2, message: "unsubscribe: subscription ids are integers in 0...2^32-1")]
        }
        for id in ids.compactMap({ $0 }) { subscriptions[id] = nil }
        return []
    }

    /// A protocol id: an integer in UInt32's range (a double with no fraction counts, as JSON has one number type).
    private static func id(_ value: JSONValue?) -> UInt32? {
        switch value {
        case .int(let number)?: return UInt32(exactly: number)
        case .double(let number)? where number.isFinite: return UInt32(exactly: number)
        default: return nil
        }
    }
}
