import AffordCore
import AffordRecording
import Foundation

/// The live view's shared state: the advertised channels, the connected Foxglove clients with
/// their subscriptions, and each client's bound on unsent bytes. Transport-free: the server hands
/// it an opaque `Outbox` per client, and tests hand it a recording one.
final class LiveHub: Sendable {
    /// Where a client's messages go. Sending must not block.
    protocol Outbox: Sendable {
        /// False while the client's socket is backed up: replies to its requests are then skipped,
        /// so a client that sends but never reads cannot grow them.
        var isWritable: Bool { get }
        func sendText(_ text: String)
        /// Sends `bytes` if `stillWanted()` holds when the client's turn comes (checked where its
        /// requests are handled, so nothing goes out for a subscription after its unsubscribe);
        /// `done(sent)` follows either way, once the bytes left or were skipped.
        func sendBinary(_ bytes: [UInt8], stillWanted: @escaping @Sendable () -> Bool,
                        done: @escaping @Sendable (_ sent: Bool) -> Void)
    }

    struct Counters: Sendable, Equatable {
        var clientsConnected: UInt64 = 0
        var messagesSent: UInt64 = 0
        /// Messages not sent because the client's unsent bytes were at their bound.
        var messagesDropped: UInt64 = 0
        var requestsRefused: UInt64 = 0
        /// The most unsent bytes any one client had.
        var peakUnsentBytes = 0
    }

    private struct Client: Sendable {
        let outbox: any Outbox
        var session = FoxgloveSession()
        var unsentBytes = 0
    }

    private struct State: Sendable {
        var channels: [String: (id: UInt32, channel: FoxgloveChannel)] = [:]
        var nextChannelID: UInt32 = 1
        var clients: [Int: Client] = [:]
        var nextClientID = 0
        var counters = Counters()
        var knownIDs: Set<UInt32> { Set(channels.values.map(\.id)) }
    }

    /// Unsent bytes a client may have before its messages are dropped: a client that stops reading
    /// costs at most this much memory, plus one message.
    let maxUnsentBytes: Int
    let serverName: String
    private let sessionID = String(MonotonicClock.wallNs())
    private let state = Shared(State())

    init(serverName: String = "affordd", maxUnsentBytes: Int = 4 << 20) {
        self.serverName = serverName
        self.maxUnsentBytes = maxUnsentBytes
    }

    var counters: Counters { state.withLock { $0.counters } }
    var clientCount: Int { state.withLock { $0.clients.count } }

    /// A new client: it gets serverInfo and every channel known so far.
    func connect(_ outbox: any Outbox) -> Int {
        let (id, channels) = state.withLock { state in
            defer { state.nextClientID += 1 }
            state.clients[state.nextClientID] = Client(outbox: outbox)
            state.counters.clientsConnected += 1
            return (state.nextClientID, Array(state.channels.values))
        }
        outbox.sendText(json(["op": .string("serverInfo"), "name": .string(serverName), "capabilities": .array([]),
                              "supportedEncodings": .array([]), "metadata": .object([:]), "sessionId": .string(sessionID)]))
        if !channels.isEmpty { outbox.sendText(advertise(channels.sorted { $0.id < $1.id })) }
        return id
    }

    func disconnect(_ client: Int) { state.withLock { _ = $0.clients.removeValue(forKey: client) } }

    /// A text message from `client`; errors go back to it as status messages.
    func receive(_ text: [UInt8], from client: Int) {
        let (outbox, statuses) = state.withLock { state -> ((any Outbox)?, [FoxgloveSession.Status]) in
            guard var entry = state.clients[client] else { return (nil, []) }
            let statuses = entry.session.receive(text, knownChannels: state.knownIDs)
            state.clients[client] = entry
            if !statuses.isEmpty { state.counters.requestsRefused += 1 }
            return (entry.outbox, statuses)
        }
        guard let outbox, outbox.isWritable else { return }
        for status in statuses {
            outbox.sendText(json(["op": .string("status"), "level": .int(Int64(status.level)), "message": .string(status.message)]))
        }
    }

