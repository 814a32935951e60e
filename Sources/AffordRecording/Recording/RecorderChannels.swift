/// The recorder's channels, created on first use, with per-channel sequence numbers.
struct RecorderChannels {
    final class Channel {
        let id: UInt16
        private var sequence: UInt32 = 0
        init(id: UInt16) { self.id = id }
        func next() -> UInt32 {
            defer { sequence &+= 1 }
            return sequence
        }
    }

    private var schemaIDs: [String: UInt16] = [:]
    private var byTopic: [String: Channel] = [:]

    mutating func channel(_ channel: FoxgloveChannel, _ writer: MCAPWriter) throws -> Channel {
        if let existing = byTopic[channel.topic] { return existing }
        let schemaID: UInt16
        if let known = schemaIDs[channel.schemaName] {
            schemaID = known
        } else {
            schemaID = try writer.addSchema(name: channel.schemaName, encoding: FoxgloveChannel.schemaEncoding,
                                            data: Array(channel.schema.utf8))
            schemaIDs[channel.schemaName] = schemaID
        }
        let id = try writer.addChannel(topic: channel.topic, messageEncoding: FoxgloveChannel.messageEncoding, schemaID: schemaID,
                                       metadata: [RecordingMetadata.roleKey: channel.role, RecordingMetadata.cameraKey: channel.camera])
        let recorded = Channel(id: id)
        byTopic[channel.topic] = recorded
        return recorded
    }
}
