/// A top-down parallel-gripper grasp on the table plane, from a component's shape
/// (docs/PROTOCOL.md, "Centroid objects"): the fingers close across the minor axis.
public struct TableGrasp: Sendable, Equatable, Codable {
    /// Where the centroid's ray meets the table, base frame, metres (the component's `tablePoint`).
    var position: SIMD3<Double>
    /// The major axis's direction on the plane, radians, counter-clockwise about the plane's
    /// normal from the base x axis projected onto the plane; in (-π/2, π/2], as a parallel
    /// grasp is the same after a half turn.
    var yaw: Double
    /// Distance between the table points of the minor axis's end points (centroid ± width/2), metres.
    var widthM: Double
    /// Distance between the table points of the major axis's end points (centroid ± length/2), metres.
    var lengthM: Double

    public init(position: SIMD3<Double>, yaw: Double, widthM: Double, lengthM: Double) {
        self.position = position
        self.yaw = yaw
        self.widthM = widthM
        self.lengthM = lengthM
    }

    /// Whether every number is finite: JSON has no NaN, so a grasp that is not travels as null.
    public var isFinite: Bool {
        [position.x, position.y, position.z, yaw, widthM, lengthM].allSatisfy(\.isFinite)
    }

    enum CodingKeys: String, CodingKey {
        case position, yaw
        case widthM = "width_m"
        case lengthM = "length_m"
    }
}
