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

    mutating func compressedImage(camera: String, _ writer: MCAPWriter) throws -> Channel {
        try channel("/affordd/\(camera)/image", schema: FoxgloveSchemas.compressedImageName,
                    definition: FoxgloveSchemas.compressedImage, role: RecordingMetadata.cameraRole, camera: camera, writer)
    }

    mutating func rawImage(camera: String, _ writer: MCAPWriter) throws -> Channel {
        try channel("/affordd/\(camera)/image_raw", schema: FoxgloveSchemas.rawImageName,
                    definition: FoxgloveSchemas.rawImage, role: RecordingMetadata.cameraRole, camera: camera, writer)
    }

    mutating func heatmap(camera: String, action: String, _ writer: MCAPWriter) throws -> Channel {
        try channel("/affordd/\(camera)/heatmap/\(action)", schema: FoxgloveSchemas.rawImageName,
                    definition: FoxgloveSchemas.rawImage, role: RecordingMetadata.heatmapRole, camera: camera, writer)
    }

    mutating func annotations(camera: String, _ writer: MCAPWriter) throws -> Channel {
        try channel("/affordd/\(camera)/annotations", schema: FoxgloveSchemas.imageAnnotationsName,
                    definition: FoxgloveSchemas.imageAnnotations, role: RecordingMetadata.annotationsRole,
                    camera: camera, writer)
    }

    private mutating func channel(_ topic: String, schema: String, definition: String, role: String,
                                  camera: String, _ writer: MCAPWriter) throws -> Channel {
        if let existing = byTopic[topic] { return existing }
        let schemaID: UInt16
        if let known = schemaIDs[schema] {
            schemaID = known
        } else {
            schemaID = try writer.addSchema(name: schema, encoding: FoxgloveSchemas.encoding, data: Array(definition.utf8))
            schemaIDs[schema] = schemaID
        }
        let id = try writer.addChannel(topic: topic, messageEncoding: FoxgloveSchemas.messageEncoding, schemaID: schemaID,
                                       metadata: [RecordingMetadata.roleKey: role, RecordingMetadata.cameraKey: camera])
        let channel = Channel(id: id)
        byTopic[topic] = channel
        return channel
    }
}
