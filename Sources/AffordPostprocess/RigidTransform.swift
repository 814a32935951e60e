import AffordCore

/// Camera -> base pose: `p_base = R(q) * p_camera + t`.
public struct RigidTransform: Sendable, Equatable {
    public var translation: SIMD3<Double>
    /// Unit quaternion (x, y, z, w), ROS order.
    public var rotation: SIMD4<Double>

    /// Rejects quaternions whose norm is more than 1e-3 away from 1, then renormalises.
    public init(translation: SIMD3<Double>, rotation: SIMD4<Double>) throws {
        let norm = (rotation * rotation).sum().squareRoot()
        guard abs(norm - 1) <= 1e-3 else {
            throw AffordError(.invalidConfig, "rotation quaternion must have unit norm, got norm \(norm)")
        }
        self.translation = translation
        self.rotation = rotation / norm
    }

    /// Rotates a direction (no translation).
    func rotate(_ vector: SIMD3<Double>) -> SIMD3<Double> {
        let q = SIMD3(rotation.x, rotation.y, rotation.z), w = rotation.w
        let t = 2 * cross(q, vector)
        return vector + w * t + cross(q, t)
    }

    /// Maps a point.
    public func apply(_ point: SIMD3<Double>) -> SIMD3<Double> { rotate(point) + translation }

}

/// The cross product `a × b`.
func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// A plane `normal . p = offset` in the base frame, e.g. the table top.
public struct Plane: Sendable, Equatable {
    var normal: SIMD3<Double>
    var offset: Double

    /// Normalises `normal` (and scales `offset` with it); rejects a zero normal.
    public init(normal: SIMD3<Double>, offset: Double) throws {
        let length = (normal * normal).sum().squareRoot()
        guard length > 1e-9 else { throw AffordError(.invalidConfig, "table plane normal must be non-zero") }
        self.normal = normal / length
        self.offset = offset / length
    }

    /// For a normal known to be unit length.
    init(unitNormal: SIMD3<Double>, offset: Double) {
        normal = unitNormal
        self.offset = offset
    }

    /// Where the ray from `origin` along `direction` meets the plane; nil when parallel or behind.
    func intersect(origin: SIMD3<Double>, direction: SIMD3<Double>) -> SIMD3<Double>? {
        let denominator = (normal * direction).sum()
        guard abs(denominator) > 1e-9 else { return nil }
        let distance = (offset - (normal * origin).sum()) / denominator
        guard distance > 0 else { return nil }
        return origin + distance * direction
    }
}
