/// A parallel-gripper grasp of a component (docs/PROTOCOL.md, "Centroid objects"): the
/// fingers close across its minor axis. From the table plane (top-down), or, where the frame
/// has depth, from the component's own 3D points.
public struct Grasp: Sendable, Equatable, Codable {
    /// What the grasp was measured from.
    public enum Source: String, Sendable, Codable {
        /// The centroid's and the axes' end points' rays meet the configured table plane.
        case tablePlane = "table_plane"
        /// The component's median depth and the plane fitted to its points.
        case depth
    }

    var source: Source
    /// The grasp point, base frame, metres: the table point, or the depth point (`point_base`).
    var position: SIMD3<Double>
    /// The major axis's direction, radians, counter-clockwise about the table's normal (base +z
    /// without a table plane) from the base x axis projected onto that plane; in (-π/2, π/2],
    /// as a parallel grasp is the same after a half turn.
    var yaw: Double
    /// Across the minor axis, between the 3D points of its end points (centroid ± width/2), metres.
    var widthM: Double
    /// Along the major axis, between the 3D points of its end points (centroid ± length/2), metres.
    var lengthM: Double
    /// With depth: the full gripper pose. Nil for a table-plane grasp.
    var frame: GraspPose?

    public init(source: Source, position: SIMD3<Double>, yaw: Double, widthM: Double, lengthM: Double,
                frame: GraspPose? = nil) {
        self.source = source
        self.position = position
        self.yaw = yaw
        self.widthM = widthM
        self.lengthM = lengthM
        self.frame = frame
    }

    /// Whether every number is finite: JSON has no NaN, so a grasp that is not travels as null.
    public var isFinite: Bool {
        [position.x, position.y, position.z, yaw, widthM, lengthM].allSatisfy(\.isFinite) && (frame?.isFinite ?? true)
    }

    enum CodingKeys: String, CodingKey {
        case source, position, yaw, frame
        case widthM = "width_m"
        case lengthM = "length_m"
    }

    /// `frame` is null, not absent, for a table-plane grasp: fields never disappear.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(position, forKey: .position)
        try c.encode(yaw, forKey: .yaw)
        try c.encode(widthM, forKey: .widthM)
        try c.encode(lengthM, forKey: .lengthM)
        try c.encode(frame, forKey: .frame)
    }
}

/// A 6-DoF gripper pose in the base frame. Its axes: z is the approach, into the surface
/// (the fitted normal reversed); y is the closing direction, across the component's minor
/// axis; x = y × z runs along the part.
public struct GraspPose: Sendable, Equatable, Codable {
    var position: SIMD3<Double>
    /// Unit quaternion (x, y, z, w), ROS order, rotating gripper axes into the base frame.
    var orientation: SIMD4<Double>

    public init(position: SIMD3<Double>, orientation: SIMD4<Double>) {
        self.position = position
        self.orientation = orientation
    }

    var isFinite: Bool {
        [position.x, position.y, position.z, orientation.x, orientation.y, orientation.z, orientation.w].allSatisfy(\.isFinite)
    }
}

/// What a component's depth pixels say (docs/PROTOCOL.md, "Centroid objects").
public struct ComponentDepth: Sendable, Equatable, Codable {
    /// The share of the component's pixels with a depth reading, in [0, 1].
    public var validFraction: Double
    /// The centroid's ray at the median depth of the valid pixels, camera optical frame,
    /// metres; nil with too few valid pixels.
    public var pointCamera: SIMD3<Double>?
    /// `pointCamera` in the base frame; nil without extrinsics.
    public var pointBase: SIMD3<Double>?
    /// The unit normal of the plane fitted to the component's 3D points, facing the camera,
    /// camera optical frame; nil when the points do not span a plane.
    public var normalCamera: SIMD3<Double>?
    /// `normalCamera` in the base frame; nil without extrinsics.
    public var normalBase: SIMD3<Double>?

    public init(validFraction: Double, pointCamera: SIMD3<Double>? = nil, pointBase: SIMD3<Double>? = nil,
                normalCamera: SIMD3<Double>? = nil, normalBase: SIMD3<Double>? = nil) {
        self.validFraction = validFraction
        self.pointCamera = pointCamera
        self.pointBase = pointBase
        self.normalCamera = normalCamera
        self.normalBase = normalBase
    }
}
