import AffordCore

/// A frame's depth and where one action's components lie on its heatmap grid: what
/// `CentroidGeometry.locate` needs to give components 3D points.
public struct DepthEvidence: Sendable {
    var depth: DepthImage
    /// Per component, in the components' order (`HeatmapPostprocessor.processed`).
    var pixels: [ComponentPixels]
    var gridWidth: Int
    var gridHeight: Int
    var frameWidth: Int
    var frameHeight: Int

    public init(depth: DepthImage, pixels: [ComponentPixels], gridWidth: Int, gridHeight: Int,
                frameWidth: Int, frameHeight: Int) {
        self.depth = depth
        self.pixels = pixels
        self.gridWidth = gridWidth
        self.gridHeight = gridHeight
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
    }

    /// The valid readings under a component, as (frame u, frame v, z metres), and how many of
    /// its pixels were looked at. A component larger than `maximumSamples` is sampled on a
    /// regular stride over its pixels in raster order. Grid pixel centres map to frame pixels,
    /// then to the depth image by its size relative to the frame (an aligned depth stream may
    /// have another resolution).
    func samples(_ pixels: ComponentPixels, maximumSamples: Int = 1024) -> (readings: [SIMD3<Float>], visited: Int) {
        let step = max(1, (pixels.area + maximumSamples - 1) / maximumSamples)
        let gridToFrameX = Float(frameWidth) / Float(gridWidth), gridToFrameY = Float(frameHeight) / Float(gridHeight)
        let frameToDepthX = Float(depth.width) / Float(frameWidth), frameToDepthY = Float(depth.height) / Float(frameHeight)
        var readings: [SIMD3<Float>] = []
        readings.reserveCapacity(min(pixels.area, maximumSamples))
        var visited = 0
        var skip = 0  // pixels still to pass before the next sample, carried from run to run
        depth.metres.withUnsafeBufferPointer { metres in
            for run in pixels.runs {
                let v = (Float(run.row) + 0.5) * gridToFrameY - 0.5
                let depthRow = min(depth.height - 1, max(0, Int(((v + 0.5) * frameToDepthY).rounded(.down))))
                let length = Int(run.end - run.start)
                guard skip < length else {
                    skip -= length
                    continue
                }
                for x in Swift.stride(from: Int(run.start) + skip, to: Int(run.end), by: step) {
                    visited += 1
                    let u = (Float(x) + 0.5) * gridToFrameX - 0.5
                    let depthColumn = min(depth.width - 1, max(0, Int(((u + 0.5) * frameToDepthX).rounded(.down))))
                    let z = metres[depthRow * depth.width + depthColumn]
                    if DepthImage.isValid(z) { readings.append(SIMD3(u, v, z)) }
                }
                skip = (step - (length - skip) % step) % step
            }
        }
        return (readings, visited)
    }
}

extension CentroidGeometry {
    /// Fewer valid readings than this under a component give no depth point.
    static let minimumDepthReadings = 8
    /// The plane is fitted to at most this many of a component's points.
    static let maximumPlanePoints = 128

    /// What the depth says at a located component (centroid in frame pixels); needs calibration.
    func depth(of component: AffordanceComponent, pixels: ComponentPixels, evidence: DepthEvidence,
               camera: CameraModel) -> ComponentDepth {
        let (readings, visited) = evidence.samples(pixels)
        var result = ComponentDepth(validFraction: visited > 0 ? Double(readings.count) / Double(visited) : 0)
        guard readings.count >= Self.minimumDepthReadings else { return result }
        let depths = readings.map(\.z).sorted()
        let median = Double(depths[depths.count / 2])
        let centre = camera.ray(u: component.u, v: component.v)
        let point = centre * (median / centre.z)
        result.pointCamera = point
        // Readings far from the median are another surface seen through the component (the
        // table behind a handle's edge, a flying pixel): they stay out of the plane.
        let deviations = depths.map { abs(Double($0) - median) }.sorted()
        let band = max(0.02, 3 * 1.4826 * deviations[deviations.count / 2])
        let inliers = readings.filter { abs(Double($0.z) - median) <= band }
        let stride = max(1, inliers.count / Self.maximumPlanePoints)
        let points = Swift.stride(from: 0, to: inliers.count, by: stride).map { index -> SIMD3<Double> in
            let reading = inliers[index]
            let ray = camera.ray(u: Double(reading.x), v: Double(reading.y))
            return ray * (Double(reading.z) / ray.z)
        }
        if var normal = PlaneFit.normal(of: points) {
            if (normal * point).sum() > 0 { normal = -normal }  // facing the camera
            result.normalCamera = normal
        }
        if let pose = cameraToBase {
            result.pointBase = pose.apply(point)
            result.normalBase = result.normalCamera.map(pose.rotate)
        }
        return result
    }

