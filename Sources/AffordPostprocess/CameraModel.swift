import AffordCore

/// Lens distortion in OpenCV's coefficient order.
public enum DistortionModel: String, Sendable, CaseIterable {
    /// k1, k2, p1, p2, k3 (ROS `plumb_bob`).
    case plumbBob = "plumb_bob"
    /// k1, k2, p1, p2, k3, k4, k5, k6 (ROS `rational_polynomial`).
    case rationalPolynomial = "rational_polynomial"

    /// How many coefficients a calibration file must give.
    public var coefficientCount: Int { self == .plumbBob ? 5 : 8 }
}

/// Pinhole intrinsics plus distortion for one calibrated camera.
public struct CameraModel: Sendable, Equatable {
    var cameraName: String
    public var imageWidth: Int
    public var imageHeight: Int
    /// Row-major 3x3 camera matrix K.
    var cameraMatrix: [Double]
    var distortionModel: DistortionModel
    /// Always 8 entries: k1, k2, p1, p2, k3, k4, k5, k6 (zeros where the model has none).
    var coefficients: [Double]

    var fx: Double { cameraMatrix[0] }
    var skew: Double { cameraMatrix[1] }
    var cx: Double { cameraMatrix[2] }
    var fy: Double { cameraMatrix[4] }
    var cy: Double { cameraMatrix[5] }

    /// Validates K and pads the coefficients to eight.
    public init(cameraName: String, imageWidth: Int, imageHeight: Int, cameraMatrix: [Double],
                distortionModel: DistortionModel, distortion: [Double]) throws {
        guard (1...Frame.maximumSide).contains(imageWidth), (1...Frame.maximumSide).contains(imageHeight) else {
            throw AffordError(.invalidConfig, "calibration size \(imageWidth)x\(imageHeight) is not 1...\(Frame.maximumSide) a side")
        }
        guard cameraMatrix.count == 9, cameraMatrix.allSatisfy(\.isFinite), cameraMatrix[0] > 0, cameraMatrix[4] > 0,
              cameraMatrix[8] == 1 else {
            throw AffordError(.invalidConfig, "camera_matrix must be 3x3 and finite, with positive fx, fy and K[2][2] = 1")
        }
        guard distortion.count <= distortionModel.coefficientCount else {
            throw AffordError(.invalidConfig,
                "\(distortionModel.rawValue) takes \(distortionModel.coefficientCount) coefficients, got \(distortion.count)")
        }
        self.cameraName = cameraName
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.cameraMatrix = cameraMatrix
        self.distortionModel = distortionModel
        self.coefficients = distortion + [Double](repeating: 0, count: 8 - distortion.count)
    }

    /// A clear error when the negotiated frame size is not the calibrated one.
    public func checkMatches(width: Int, height: Int) throws {
        guard width == imageWidth, height == imageHeight else {
            throw AffordError(.invalidConfig,
                "calibration '\(cameraName)' is for \(imageWidth)x\(imageHeight) but the camera delivers \(width)x\(height)")
        }
    }

    /// Normalised undistorted coordinates of pixel (u, v), by fixed-point iteration.
    func undistort(u: Double, v: Double) -> (x: Double, y: Double) {
        let lens = Lens(self)
        let yd = (v - lens.cy) / lens.fy
        let xd = (u - lens.cx - lens.skew * yd) / lens.fx
        var x = xd, y = yd
        for _ in 0..<100 {
            let r2 = x * x + y * y
            let radial = lens.radialFactor(r2)
            let (dx, dy) = lens.tangential(x: x, y: y, r2: r2)
            let nx = (xd - dx) / radial, ny = (yd - dy) / radial
            let step = abs(nx - x) + abs(ny - y)
            x = nx
            y = ny
            if step < 1e-14 { break }
        }
        return (x, y)
    }

    /// Unit ray through pixel (u, v) in the camera's optical frame (z forward, x right, y down).
    public func ray(u: Double, v: Double) -> SIMD3<Double> {
        let (x, y) = undistort(u: u, v: v)
        let direction = SIMD3(x, y, 1)
        return direction / (direction * direction).sum().squareRoot()
    }

    /// The pixel (u, v) where a point in the optical frame images, through the lens distortion:
    /// OpenCV's `projectPoints` model, plus the skew term `undistort` removes (OpenCV ignores
    /// K[0][1]). Nil for a point not in front of the camera.
    public func project(_ point: SIMD3<Double>) -> SIMD2<Double>? {
        guard point.z > 0 else { return nil }
        return Lens(self).pixel(x: point.x / point.z, y: point.y / point.z)
    }

    /// K and the coefficients as plain scalars: the distortion model in one place, for
    /// `undistort`, `project` and the per-pixel loops (`DepthRegistration`), where array
    /// lookups would cost more than the arithmetic.
    struct Lens: Sendable {
        let fx, fy, cx, cy, skew: Double
        let k1, k2, p1, p2, k3, k4, k5, k6: Double

        init(_ model: CameraModel) {
            fx = model.fx
            fy = model.fy
            cx = model.cx
            cy = model.cy
            skew = model.skew
            let k = model.coefficients
            (k1, k2, p1, p2, k3, k4, k5, k6) = (k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7])
        }

        @inline(__always)
        func radialFactor(_ r2: Double) -> Double {
            let r4 = r2 * r2, r6 = r4 * r2
            return (1 + k1 * r2 + k2 * r4 + k3 * r6) / (1 + k4 * r2 + k5 * r4 + k6 * r6)
        }

        @inline(__always)
        func tangential(x: Double, y: Double, r2: Double) -> (dx: Double, dy: Double) {
            (2 * p1 * x * y + p2 * (r2 + 2 * x * x), p1 * (r2 + 2 * y * y) + 2 * p2 * x * y)
        }

        /// The pixel of normalised undistorted coordinates (x, y).
        @inline(__always)
        func pixel(x: Double, y: Double) -> SIMD2<Double> {
            let r2 = x * x + y * y
            let radial = radialFactor(r2)
            let (dx, dy) = tangential(x: x, y: y, r2: r2)
            let xd = x * radial + dx, yd = y * radial + dy
            return SIMD2(fx * xd + skew * yd + cx, fy * yd + cy)
        }
    }
}
