import AffordCore
import AffordTestSupport
import Testing
@testable import AffordPostprocess

@Suite struct CameraModelTests {
    struct Case: Encodable, CustomTestStringConvertible {
        var model: String
        var K: [Double]
        var D: [Double]
        var testDescription: String { model }
    }

    // Zero skew: OpenCV's projection ignores K[0][1], so it cannot referee skew.
    static let cases = [
        Case(model: "plumb_bob", K: [612.3, 0, 318.7, 0, 610.9, 243.2, 0, 0, 1],
             D: [-0.28, 0.09, 0.0012, -0.0007, -0.012]),
        Case(model: "rational_polynomial", K: [580.0, 0, 322.0, 0, 583.5, 236.0, 0, 0, 1],
             D: [0.41, -0.23, 0.0009, 0.0015, 0.05, 0.72, -0.12, 0.11]),
    ]

    struct Projection: Decodable { var points: [[Double]]; var pixels: [[Double]]; var undistorted: [[Double]] }

    /// OpenCV projects random points in front of the camera and undistorts the pixels on its own.
    static func opencv(_ c: Case) throws -> Projection {
        let script = """
        import json, sys, numpy as np, cv2
        d = json.load(sys.stdin)
        rng = np.random.default_rng(7)
        pts = np.column_stack([rng.uniform(-0.45, 0.45, 200), rng.uniform(-0.35, 0.35, 200), np.ones(200)])
        pts *= rng.uniform(0.3, 3.0, (200, 1))
        K = np.array(d["K"]).reshape(3, 3); D = np.array(d["D"])
        px, _ = cv2.projectPoints(pts, np.zeros(3), np.zeros(3), K, D)
        crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 200, 1e-14)
        und = cv2.undistortPoints(px, K, D, None, None, None, crit)
        print(json.dumps({"points": pts.tolist(), "pixels": px.reshape(-1, 2).tolist(),
                          "undistorted": und.reshape(-1, 2).tolist()}))
        """
        return try PythonOracle.call(script, c, as: Projection.self)
    }

    static func model(_ c: Case) throws -> CameraModel {
        try CameraModel(cameraName: "test", imageWidth: 640, imageHeight: 480, cameraMatrix: c.K,
                        distortionModel: DistortionModel(rawValue: c.model) ?? .plumbBob, distortion: c.D)
    }

    @Test(arguments: cases)
    func raysRecoverOpenCVProjectedDirections(_ c: Case) throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        let reference = try Self.opencv(c)
        let camera = try Self.model(c)
        var worst = 0.0
        for (point, pixel) in zip(reference.points, reference.pixels) {
            let truth = SIMD3(point[0], point[1], point[2])
            let direction = truth / (truth * truth).sum().squareRoot()
            let ray = camera.ray(u: pixel[0], v: pixel[1])
            worst = max(worst, ((ray - direction) * (ray - direction)).sum().squareRoot())
        }
        #expect(worst < 1e-7, "largest ray error \(worst)")
    }

    @Test(arguments: cases)
    func undistortAgreesWithOpenCVUndistortPoints(_ c: Case) throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        let reference = try Self.opencv(c)
        let camera = try Self.model(c)
        for (pixel, expected) in zip(reference.pixels, reference.undistorted) {
            let (x, y) = camera.undistort(u: pixel[0], v: pixel[1])
            #expect(abs(x - expected[0]) < 1e-7 && abs(y - expected[1]) < 1e-7)
        }
    }

    @Test func sizeMismatchIsAClearError() throws {
        let camera = try Self.model(Self.cases[0])
        #expect(throws: AffordError.self) { try camera.checkMatches(width: 1280, height: 720) }
        try camera.checkMatches(width: 640, height: 480)
    }

    @Test func quaternionRotatesAndPlaneIntersects() throws {
        // Camera 1 m above the table looking straight down: optical z = -base z, x = base x, y = -base y.
        let pose = try RigidTransform(translation: SIMD3(0.2, 0, 1), rotation: SIMD4(1, 0, 0, 0))
        let table = try Plane(normal: SIMD3(0, 0, 2), offset: 0)
        let ray = SIMD3<Double>(0.6, 0, 0.8)
        let base = pose.rotate(ray)
        #expect(abs(base.x - 0.6) < 1e-12 && abs(base.z + 0.8) < 1e-12)
        let hit = try #require(table.intersect(origin: pose.translation, direction: base))
        #expect(abs(hit.x - 0.95) < 1e-12 && abs(hit.z) < 1e-12)
        // Looking up, away from the table: no hit. Parallel: no hit.
        #expect(table.intersect(origin: pose.translation, direction: SIMD3(0, 0, 1)) == nil)
        #expect(table.intersect(origin: pose.translation, direction: SIMD3(1, 0, 0)) == nil)
        // 90 degrees about z maps x to y.
        let yaw = try RigidTransform(translation: .zero, rotation: SIMD4(0, 0, 0.5.squareRoot(), 0.5.squareRoot()))
        let turned = yaw.rotate(SIMD3(1, 0, 0))
        #expect(abs(turned.y - 1) < 1e-12 && abs(turned.x) < 1e-12)
        #expect(throws: AffordError.self) { try RigidTransform(translation: .zero, rotation: SIMD4(0, 0, 0, 0.9)) }
    }
}