    /// The grasp from a component's depth: its axes' end points' rays met with the fitted
    /// plane (or the median depth's fronto-parallel plane, without one), approach along the
    /// normal reversed (along the view ray, without one). Nil without a shape, extrinsics or a
    /// depth point.
    func depthGrasp(for component: AffordanceComponent, camera: CameraModel) -> Grasp? {
        guard let shape = component.shape, let pose = cameraToBase, let depth = component.depth,
              let point = depth.pointCamera, let position = depth.pointBase else { return nil }
        let surfaceNormal = depth.normalCamera ?? SIMD3(0, 0, -1)
        func onSurface(_ pixel: SIMD2<Double>) -> SIMD3<Double>? {
            let ray = camera.ray(u: pixel.x, v: pixel.y)
            let along = (surfaceNormal * ray).sum()
            guard abs(along) > 1e-6 else { return nil }
            let distance = (surfaceNormal * point).sum() / along
            return distance > 0 ? ray * distance : nil
        }
        let centre = SIMD2(component.u, component.v)
        // A component shorter than a pixel still gets a direction, from a pixel's step along its axis.
        let halfLength = shape.lengthPx / 2, halfWidth = shape.widthPx / 2, reach = max(0.5, halfLength)
        guard let majorEnd = onSurface(centre + reach * shape.axis), let majorStart = onSurface(centre - reach * shape.axis),
              let minorEnd = onSurface(centre + halfWidth * shape.minorAxis), let minorStart = onSurface(centre - halfWidth * shape.minorAxis)
        else { return nil }
        let along = pose.rotate(majorEnd - majorStart), across = pose.rotate(minorEnd - minorStart)
        let approach = Self.unit(pose.rotate(depth.normalCamera.map { -$0 } ?? camera.ray(u: component.u, v: component.v)))
        // Fingers close across the part: the minor axis made perpendicular to the approach,
        // or the major axis turned a quarter about it when the minor one is too short.
        var closing = across - (across * approach).sum() * approach
        if Self.length(closing) < 1e-9 { closing = cross(approach, along) }
        guard Self.length(closing) > 1e-12 else { return nil }
        closing = Self.unit(closing)
        let orientation = Self.quaternion(x: cross(closing, approach), y: closing, z: approach)
        let yawPlane = table ?? Plane.baseFloor
        let grasp = Grasp(source: .depth, position: position, yaw: yawPlane.yaw(of: along),
                          widthM: shape.widthPx > 0 ? Self.length(minorEnd - minorStart) : 0,
                          lengthM: Self.length(majorEnd - majorStart) * halfLength / reach,
                          frame: GraspPose(position: position, orientation: orientation))
        return grasp.isFinite ? grasp : nil
    }

    static func unit(_ vector: SIMD3<Double>) -> SIMD3<Double> { vector / length(vector) }

    /// The unit quaternion (x, y, z, w) of the rotation whose matrix has columns x, y, z
    /// (orthonormal, right-handed); Shepperd's method, branching on the largest diagonal term
    /// for accuracy.
    static func quaternion(x: SIMD3<Double>, y: SIMD3<Double>, z: SIMD3<Double>) -> SIMD4<Double> {
        let m00 = x.x, m11 = y.y, m22 = z.z
        let trace = m00 + m11 + m22
        var q: SIMD4<Double>
        if trace > 0 {
            let s = 2 * (trace + 1).squareRoot()
            q = SIMD4((y.z - z.y) / s, (z.x - x.z) / s, (x.y - y.x) / s, s / 4)
        } else if m00 > m11 && m00 > m22 {
            let s = 2 * (1 + m00 - m11 - m22).squareRoot()
            q = SIMD4(s / 4, (y.x + x.y) / s, (z.x + x.z) / s, (y.z - z.y) / s)
        } else if m11 > m22 {
            let s = 2 * (1 + m11 - m00 - m22).squareRoot()
            q = SIMD4((y.x + x.y) / s, s / 4, (z.y + y.z) / s, (z.x - x.z) / s)
        } else {
            let s = 2 * (1 + m22 - m00 - m11).squareRoot()
            q = SIMD4((z.x + x.z) / s, (z.y + y.z) / s, s / 4, (x.y - y.x) / s)
        }
        q /= (q * q).sum().squareRoot()
        return q.w < 0 ? -q : q  // one of the two equal quaternions, w ≥ 0
    }
}

extension Plane {
    /// z = 0 in the base frame: what yaw is measured about when no table plane is configured.
    static let baseFloor = Plane(unitNormal: SIMD3(0, 0, 1), offset: 0)
}

/// The least-squares plane through 3D points: the eigenvector of their covariance with the
/// smallest eigenvalue, by cyclic Jacobi rotations (exact for a symmetric 3×3).
enum PlaneFit {
    /// Nil for fewer than 3 points or points that do not span a plane (all within 0.1 mm of a
    /// line); the sign is arbitrary.
    static func normal(of points: [SIMD3<Double>]) -> SIMD3<Double>? {
        guard points.count >= 3 else { return nil }
        let mean = points.reduce(SIMD3<Double>(), +) / Double(points.count)
        var a = [[Double]](repeating: [0, 0, 0], count: 3)
        for point in points {
            let d = point - mean
            for row in 0..<3 { for column in 0..<3 { a[row][column] += d[row] * d[column] } }
        }
        for row in 0..<3 { for column in 0..<3 { a[row][column] /= Double(points.count) } }
        let (values, vectors) = eigen(a)
        let order = [0, 1, 2].sorted { values[$0] < values[$1] }
        guard values[order[1]] > 1e-8 else { return nil }  // σ below 0.1 mm across the line
        let smallest = order[0]
        let normal = SIMD3(vectors[0][smallest], vectors[1][smallest], vectors[2][smallest])
        let length = (normal * normal).sum().squareRoot()
        return length > 0 ? normal / length : nil
    }

    /// Eigenvalues and eigenvectors (columns of the second result) of a symmetric 3×3 matrix.
    static func eigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if off < 1e-30 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where abs(a[p][q]) > 1e-300 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], v)
    }
}
