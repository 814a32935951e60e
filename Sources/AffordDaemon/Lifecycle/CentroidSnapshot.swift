import AffordCore
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

    /// Transport's centroid field names (`ray_camera`, `table_point`, ...).
    struct Component: Encodable {
        var u: Double, v: Double, area: Int, peak: Float, mean: Float
        var rayCamera: [Double]?, rayBase: [Double]?, tablePoint: [Double]?
        /// Zoom's region `[x, y, width, height]`; absent without zoom.
        var region: [Int]?
        /// The image-plane shape and the table-plane grasp (absent without them; never NaN).
        var axis: [Double]?, lengthPx: Double?, widthPx: Double?, elongation: Double?
        var grasp: Grasp?

        init(_ c: AffordanceComponent) {
            u = c.u; v = c.v; area = c.area; peak = c.peak; mean = c.mean
            rayCamera = c.rayCamera.map { [$0.x, $0.y, $0.z] }
            rayBase = c.rayBase.map { [$0.x, $0.y, $0.z] }
            tablePoint = c.tablePoint.map { [$0.x, $0.y, $0.z] }
            region = c.region.map { [$0.x, $0.y, $0.width, $0.height] }
            if let shape = c.shape, shape.lengthPx.isFinite, shape.widthPx.isFinite {
                axis = [shape.axis.x, shape.axis.y]
                lengthPx = shape.lengthPx
                widthPx = shape.widthPx
                elongation = shape.elongation
            }
            grasp = c.grasp.flatMap { $0.isFinite ? $0 : nil }
        }

        enum CodingKeys: String, CodingKey {
            case u, v, area, peak, mean
            case rayCamera = "ray_camera", rayBase = "ray_base", tablePoint = "table_point", region
            case axis, elongation, grasp, lengthPx = "length_px", widthPx = "width_px"
        }
    }

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
