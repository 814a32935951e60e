import AffordCore
import Foundation

/// The JSON bodies of published messages; docs/PROTOCOL.md is their specification.
public enum WireFormat {
    /// Bumped only on incompatible changes; new fields may appear within a version.
    static let version = 1

    static func encoder() -> JSONEncoder { JSONEncoder() }

    /// JSON has no NaN or infinity: such values travel as null.
    static func finite<T: BinaryFloatingPoint>(_ value: T) -> T? { value.isFinite ? value : nil }
}

/// One component as published: absent geometry is `null`, never missing. The control
/// `snapshot` op and `affordd snapshot` write the same objects.
public struct WireCentroid: Encodable {
    let component: AffordanceComponent

    public init(_ component: AffordanceComponent) { self.component = component }

    enum CodingKeys: String, CodingKey {
        case u, v, area, peak, mean
        case rayCamera = "ray_camera"
        case rayBase = "ray_base"
        case tablePoint = "table_point"
        case region
        case axis, elongation, grasp
        case lengthPx = "length_px"
        case widthPx = "width_px"
        case pointCamera = "point_camera"
        case pointBase = "point_base"
        case normalBase = "normal_base"
        case depthValidFraction = "depth_valid_fraction"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(WireFormat.finite(component.u), forKey: .u)
        try c.encode(WireFormat.finite(component.v), forKey: .v)
        try c.encode(component.area, forKey: .area)
        try c.encode(WireFormat.finite(component.peak), forKey: .peak)
        try c.encode(WireFormat.finite(component.mean), forKey: .mean)
        try c.encode(component.rayCamera.flatMap(Self.array), forKey: .rayCamera)
        try c.encode(component.rayBase.flatMap(Self.array), forKey: .rayBase)
        try c.encode(component.tablePoint.flatMap(Self.array), forKey: .tablePoint)
        try encodeShapeAndGrasp(into: &c)
        let depth = component.depth
        try c.encode(depth?.pointCamera.flatMap(Self.array), forKey: .pointCamera)
        try c.encode(depth?.pointBase.flatMap(Self.array), forKey: .pointBase)
        try c.encode(depth?.normalBase.flatMap(Self.array), forKey: .normalBase)
        try c.encode(depth.flatMap { WireFormat.finite($0.validFraction) }, forKey: .depthValidFraction)
        // Only with zoom: [x, y, width, height] of the region, frame pixels (absent otherwise,
        // so output without zoom is unchanged).
        try c.encodeIfPresent(component.region.map { [$0.x, $0.y, $0.width, $0.height] }, forKey: .region)
    }

    /// [x, y, z], or nil when any coordinate is not finite (a degenerate ray).
    static func array(_ vector: SIMD3<Double>) -> [Double]? {
        let values = [vector.x, vector.y, vector.z]
        return values.allSatisfy(\.isFinite) ? values : nil
    }
}

/// Fields every per-frame message carries; each message encodes these, then its own.
struct WireFrameStamp: Encodable {
    let result: FrameResult
    let publishWallNs: UInt64
    let captureWallNs: UInt64

    enum CodingKeys: String, CodingKey {
        case version, seq, camera
        case captureMonoNs = "t_capture_mono_ns"
        case captureWallNs = "t_capture_wall_ns"
        case publishWallNs = "t_publish_wall_ns"
        case frameWidth = "frame_width"
        case frameHeight = "frame_height"
        case modelID = "model_id"
        case frameID = "frame_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(WireFormat.version, forKey: .version)
        try c.encode(result.sequence, forKey: .seq)
        try c.encode(result.camera, forKey: .camera)
        try c.encode(result.captureMonotonicNs, forKey: .captureMonoNs)
        try c.encode(captureWallNs, forKey: .captureWallNs)
        try c.encode(publishWallNs, forKey: .publishWallNs)
        try c.encode(result.frameWidth, forKey: .frameWidth)
        try c.encode(result.frameHeight, forKey: .frameHeight)
        try c.encode(result.modelID, forKey: .modelID)
        try c.encode(result.frameID, forKey: .frameID)  // null, not absent
    }
}

/// The second frame of `afford/<camera>/heatmap/<action>/`.
struct WireHeatmapHeader: Encodable {
    let stamp: WireFrameStamp
    let action: ActionResult
    let encoding: HeatmapEncoding

    enum CodingKeys: String, CodingKey {
        case action, width, height, encoding, step, centroids, presence
        case isBigEndian = "is_bigendian"
    }

    func encode(to encoder: any Encoder) throws {
        try stamp.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action.action, forKey: .action)
        try c.encode(action.heatmap.width, forKey: .width)
        try c.encode(action.heatmap.height, forKey: .height)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(action.heatmap.width * encoding.bytesPerPixel, forKey: .step)
        try c.encode(0, forKey: .isBigEndian)
        try c.encode(action.components.map(WireCentroid.init), forKey: .centroids)
        try c.encode(action.presence.flatMap(WireFormat.finite), forKey: .presence)
    }
}

extension WireFormat {
    /// The body of a centroids message, as published: what recordings carry beside the heatmaps.
    public static func centroidsJSON(_ result: FrameResult, captureWallNs: UInt64, publishWallNs: UInt64) throws -> [UInt8] {
        let stamp = WireFrameStamp(result: result, publishWallNs: publishWallNs, captureWallNs: captureWallNs)
        return Array(try encoder().encode(WireCentroids(stamp: stamp)))
    }
}

/// The body of `afford/<camera>/centroids/`: every action's components for one frame.
struct WireCentroids: Encodable {
    let stamp: WireFrameStamp

    enum CodingKeys: String, CodingKey { case actions, presence, timings }

    enum TimingKeys: String, CodingKey {
        case decodeNs = "decode_ns"
        case inferenceNs = "inference_ns"
        case postprocessNs = "postprocess_ns"
    }

    func encode(to encoder: any Encoder) throws {
        try stamp.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        var actions: [String: [WireCentroid]] = [:]
        for action in stamp.result.actions { actions[action.action] = action.components.map(WireCentroid.init) }
        try c.encode(actions, forKey: .actions)
        var presence: [String: Float?] = [:]
        for action in stamp.result.actions { presence[action.action] = action.presence.flatMap(WireFormat.finite) }
        try c.encode(presence, forKey: .presence)
        let timings = stamp.result.timings
        var nested = c.nestedContainer(keyedBy: TimingKeys.self, forKey: .timings)
        try nested.encode(timings.decodeNs, forKey: .decodeNs)
        try nested.encode(timings.inferenceNs, forKey: .inferenceNs)
        try nested.encode(timings.postprocessNs, forKey: .postprocessNs)
    }
}

/// The body of `afford/<camera>/status/`: the daemon's status plus the publisher's own counters.
struct StatusTopicBody: Encodable {
    let status: PipelineStatus
    let publisher: HeatmapPublisher.Counters
    let publishWallNs: UInt64

    enum CodingKeys: String, CodingKey {
        case version, publisher
        case publishWallNs = "t_publish_wall_ns"
    }

    func encode(to encoder: any Encoder) throws {
        try status.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(WireFormat.version, forKey: .version)
        try c.encode(publishWallNs, forKey: .publishWallNs)
        try c.encode(publisher, forKey: .publisher)
    }
}

extension PipelineStatus {
    /// The status topic's JSON body (docs/PROTOCOL.md), for other transports that carry it.
    public func wireBody(publisher: HeatmapPublisher.Counters, publishWallNs: UInt64) throws -> [UInt8] {
        Array(try WireFormat.encoder().encode(StatusTopicBody(status: self, publisher: publisher, publishWallNs: publishWallNs)))
    }
}
