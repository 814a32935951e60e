@testable import AffordCore
import AffordTestSupport
import Foundation
import Testing
@testable import AffordPostprocess

/// Depth points, normals and depth grasps against OpenCV: a tilted board seen through a
/// distorted lens, its depth made in Python from `cv2.undistortPoints`, a heatmap blob on it.
@Suite struct ComponentDepthTests {
    /// The board, base frame: `normal · p = offset`.
    static let boardNormal = SIMD3<Double>(0.15, -0.1, 1) / (SIMD3<Double>(0.15, -0.1, 1) * SIMD3<Double>(0.15, -0.1, 1)).sum().squareRoot()
    static let boardOffset = 0.05

    struct DepthRequest: Encodable {
        var K: [Double], D: [Double], rotation: [Double], translation: [Double], normal: [Double], offset: Double
        var width: Int, height: Int
    }

    /// Z along the optical axis where each pixel's ray meets the board; base64 float32, row-major.
    static let boardDepth = TableGraspTests.pythonCameraAndPose + """
    w, h = d["width"], d["height"]; n = np.array(d["normal"])
    u, v = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 200, 1e-14)
    und = cv2.undistortPoints(np.stack([u.ravel(), v.ravel()], 1).reshape(-1, 1, 2), K, D, None, None, None, crit).reshape(-1, 2)
    rays = np.column_stack([und, np.ones(len(und))])        # z = 1 in the camera frame
    n_cam = R.T @ n; d_cam = d["offset"] - n @ t            # the board in the camera frame
    depth = (d_cam / (rays @ n_cam)).astype(np.float32)
    depth[depth <= 0] = 0
    print(json.dumps({"depth": base64.b64encode(depth.tobytes()).decode()}))
    """

    struct Check: Encodable {
        var K: [Double], D: [Double], rotation: [Double], translation: [Double]
        var points: [[Double]]
    }

    static let project = TableGraspTests.pythonCameraAndPose + """
    rvec, _ = cv2.Rodrigues(R.T)
    px, _ = cv2.projectPoints(np.array(d["points"], np.float64).reshape(-1, 3), rvec, -R.T @ t, K, D)
    print(json.dumps(px.reshape(-1, 2).tolist()))
    """

    static func board() throws -> (geometry: CentroidGeometry, depth: DepthImage) {
        let geometry = try TableGraspTests.tilted()
        let pose = try #require(geometry.cameraToBase)
        let request = DepthRequest(K: TableGraspTests.K, D: TableGraspTests.D, rotation: Self.quaternion(pose),
                                   translation: Self.array(pose.translation), normal: Self.array(boardNormal),
                                   offset: boardOffset, width: 640, height: 480)
        struct Answer: Decodable { var depth: String }
        let answer = try PythonOracle.call(boardDepth, request, as: Answer.self)
        let bytes = try #require(Data(base64Encoded: answer.depth))
        let metres = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return (geometry, DepthImage(width: 640, height: 480, metres: metres, stampNs: 1))
    }

    static func array(_ v: SIMD3<Double>) -> [Double] { [v.x, v.y, v.z] }
    static func quaternion(_ pose: RigidTransform) -> [Double] { [pose.rotation.x, pose.rotation.y, pose.rotation.z, pose.rotation.w] }

    /// An elongated Gaussian blob at (cx, cy), turned by `angle`, on a 640×480 map.
    static func blob(cx: Double, cy: Double, angle: Double) -> Heatmap {
        var map = Heatmap(width: 640, height: 480)
        for y in 0..<480 {
            for x in 0..<640 {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let along = dx * cos(angle) + dy * sin(angle), across = -dx * sin(angle) + dy * cos(angle)
                map.values[y * 640 + x] = Float(exp(-(along * along) / (2 * 40 * 40) - (across * across) / (2 * 8 * 8)))
            }
        }
        return map
    }

    static func located(_ map: Heatmap, depth: DepthImage, geometry: CentroidGeometry) -> [AffordanceComponent] {
        let post = HeatmapPostprocessor(settings: PostprocessSettings(relativeThreshold: 0.3, minPresence: 0))
        let (result, pixels) = post.processed(ActionMap(action: "hold", map: map), frameWidth: 640, frameHeight: 480,
                                              collectPixels: true)
        return geometry.locate(result.components, depth: DepthEvidence(
            depth: depth, pixels: pixels, gridWidth: map.width, gridHeight: map.height, frameWidth: 640, frameHeight: 480))
    }

