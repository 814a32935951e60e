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

        enum CodingKeys: String, CodingKey {
            case seq, actions
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

        init(_ c: AffordanceComponent) {
            u = c.u; v = c.v; area = c.area; peak = c.peak; mean = c.mean
            rayCamera = c.rayCamera.map { [$0.x, $0.y, $0.z] }
            rayBase = c.rayBase.map { [$0.x, $0.y, $0.z] }
            tablePoint = c.tablePoint.map { [$0.x, $0.y, $0.z] }
        }

        enum CodingKeys: String, CodingKey {
            case u, v, area, peak, mean
            case rayCamera = "ray_camera", rayBase = "ray_base", tablePoint = "table_point"
        }
    }

    var cameras: [String: Camera]

    init(_ results: [String: FrameResult]) {
        cameras = results.mapValues { result in
            Camera(seq: result.sequence, tCaptureMonoNs: result.captureMonotonicNs, frameWidth: result.frameWidth,
                   frameHeight: result.frameHeight, modelID: result.modelID,
                   actions: Dictionary(uniqueKeysWithValues: result.actions.map { ($0.action, $0.components.map(Component.init)) }))
        }
    }
}
