import AffordCore
import Foundation

extension CentroidGeometry {
    /// The top-down grasp of a located component: its image-plane axes' end points (centroid
    /// ± half the length along the major axis, ± half the width along the minor one) projected
    /// onto the table as the centroid is. Nil without a shape or a table point, or when an end
    /// point's ray misses the plane (beyond the horizon).
    func grasp(for component: AffordanceComponent) -> Grasp? {
        guard let shape = component.shape, let position = component.tablePoint, let table else { return nil }
        let centre = SIMD2(component.u, component.v)
        let axis = shape.axis, minor = shape.minorAxis
        let halfLength = shape.lengthPx / 2, halfWidth = shape.widthPx / 2
        func onTable(_ pixel: SIMD2<Double>) -> SIMD3<Double>? { tablePoint(u: pixel.x, v: pixel.y) }
        guard let majorEnd = onTable(centre + halfLength * axis), let majorStart = onTable(centre - halfLength * axis),
              let minorEnd = onTable(centre + halfWidth * minor), let minorStart = onTable(centre - halfWidth * minor)
        else { return nil }
        // A component shorter than a pixel still gets a yaw: from a pixel's step along its axis.
        var direction = majorEnd - majorStart
        if halfLength < 0.5 {
            guard let end = onTable(centre + 0.5 * axis), let start = onTable(centre - 0.5 * axis) else { return nil }
            direction = end - start
        }
        let grasp = Grasp(source: .tablePlane, position: position, yaw: table.yaw(of: direction),
                               widthM: Self.length(minorEnd - minorStart), lengthM: Self.length(majorEnd - majorStart))
        return grasp.isFinite ? grasp : nil
    }

    static func length(_ vector: SIMD3<Double>) -> Double { (vector * vector).sum().squareRoot() }
}

extension Plane {
    /// The in-plane axes yaw is measured from: the base x axis projected onto the plane (base y
    /// for a plane perpendicular to x), and `normal × that`, so yaw turns counter-clockwise
    /// about the normal.
    var yawAxes: (x: SIMD3<Double>, y: SIMD3<Double>) {
        func inPlane(_ axis: SIMD3<Double>) -> SIMD3<Double> { axis - (normal * axis).sum() * normal }
        var x = inPlane(SIMD3(1, 0, 0))
        if CentroidGeometry.length(x) < 1e-6 { x = inPlane(SIMD3(0, 1, 0)) }
        x /= CentroidGeometry.length(x)
        return (x, cross(normal, x))
    }

    /// The angle of `direction` (projected onto the plane) from `yawAxes.x`, folded into
    /// (-π/2, π/2] since a direction and its opposite are one grasp axis.
    func yaw(of direction: SIMD3<Double>) -> Double {
        let axes = yawAxes
        var angle = atan2((direction * axes.y).sum(), (direction * axes.x).sum())
        if angle > .pi / 2 { angle -= .pi } else if angle <= -.pi / 2 { angle += .pi }
        return angle
    }
}