    @Test func pointsLieOnTheBoardAndProjectOntoTheCentroid() throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        let (geometry, depth) = try Self.board()
        let pose = try #require(geometry.cameraToBase)
        var points: [[Double]] = [], centroids: [SIMD2<Double>] = []
        for (cx, cy, angle) in [(320.0, 240.0, 0.3), (150, 120, -1.1), (480, 360, 1.5)] {
            let component = try #require(Self.located(Self.blob(cx: cx, cy: cy, angle: angle), depth: depth, geometry: geometry).first)
            let measured = try #require(component.depth)
            #expect(measured.validFraction == 1)
            let point = try #require(measured.pointBase)
            // On the board: the median depth of a plane is the depth at its median pixel, a
            // fraction of a millimetre from the centroid's own on this gentle tilt.
            #expect(abs((Self.boardNormal * point).sum() - Self.boardOffset) < 1e-3, "point \(point) is off the board")
            let normal = try #require(measured.normalBase)
            #expect((normal * Self.boardNormal).sum() > cos(0.5 * .pi / 180), "normal \(normal) vs \(Self.boardNormal)")
            // The normal faces the camera.
            #expect((normal * (pose.translation - point)).sum() > 0)
            let grasp = try #require(component.grasp), frame = try #require(grasp.frame)
            #expect(grasp.source == .depth && grasp.position == point && frame.position == point)
            let (x, y, z) = Self.axes(frame.orientation)
            #expect((z * normal).sum() < -0.9999, "approach \(z) is not against the normal \(normal)")
            let handedness: SIMD3<Double> = cross(x, y) - z
            #expect(abs((x * y).sum()) < 1e-9 && (handedness * handedness).sum() < 1e-12)
            points.append(Self.array(point))
            centroids.append(SIMD2(component.u, component.v))
            // Along the part: x lies in the board along the blob's 80 px, the fingers close across it.
            #expect(grasp.lengthM > 3 * grasp.widthM, "length \(grasp.lengthM) m, width \(grasp.widthM) m")
            let end = point + 0.05 * x
            points.append(Self.array(end))
        }
        let pixels = try PythonOracle.call(Self.project, Check(K: TableGraspTests.K, D: TableGraspTests.D,
                                                               rotation: Self.quaternion(pose),
                                                               translation: Self.array(pose.translation), points: points),
                                           as: [[Double]].self)
        for (index, centroid) in centroids.enumerated() {
            let theirs = SIMD2(pixels[2 * index][0], pixels[2 * index][1])
            #expect(((theirs - centroid) * (theirs - centroid)).sum().squareRoot() < 0.5,
                    "cv2 projects the depth point to \(theirs), the centroid is \(centroid)")
        }
    }

    @Test func holesAndAnOccluderLeaveTheMedianOnTheBoard() throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        var (geometry, depth) = try Self.board()
        var random = SeededGenerator(seed: 7)
        for index in depth.metres.indices {
            let draw = Double.random(in: 0..<1, using: &random)
            if draw < 0.3 { depth.metres[index] = 0 }                                     // no reading
            else if draw < 0.38 { depth.metres[index] *= 0.7 }                            // a nearer object
            else if draw < 0.40 { depth.metres[index] = .nan }                            // what 32FC1 sends
        }
        let component = try #require(Self.located(Self.blob(cx: 320, cy: 240, angle: 0.3), depth: depth, geometry: geometry).first)
        let measured = try #require(component.depth)
        #expect(abs(measured.validFraction - 0.68) < 0.03, "valid fraction \(measured.validFraction)")
        let point = try #require(measured.pointBase)
        #expect(abs((Self.boardNormal * point).sum() - Self.boardOffset) < 5e-3, "point \(point) is off the board")
        let normal = try #require(measured.normalBase)
        #expect((normal * Self.boardNormal).sum() > cos(3 * .pi / 180), "normal \(normal)")
        geometry.cameraToBase = nil
        let unposed = try #require(Self.located(Self.blob(cx: 320, cy: 240, angle: 0.3), depth: depth, geometry: geometry).first)
        #expect(unposed.depth?.pointCamera != nil && unposed.depth?.pointBase == nil && unposed.grasp == nil)
    }

    @Test func tooFewReadingsGiveTheFractionAndNoPoint() throws {
        let geometry = try TableGraspTests.tilted()
        let empty = DepthImage(width: 320, height: 240, metres: [Float](repeating: 0, count: 320 * 240), stampNs: 1)
        let component = try #require(Self.located(Self.blob(cx: 320, cy: 240, angle: 0), depth: empty, geometry: geometry).first)
        #expect(component.depth == ComponentDepth(validFraction: 0))
        // Without depth, the table-plane grasp is what the component gets.
        #expect(component.grasp?.source == .tablePlane && component.grasp?.frame == nil)
    }

    /// A depth image at half the frame's resolution is sampled at the matching pixels.
    @Test func aSmallerDepthImageIsSampledAtTheSamePlaces() throws {
        let geometry = try TableGraspTests.tilted()
        var values = [Float](repeating: 0, count: 320 * 240)
        for y in 0..<240 { for x in 0..<320 { values[y * 320 + x] = x < 160 ? 0.5 : 0.9 } }
        let half = DepthImage(width: 320, height: 240, metres: values, stampNs: 1)
        let left = try #require(Self.located(Self.blob(cx: 200, cy: 240, angle: 1.5), depth: half, geometry: geometry).first)
        let right = try #require(Self.located(Self.blob(cx: 440, cy: 240, angle: 1.5), depth: half, geometry: geometry).first)
        #expect(abs((left.depth?.pointCamera?.z ?? 0) - 0.5) < 1e-6 && abs((right.depth?.pointCamera?.z ?? 0) - 0.9) < 1e-6)
    }

    @Test func planeFitMatchesNumpysEigenvectors() throws {
        guard PythonOracle.has("numpy") else {
            Issue.record("numpy is not installed; run make setup")
            return
        }
        var random = SeededGenerator(seed: 11)
        var points: [SIMD3<Double>] = []
        for _ in 0..<200 {
            let a = Double.random(in: -0.1...0.1, using: &random), b = Double.random(in: -0.03...0.03, using: &random)
            let noise = Double.random(in: -0.002...0.002, using: &random)
            points.append(SIMD3(0.3, 0.1, 0.8) + a * SIMD3(0.8, 0.6, 0) + b * SIMD3(-0.36, 0.48, 0.8) + noise * SIMD3(0.48, -0.64, 0.6))
        }
        let ours = try #require(PlaneFit.normal(of: points))
        let script = """
        import json, sys, numpy as np
        p = np.array(json.load(sys.stdin)); c = np.cov((p - p.mean(0)).T, bias=True)
        values, vectors = np.linalg.eigh(c)
        print(json.dumps(vectors[:, 0].tolist()))
        """
        let theirs = try PythonOracle.call(script, points.map(Self.array), as: [Double].self)
        #expect(abs(abs((ours * SIMD3(theirs[0], theirs[1], theirs[2])).sum()) - 1) < 1e-9, "\(ours) vs \(theirs)")
        #expect(PlaneFit.normal(of: (0..<10).map { SIMD3(Double($0), 2 * Double($0), 0) }) == nil, "a line spans no plane")
    }

    @Test func quaternionsRoundTripRotationMatrices() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<100 {
            var q = SIMD4((0..<4).map { _ in Double.random(in: -1...1, using: &random) })
            q /= (q * q).sum().squareRoot()
            let (x, y, z) = Self.axes(q)
            let back = CentroidGeometry.quaternion(x: x, y: y, z: z)
            #expect(abs(abs((back * q).sum()) - 1) < 1e-12 && back.w >= 0)
        }
    }

    /// The columns of a quaternion's rotation matrix.
    static func axes(_ q: SIMD4<Double>) -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        let (x, y, z, w) = (q.x, q.y, q.z, q.w)
        return (SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w)),
                SIMD3(2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w)),
                SIMD3(2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y)))
    }
}
