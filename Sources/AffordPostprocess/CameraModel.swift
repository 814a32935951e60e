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
        guard imageWidth > 0, imageHeight > 0 else {
            throw AffordError(.invalidConfig, "calibration size \(imageWidth)x\(imageHeight) is not positive")
        }
        guard cameraMatrix.count == 9, cameraMatrix[0] > 0, cameraMatrix[4] > 0, cameraMatrix[8] == 1 else {
            throw AffordError(.invalidConfig, "camera_matrix must be 3x3 with positive fx, fy and K[2][2] = 1")
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
        let yd = (v - cy) / fy
        let xd = (u - cx - skew * yd) / fx
        let k = coefficients
        var x = xd, y = yd
        for _ in 0..<100 {
            let r2 = x * x + y * y
            let radial = radialFactor(r2)
            let dx = 2 * k[2] * x * y + k[3] * (r2 + 2 * x * x)
            let dy = k[2] * (r2 + 2 * y * y) + 2 * k[3] * x * y
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

    private func radialFactor(_ r2: Double) -> Double {
        let k = coefficients
        let r4 = r2 * r2, r6 = r4 * r2
        return (1 + k[0] * r2 + k[1] * r4 + k[4] * r6) / (1 + k[5] * r2 + k[6] * r4 + k[7] * r6)
    }
}
