import AffordCore

/// Adds camera rays, base rays, table points, depth points and grasps to components, as far
/// as calibration (and the frame's depth) allows.
public struct CentroidGeometry: Sendable {
    public var camera: CameraModel?
    var cameraToBase: RigidTransform?
    public var table: Plane?

    public init(camera: CameraModel?, cameraToBase: RigidTransform? = nil, table: Plane? = nil) {
        self.camera = camera
        self.cameraToBase = cameraToBase
        self.table = table
    }

    /// Fills `rayCamera`, `rayBase`, `tablePoint`, `depth` (with `evidence`) and `grasp`, from
    /// depth where there is a depth point, else from the table plane; centroids are in frame pixels.
    public func locate(_ components: [AffordanceComponent], depth evidence: DepthEvidence? = nil) -> [AffordanceComponent] {
        guard let camera else { return components }
        return components.enumerated().map { index, component in
            var located = component
            let projection = project(u: component.u, v: component.v, camera: camera)
            located.rayCamera = projection.rayCamera
            located.rayBase = projection.rayBase
            located.tablePoint = projection.tablePoint
            if let evidence, evidence.pixels.indices.contains(index) {
                located.depth = depth(of: located, pixels: evidence.pixels[index], evidence: evidence, camera: camera)
            }
            located.grasp = depthGrasp(for: located, camera: camera) ?? grasp(for: located)
            return located
        }
    }

    /// The one pixel -> table projection that centroids and grasp end points share: the
    /// undistorted ray, rotated into the base frame, from the camera's origin to the plane.
    func project(u: Double, v: Double, camera: CameraModel)
        -> (rayCamera: SIMD3<Double>, rayBase: SIMD3<Double>?, tablePoint: SIMD3<Double>?)
    {
        let ray = camera.ray(u: u, v: v)
        guard let pose = cameraToBase else { return (ray, nil, nil) }
        let baseRay = pose.rotate(ray)
        return (ray, baseRay, table?.intersect(origin: pose.translation, direction: baseRay))
    }

    /// Where pixel (u, v) meets the table, base frame; nil without calibration, extrinsics, a plane or a hit.
    func tablePoint(u: Double, v: Double) -> SIMD3<Double>? {
        guard let camera else { return nil }
        return project(u: u, v: v, camera: camera).tablePoint
    }
}