    /// The channel's id, advertising it to every client the first time it is seen.
    @discardableResult
    func channelID(_ channel: FoxgloveChannel) -> UInt32 {
        let (id, newcomers) = state.withLock { state -> (UInt32, [any Outbox]) in
            if let known = state.channels[channel.topic] { return (known.id, []) }
            let id = state.nextChannelID
            state.nextChannelID += 1
            state.channels[channel.topic] = (id, channel)
            return (id, state.clients.values.map(\.outbox))
        }
        if !newcomers.isEmpty {
            let message = advertise([(id, channel)])
            for outbox in newcomers { outbox.sendText(message) }
        }
        return id
    }

    /// Whether any client subscribes to `channel` (so encoding it is worth the time).
    func isWanted(_ channel: FoxgloveChannel) -> Bool {
        state.withLock { state in
            guard let id = state.channels[channel.topic]?.id else { return false }
            return state.clients.values.contains { $0.session.subscribedChannels.contains(id) }
        }
    }

    /// Sends `payload` to every subscription of `channel` as a messageData frame, skipping (and
    /// counting) clients whose unsent bytes are at the bound.
    func publish(_ payload: [UInt8], on channel: FoxgloveChannel, timestampNs: UInt64) {
        let id = channelID(channel)
        let frameBytes = 13 + payload.count
        let targets = state.withLock { state -> [(client: Int, outbox: any Outbox, subscription: UInt32)] in
            var targets: [(Int, any Outbox, UInt32)] = []
            for (key, client) in state.clients {
                let subscriptions = client.session.subscriptionIDs(for: id)
                guard !subscriptions.isEmpty else { continue }
                let needed = frameBytes * subscriptions.count
                // A client with nothing unsent always gets the message, however large.
                guard client.unsentBytes == 0 || client.unsentBytes + needed <= maxUnsentBytes else {
                    state.counters.messagesDropped += UInt64(subscriptions.count)
                    continue
                }
                state.clients[key]?.unsentBytes += needed
                state.counters.peakUnsentBytes = max(state.counters.peakUnsentBytes, client.unsentBytes + needed)
                targets += subscriptions.map { (key, client.outbox, $0) }
            }
            return targets
        }
        for target in targets {
            let (client, subscription) = (target.client, target.subscription)
            target.outbox.sendBinary(
                Self.messageData(subscription: subscription, timestampNs: timestampNs, payload: payload),
                stillWanted: { [weak self] in self?.isSubscribed(client, subscription, to: id) ?? false },
                done: { [weak self] sent in
                    self?.state.withLock { state in
                        state.clients[client]?.unsentBytes -= frameBytes
                        if sent { state.counters.messagesSent += 1 }
                    }
                })
        }
    }

    private func isSubscribed(_ client: Int, _ subscription: UInt32, to channel: UInt32) -> Bool {
        state.withLock { $0.clients[client]?.session.subscriptions[subscription] == channel }
    }

    /// ws-protocol's Message Data: opcode 0x01, subscription id (u32 LE), timestamp ns (u64 LE), payload.
    static func messageData(subscription: UInt32, timestampNs: UInt64, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x01]
        bytes.reserveCapacity(13 + payload.count)
        withUnsafeBytes(of: subscription.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: timestampNs.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        return bytes
    }

    private func advertise(_ channels: [(id: UInt32, channel: FoxgloveChannel)]) -> String {
        json(["op": .string("advertise"), "channels": .array(channels.map { entry in
            .object(["id": .int(Int64(entry.id)), "topic": .string(entry.channel.topic),
                     "encoding": .string(FoxgloveChannel.messageEncoding), "schemaName": .string(entry.channel.schemaName),
                     "schema": .string(entry.channel.schema), "schemaEncoding": .string(FoxgloveChannel.schemaEncoding)])
        })])
    }

    private func json(_ object: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(object))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
