import AffordCore
import AffordTransport
import Foundation

/// The latest centroids per camera, as the control `snapshot` op returns them.
struct CentroidSnapshot: Encodable {
    struct Camera: Encodable {
        var seq: UInt64
        var tCaptureMonoNs: UInt64
        var frameWidth: Int
        var frameHeight: Int
        var modelID: String
        var actions: [String: [Component]]
        var presence: [String: Float?]

        enum CodingKeys: String, CodingKey {
            case seq, actions, presence
            case tCaptureMonoNs = "t_capture_mono_ns"
            case frameWidth = "frame_width"
            case frameHeight = "frame_height"
            case modelID = "model_id"
        }
    }

    /// A component as the centroids topic publishes it.
    typealias Component = WireCentroid

    var cameras: [String: Camera]

    init(_ results: [String: FrameResult]) {
        cameras = results.mapValues { result in
            Camera(seq: result.sequence, tCaptureMonoNs: result.captureMonotonicNs, frameWidth: result.frameWidth,
                   frameHeight: result.frameHeight, modelID: result.modelID,
                   actions: Self.components(result.actions), presence: Self.presence(result.actions))
        }
    }

    static func components(_ actions: [ActionResult]) -> [String: [Component]] {
        Dictionary(uniqueKeysWithValues: actions.map { ($0.action, $0.components.map(Component.init)) })
    }

    /// null for a model without a presence output (JSON has no NaN: a non-finite value is null too).
    static func presence(_ actions: [ActionResult]) -> [String: Float?] {
        Dictionary(uniqueKeysWithValues: actions.map { ($0.action, $0.presence.flatMap { $0.isFinite ? $0 : nil }) })
    }
}
