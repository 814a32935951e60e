import AffordCore
import Foundation

/// One Foxglove channel affordd writes, the same in a recording and on the live WebSocket, so a
/// Foxglove layout made for one works with the other.
public struct FoxgloveChannel: Sendable, Hashable {
    public static let messageEncoding = FoxgloveSchemas.messageEncoding
    public static let schemaEncoding = FoxgloveSchemas.encoding

    public let topic: String
    public let schemaName: String
    /// The JSON schema's text.
    public let schema: String
    /// What the channel carries (`RecordingMetadata` roles), kept in a recording's channel metadata.
    let role: String
    let camera: String

    public init(topic: String, schemaName: String, schema: String, role: String, camera: String) {
        self.topic = topic
        self.schemaName = schemaName
        self.schema = schema
        self.role = role
        self.camera = camera
    }

    public static func image(camera: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/image", schemaName: FoxgloveSchemas.compressedImageName,
              schema: FoxgloveSchemas.compressedImage, role: RecordingMetadata.cameraRole, camera: camera)
    }

    static func rawImage(camera: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/image_raw", schemaName: FoxgloveSchemas.rawImageName,
              schema: FoxgloveSchemas.rawImage, role: RecordingMetadata.cameraRole, camera: camera)
    }

    /// The frame's paired depth, 16-bit millimetres (`16UC1`), as a depth camera's driver publishes it.
    public static func depth(camera: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/depth", schemaName: FoxgloveSchemas.rawImageName,
              schema: FoxgloveSchemas.rawImage, role: RecordingMetadata.depthRole, camera: camera)
    }

    /// The centroids message, byte for byte as the ZeroMQ topic would carry it.
    static func centroids(camera: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/centroids", schemaName: FoxgloveSchemas.centroidsName,
              schema: FoxgloveSchemas.centroids, role: RecordingMetadata.centroidsRole, camera: camera)
    }

    public static func heatmap(camera: String, action: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/heatmap/\(action)", schemaName: FoxgloveSchemas.rawImageName,
              schema: FoxgloveSchemas.rawImage, role: RecordingMetadata.heatmapRole, camera: camera)
    }

    public static func annotations(camera: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/annotations", schemaName: FoxgloveSchemas.imageAnnotationsName,
              schema: FoxgloveSchemas.imageAnnotations, role: RecordingMetadata.annotationsRole, camera: camera)
    }

    /// The camera's status message, as the ZeroMQ status topic carries it (docs/PROTOCOL.md).
    public static func status(camera: String) -> FoxgloveChannel {
        .init(topic: "/affordd/\(camera)/status", schemaName: FoxgloveSchemas.statusName,
              schema: FoxgloveSchemas.status, role: RecordingMetadata.statusRole, camera: camera)
    }
}

/// Encodes frames and results as those channels' JSON messages. Holds a JSONEncoder, which is
/// not Sendable: one per thread.
public struct FoxgloveEncoder {
    /// Unescaped slashes: base64 is full of them, and escaping costs bytes and parse time.
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    public init() {}

    /// The frame's channel (JPEG as CompressedImage, anything else as RawImage).
    public static func channel(for frame: Frame) -> FoxgloveChannel {
        frame.format == .mjpeg ? .image(camera: frame.camera) : .rawImage(camera: frame.camera)
    }

    public func encode(_ frame: Frame, wallNs: UInt64) throws -> [UInt8] {
        let time = Foxglove.Time(nanoseconds: wallNs)
        if frame.format == .mjpeg {
            return Array(try encoder.encode(Foxglove.CompressedImage(
                timestamp: time, frame_id: frame.camera, data: Data(frame.pixels), format: "jpeg")))
        }
        return Array(try encoder.encode(Foxglove.RawImage(
            timestamp: time, frame_id: frame.camera, width: UInt32(frame.width), height: UInt32(frame.height),
            encoding: frame.format.rawValue, step: UInt32(frame.stride), data: Data(frame.pixels))))
    }

    /// The frame's depth as a `16UC1` RawImage, millimetres; nil for a frame without depth.
    public func encodeDepth(_ frame: Frame, wallNs: UInt64) throws -> [UInt8]? {
        guard let depth = frame.depth else { return nil }
        return Array(try encoder.encode(Foxglove.RawImage(
            timestamp: .init(nanoseconds: wallNs), frame_id: frame.camera, width: UInt32(depth.width),
            height: UInt32(depth.height), encoding: "16UC1", step: UInt32(2 * depth.width), data: Data(depth.millimetres16()))))
    }

    /// The result's messages, each action's heatmap then the annotations, for the channels `wanted` keeps.
    /// With `heatmapMaxWidth`, a wider heatmap is averaged over blocks first, down to at most that width
    /// (a live view's bandwidth; the map's detail is the network's patch grid, far coarser than the frame).
    public func encode(_ result: FrameResult, wallNs: UInt64, heatmapMaxWidth: Int? = nil,
                       wanted: (FoxgloveChannel) -> Bool = { _ in true }) throws -> [(FoxgloveChannel, [UInt8])] {
        var messages: [(FoxgloveChannel, [UInt8])] = []
        for action in result.actions {
            let channel = FoxgloveChannel.heatmap(camera: result.camera, action: action.action)
            guard wanted(channel) else { continue }
            let shrink = heatmapMaxWidth.map { max(1, (action.heatmap.width + $0 - 1) / max(1, $0)) } ?? 1
            let map = shrink > 1 ? Self.shrink(action.heatmap, by: shrink) : action.heatmap
            let image = FoxgloveResultEncoding.rawImage(map, wallNs: wallNs, frameID: result.camera)
            messages.append((channel, Array(try encoder.encode(image))))
        }
        let annotations = FoxgloveChannel.annotations(camera: result.camera)
        if wanted(annotations) {
            messages.append((annotations, Array(try encoder.encode(FoxgloveResultEncoding.annotations(result, wallNs: wallNs)))))
        }
        return messages
    }

    /// The mean over each `factor`×`factor` block (partial blocks at the edges average what they hold).
    static func shrink(_ map: Heatmap, by factor: Int) -> Heatmap {
        let width = (map.width + factor - 1) / factor, height = (map.height + factor - 1) / factor
        var out = Heatmap(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var sum: Float = 0
                var count: Float = 0
                for sy in (y * factor)..<min(map.height, (y + 1) * factor) {
                    for sx in (x * factor)..<min(map.width, (x + 1) * factor) {
                        sum += map.values[sy * map.width + sx]
                        count += 1
                    }
                }
                out.values[y * width + x] = sum / count
            }
        }
        return out
    }
}
