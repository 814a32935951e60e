import AffordCore
import AffordTestSupport
import Foundation
import Testing
@testable import AffordPostprocess

@Suite struct DepthRegistrationTests {
    static func requireOpenCV() -> Bool {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return false
        }
        return true
    }

    @Test(arguments: CameraModelTests.cases)
    func projectAgreesWithOpenCVProjectPoints(_ c: CameraModelTests.Case) throws {
        guard Self.requireOpenCV() else { return }
        let reference = try CameraModelTests.opencv(c)
        let camera = try CameraModelTests.model(c)
        var worst = 0.0
        for (point, expected) in zip(reference.points, reference.pixels) {
            let pixel = try #require(camera.project(SIMD3(point[0], point[1], point[2])))
            worst = max(worst, abs(pixel.x - expected[0]), abs(pixel.y - expected[1]))
        }
        #expect(worst < 1e-9, "largest pixel error \(worst)")
        #expect(camera.project(SIMD3(0.1, 0.1, -1)) == nil && camera.project(SIMD3(0.1, 0.1, 0)) == nil)
    }

    /// OpenCV cannot referee skew (it ignores K[0][1]); `undistort` removes it, so projecting
    /// the ray back must land on the pixel it came from.
    @Test func projectInvertsUndistortWithSkew() throws {
        let camera = try CameraModel(cameraName: "skewed", imageWidth: 640, imageHeight: 480,
                                     cameraMatrix: [600, 3.5, 320, 0, 598, 240, 0, 0, 1], distortionModel: .plumbBob,
                                     distortion: [-0.21, 0.05, 0.001, -0.002, 0.0])
        for (u, v) in [(0.0, 0.0), (639.0, 479.0), (320.0, 240.0), (17.25, 401.5), (600.0, 30.0)] {
            let pixel = try #require(camera.project(camera.ray(u: u, v: v) * 2.5))
            #expect(abs(pixel.x - u) < 1e-9 && abs(pixel.y - v) < 1e-9, "(\(u), \(v)) -> \(pixel)")
        }
    }

    struct Scene: Encodable {
        var depthK: [Double], depthD: [Double], colourK: [Double], colourD: [Double]
        /// Depth -> colour as a rotation vector (OpenCV's Rodrigues form) and a translation.
        var rvec: [Double], t: [Double]
        var width: Int, height: Int
    }

    struct Reference: Decodable { var depth: [Float]; var registered: [Double] }

    /// 320x240 cameras with a half-image field of view like a 640x480 webcam's: the depth one
    /// plumb_bob, the colour one rational_polynomial, 5 cm apart and slightly turned.
    static let scene = Scene(
        depthK: [300, 0, 161.3, 0, 301, 119.2, 0, 0, 1], depthD: [-0.28, 0.09, 0.0012, -0.0007, -0.012],
        colourK: [305, 0, 158.7, 0, 304.5, 121.4, 0, 0, 1], colourD: [0.41, -0.23, 0.0009, 0.0015, 0.05, 0.72, -0.12, 0.11],
        rvec: [0.02, -0.03, 0.01], t: [-0.05, 0.004, 0.002], width: 320, height: 240)

    /// OpenCV renders the depth image (a tilted plane, a nearer box and a stripe without
    /// readings) and registers it its own way: undistortPoints, transform, projectPoints,
    /// nearest reading per pixel.
    static func opencvRegistration(_ scene: Scene) throws -> Reference {
        let script = """
        import json, sys, numpy as np, cv2
        d = json.load(sys.stdin)
        Kd = np.array(d["depthK"]).reshape(3, 3); Dd = np.array(d["depthD"])
        Kc = np.array(d["colourK"]).reshape(3, 3); Dc = np.array(d["colourD"])
        R, _ = cv2.Rodrigues(np.array(d["rvec"])); t = np.array(d["t"])
        w, h = d["width"], d["height"]
        u, v = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
        u, v = u.ravel(), v.ravel()
        crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 200, 1e-14)
        xy = cv2.undistortPoints(np.column_stack([u, v]).reshape(-1, 1, 2), Kd, Dd, None, None, None, crit).reshape(-1, 2)
        rays = np.column_stack([xy, np.ones(len(xy))])
        z = 1.1 / (rays @ np.array([0.25, -0.15, 1.0]))
        z[(u >= 100) & (u < 160) & (v >= 80) & (v < 140)] = 0.6
        z[(u >= 250) & (u < 262)] = 0
        depth = z.astype(np.float32)
        valid = depth > 0
        points = rays[valid] * depth[valid, None].astype(np.float64) @ R.T + t
        px, _ = cv2.projectPoints(points, np.zeros(3), np.zeros(3), Kc, Dc)
        px = px.reshape(-1, 2)
        col = np.floor(px[:, 0] + 0.5).astype(np.int64); row = np.floor(px[:, 1] + 0.5).astype(np.int64)
        inside = (points[:, 2] > 0) & (col >= 0) & (col < w) & (row >= 0) & (row < h)
        nearest = np.full(w * h, np.inf)
        np.minimum.at(nearest, row[inside] * w + col[inside], points[inside, 2])
        nearest[np.isinf(nearest)] = 0
        print(json.dumps({"depth": depth.tolist(), "registered": nearest.tolist()}))
        """
        return try PythonOracle.call(script, scene, as: Reference.self)
    }

    static func camera(_ K: [Double], _ D: [Double], width: Int, height: Int) throws -> CameraModel {
        try CameraModel(cameraName: "test", imageWidth: width, imageHeight: height, cameraMatrix: K,
                        distortionModel: D.count > 5 ? .rationalPolynomial : .plumbBob, distortion: D)
    }

    /// Two cameras at the same place, looking the same way.
    static func coincident(depth: CameraModel, colour: CameraModel) throws -> DepthRegistration {
        DepthRegistration(depthCamera: depth, depthToColour: try RigidTransform(translation: .zero, rotation: SIMD4(0, 0, 0, 1)),
                          colourCamera: colour)
    }

    /// The rotation vector as a unit quaternion (x, y, z, w).
    static func quaternion(_ rvec: [Double]) -> SIMD4<Double> {
        let angle = (rvec.map { $0 * $0 }.reduce(0, +)).squareRoot()
        let axis = SIMD3(rvec[0], rvec[1], rvec[2]) / angle
        let s = sin(angle / 2)
        return SIMD4(axis.x * s, axis.y * s, axis.z * s, cos(angle / 2))
    }

    @Test func registrationMatchesOpenCVWithDistortionAndBaseline() throws {
        guard Self.requireOpenCV() else { return }
        let scene = Self.scene
        let reference = try Self.opencvRegistration(scene)
        let registration = DepthRegistration(
            depthCamera: try Self.camera(scene.depthK, scene.depthD, width: scene.width, height: scene.height),
            depthToColour: try RigidTransform(translation: SIMD3(scene.t[0], scene.t[1], scene.t[2]),
                                              rotation: Self.quaternion(scene.rvec)),
            colourCamera: try Self.camera(scene.colourK, scene.colourD, width: scene.width, height: scene.height))
        #expect(registration.footprint == 1)
        let depth = DepthImage(width: scene.width, height: scene.height, metres: reference.depth, stampNs: 1234)
        let registered = try registration.register(depth)
        #expect(registered.width == scene.width && registered.height == scene.height && registered.stampNs == 1234)

        var both = 0, onlyReference = 0, onlySwift = 0, worst = 0.0
        for (ours, theirs) in zip(registered.metres, reference.registered) {
            switch (ours > 0, theirs > 0) {
            case (true, true):
                both += 1
                worst = max(worst, abs(Double(ours) - theirs))
            case (false, true): onlyReference += 1
            case (true, false): onlySwift += 1
            case (false, false): break
            }
        }
        // The scene fills most of the image, with holes from the stripe, the box's parallax
        // shadow and the borders.
        #expect(both > scene.width * scene.height / 2 && reference.registered.contains(0))
        #expect(worst < 0.001, "largest difference \(worst) m")
        #expect(onlyReference + onlySwift <= both / 1000, "only OpenCV: \(onlyReference), only Swift: \(onlySwift) of \(both)")
    }

    @Test func identityRegistrationIsExact() throws {
        let scene = Self.scene
        let camera = try Self.camera(scene.colourK, scene.colourD, width: scene.width, height: scene.height)
        let registration = try Self.coincident(depth: camera, colour: camera)
        let metres = (0..<scene.width * scene.height).map { index -> Float in
            index % 97 < 5 ? 0 : 0.4 + Float((index * 7919) % 3000) / 1000
        }
        let depth = DepthImage(width: scene.width, height: scene.height, metres: metres, stampNs: 99)
        #expect(try registration.register(depth) == depth)
    }

    /// A depth image at half the colour resolution: each reading fills a 2x2 square, so a
    /// wall facing both cameras leaves no holes.
    @Test func coarserDepthFillsItsFootprint() throws {
        let depthCamera = try Self.camera([150, 0, 79.5, 0, 150, 59.5, 0, 0, 1], [], width: 160, height: 120)
        let colourCamera = try Self.camera([300, 0, 159.5, 0, 300, 119.5, 0, 0, 1], [], width: 320, height: 240)
        let registration = try Self.coincident(depth: depthCamera, colour: colourCamera)
        #expect(registration.footprint == 2)
        let wall = DepthImage(width: 160, height: 120, metres: [Float](repeating: 0.8, count: 160 * 120), stampNs: 5)
        let registered = try registration.register(wall)
        #expect(registered.metres.allSatisfy { $0 == 0.8 })
    }

    @Test func depthOfAnotherSizeIsAClearError() throws {
        let scene = Self.scene
        let camera = try Self.camera(scene.depthK, scene.depthD, width: scene.width, height: scene.height)
        let registration = try Self.coincident(depth: camera, colour: camera)
        let error = #expect(throws: AffordError.self) {
            try registration.register(DepthImage(width: 640, height: 480, metres: [Float](repeating: 1, count: 640 * 480),
                                                 stampNs: 0))
        }
        #expect(error?.message.contains("depth image is 640x480 but the depth calibration is for 320x240") == true)
    }

    /// Focal lengths from a typo'd calibration (a depth fx of 6e-300) cap the footprint instead
    /// of trapping on the conversion to Int; sizes and matrices out of range are refused.
    @Test func extremeCalibrationsAreCappedOrRefused() throws {
        let depthCamera = try Self.camera([6e-300, 0, 1.5, 0, 6e-300, 1.5, 0, 0, 1], [], width: 4, height: 4)
        let colourCamera = try Self.camera([300, 0, 159.5, 0, 300, 119.5, 0, 0, 1], [], width: 32, height: 24)
        #expect(try Self.coincident(depth: depthCamera, colour: colourCamera).footprint == DepthRegistration.largestFootprint)
        #expect(throws: AffordError.self) { try Self.camera([300, 0, 1, 0, 300, 1, 0, 0, 1], [], width: 1 << 40, height: 480) }
        #expect(throws: AffordError.self) { try Self.camera([.infinity, 0, 1, 0, 300, 1, 0, 0, 1], [], width: 640, height: 480) }
        #expect(throws: AffordError.self) { try Self.camera([300, 0, .nan, 0, 300, 1, 0, 0, 1], [], width: 640, height: 480) }
    }
}

