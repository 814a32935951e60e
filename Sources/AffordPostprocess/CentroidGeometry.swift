import AffordCore

/// Adds camera rays, base rays and table points to components, as far as calibration allows.
public struct CentroidGeometry: Sendable {
    public var camera: CameraModel?
    public var cameraToBase: RigidTransform?
    public var table: Plane?

    public init(camera: CameraModel?, cameraToBase: RigidTransform? = nil, table: Plane? = nil) {
        self.camera = camera
        self.cameraToBase = cameraToBase
        self.table = table
    }

    /// Fills `rayCamera`, `rayBase` and `tablePoint`; centroids are in frame pixels.
    public func locate(_ components: [AffordanceComponent]) -> [AffordanceComponent] {
        guard let camera else { return components }
        return components.map { component in
            var located = component
            let ray = camera.ray(u: component.u, v: component.v)
            located.rayCamera = ray
            if let pose = cameraToBase {
                let baseRay = pose.rotate(ray)
                located.rayBase = baseRay
                located.tablePoint = table?.intersect(origin: pose.translation, direction: baseRay)
            }
            return located
        }
    }
}
