@testable import AffordCore
import AffordTestSupport
import Foundation
import Testing
@testable import AffordPostprocess

/// The table-plane grasp against OpenCV: `cv2.projectPoints` of the grasp lands on the
/// centroid, and OpenCV's own undistortion of the axes' end points gives the same extent and yaw.
@Suite struct TableGraspTests {
    static let K = [612.3, 0, 318.7, 0, 610.9, 243.2, 0, 0, 1]
    static let D = [-0.28, 0.09, 0.0012, -0.0007, -0.012]

    /// Hamilton product of (x, y, z, w) quaternions: `a` after `b`.
    static func compose(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4(a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
              a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
              a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
              a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z)
    }

    static func about(_ axis: SIMD3<Double>, _ angle: Double) -> SIMD4<Double> {
        SIMD4(axis.x * sin(angle / 2), axis.y * sin(angle / 2), axis.z * sin(angle / 2), cos(angle / 2))
    }

    /// Optical z pointing down at the table (a half turn about x), then tilted and turned.
    static let lookingDown = SIMD4<Double>(1, 0, 0, 0)

    static func geometry(distortion: [Double] = D, rotation: SIMD4<Double>, translation: SIMD3<Double>,
                         table: Plane?) throws -> CentroidGeometry {
        let camera = try CameraModel(cameraName: "test", imageWidth: 640, imageHeight: 480, cameraMatrix: K,
                                     distortionModel: .plumbBob, distortion: distortion)
        return CentroidGeometry(camera: camera, cameraToBase: try RigidTransform(translation: translation, rotation: rotation),
                                table: table)
    }

    static func tilted() throws -> CentroidGeometry {
        let rotation = compose(about(SIMD3(0, 0, 1), 0.4), compose(about(SIMD3(1, 0, 0), 0.35), lookingDown))
        return try geometry(rotation: rotation, translation: SIMD3(0.4, -0.1, 0.8),
                            table: try Plane(normal: SIMD3(0, 0, 1), offset: 0.02))
    }

    static let shapes: [(u: Double, v: Double, shape: ComponentShape)] = [
        (320, 240, ComponentShape(varianceU: 100, varianceV: 16, covarianceUV: 20)),
        (120, 90, ComponentShape(varianceU: 30, varianceV: 400, covarianceUV: -60)),
        (520, 400, ComponentShape(varianceU: 250, varianceV: 250, covarianceUV: 240)),
        (450, 120, ComponentShape(varianceU: 900, varianceV: 4, covarianceUV: 0)),
        (200, 380, ComponentShape(varianceU: 49, varianceV: 49, covarianceUV: 0)),
    ]

    struct Request: Encodable {
        struct Component: Encodable {
            var u: Double, v: Double, axis: [Double], length_px: Double, width_px: Double
            var position: [Double], yaw: Double, length_m: Double, width_m: Double
        }
        var K: [Double], D: [Double], rotation: [Double], translation: [Double], normal: [Double], offset: Double
        var components: [Component]
    }

    struct Answer: Decodable {
        var pixel_error: Double, length_m: Double, width_m: Double, yaw: Double
        var off_axis_px: [Double], separation_px: Double
    }

    /// Python that reads the request (`d`), the camera (`K`, `D`) and its pose (`R`, `t`) from stdin.
    static let pythonCameraAndPose = """
    import json, sys, base64, numpy as np, cv2
    d = json.load(sys.stdin)
    K = np.array(d["K"]).reshape(3, 3); D = np.array(d["D"])
    qx, qy, qz, qw = d["rotation"]
    R = np.array([[1 - 2*(qy*qy + qz*qz), 2*(qx*qy - qz*qw), 2*(qx*qz + qy*qw)],
                  [2*(qx*qy + qz*qw), 1 - 2*(qx*qx + qz*qz), 2*(qy*qz - qx*qw)],
                  [2*(qx*qz - qy*qw), 2*(qy*qz + qx*qw), 1 - 2*(qx*qx + qy*qy)]])
    t = np.array(d["translation"])

    """

    static let opencv = pythonCameraAndPose + """
    n = np.array(d["normal"]); off = d["offset"]
    rvec, _ = cv2.Rodrigues(R.T)
    tvec = -R.T @ t
    def project(points):
        px, _ = cv2.projectPoints(np.array(points, np.float64).reshape(-1, 3), rvec, tvec, K, D)
        return px.reshape(-1, 2)
    crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 200, 1e-14)
    def on_table(pixels):
        und = cv2.undistortPoints(np.array(pixels, np.float64).reshape(-1, 1, 2), K, D, None, None, None, crit)
        rays = np.column_stack([und.reshape(-1, 2), np.ones(len(pixels))]) @ R.T
        return t + ((off - n @ t) / (rays @ n))[:, None] * rays
    ex = np.array([1.0, 0, 0]) - n[0] * n; ex /= np.linalg.norm(ex); ey = np.cross(n, ex)
    out = []
    for c in d["components"]:
        centre = np.array([c["u"], c["v"]]); axis = np.array(c["axis"]); minor = np.array([-axis[1], axis[0]])
        a0, a1, b0, b1 = on_table([centre - c["length_px"] / 2 * axis, centre + c["length_px"] / 2 * axis,
                                   centre - c["width_px"] / 2 * minor, centre + c["width_px"] / 2 * minor])
        yaw = np.arctan2((a1 - a0) @ ey, (a1 - a0) @ ex)
        p = np.array(c["position"])
        along = np.cos(c["yaw"]) * ex + np.sin(c["yaw"]) * ey
        ends = project([p - c["length_m"] / 2 * along, p + c["length_m"] / 2 * along])
        off_axis = [float(abs((e - centre) @ minor)) for e in ends]
        out.append({"pixel_error": float(np.linalg.norm(project([p])[0] - centre)),
                    "length_m": float(np.linalg.norm(a1 - a0)), "width_m": float(np.linalg.norm(b1 - b0)),
                    "yaw": float(yaw), "off_axis_px": off_axis,
                    "separation_px": float(np.linalg.norm(ends[1] - ends[0]))})
    print(json.dumps(out))
    """

    /// The difference of two axis angles, a half turn being no difference.
    static func axisAngleDifference(_ a: Double, _ b: Double) -> Double {
        let d = (a - b).truncatingRemainder(dividingBy: .pi)
        return min(abs(d), .pi - abs(d))
    }

    @Test func graspsMatchOpenCVProjection() throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        let geometry = try Self.tilted()
        let located = geometry.locate(Self.shapes.map {
            AffordanceComponent(u: $0.u, v: $0.v, area: 100, peak: 1, mean: 0.5, shape: $0.shape)
        })
        var components: [Request.Component] = []
        for component in located {
            let shape = try #require(component.shape), grasp = try #require(component.grasp)
            #expect(grasp.position == component.tablePoint)
            #expect(grasp.yaw > -.pi / 2 && grasp.yaw <= .pi / 2)
            components.append(.init(u: component.u, v: component.v, axis: [shape.axis.x, shape.axis.y],
                                    length_px: shape.lengthPx, width_px: shape.widthPx,
                                    position: [grasp.position.x, grasp.position.y, grasp.position.z],
                                    yaw: grasp.yaw, length_m: grasp.lengthM, width_m: grasp.widthM))
        }
        let pose = try #require(geometry.cameraToBase), table = try #require(geometry.table)
        let request = Request(K: Self.K, D: Self.D, rotation: [pose.rotation.x, pose.rotation.y, pose.rotation.z, pose.rotation.w],
                              translation: [pose.translation.x, pose.translation.y, pose.translation.z],
                              normal: [table.normal.x, table.normal.y, table.normal.z], offset: table.offset,
                              components: components)
        let answers = try PythonOracle.call(Self.opencv, request, as: [Answer].self)
        #expect(answers.count == components.count)
        for (ours, theirs) in zip(components, answers) {
            #expect(theirs.pixel_error < 1e-3, "grasp projects \(theirs.pixel_error) px from the centroid")
            #expect(abs(ours.length_m - theirs.length_m) < 1e-7 && abs(ours.width_m - theirs.width_m) < 1e-7,
                    "length \(ours.length_m) vs \(theirs.length_m), width \(ours.width_m) vs \(theirs.width_m)")
            #expect(Self.axisAngleDifference(ours.yaw, theirs.yaw) < 1e-7, "yaw \(ours.yaw) vs \(theirs.yaw)")
            // The grasp's axis, drawn on the table and projected, lies along the image axis.
            #expect(theirs.off_axis_px.allSatisfy { $0 < 1 }, "axis ends \(theirs.off_axis_px) px off the image axis")
            #expect(abs(theirs.separation_px - ours.length_px) < 0.05 * ours.length_px,
                    "projected length \(theirs.separation_px) px vs \(ours.length_px) px")
            #expect(ours.length_m > ours.width_m || ours.length_px == ours.width_px)
        }
    }

    @Test func aSinglePixelGetsAPointGraspWithAYaw() throws {
        let geometry = try Self.tilted()
        let single = AffordanceComponent(u: 300, v: 200, area: 1, peak: 1, mean: 1,
                                         shape: ComponentShape(varianceU: 0, varianceV: 0, covarianceUV: 0))
        let grasp = try #require(geometry.locate([single]).first?.grasp)
        #expect(grasp.lengthM == 0 && grasp.widthM == 0 && grasp.isFinite)
        // The image x axis [1, 0] on this table.
        let end = try #require(geometry.tablePoint(u: 300.5, v: 200)), start = try #require(geometry.tablePoint(u: 299.5, v: 200))
        #expect(abs(grasp.yaw - atan2(end.y - start.y, end.x - start.x)) < 1e-9)
    }

    @Test func noGraspWithoutItsInputs() throws {
        let component = AffordanceComponent(u: 320, v: 240, area: 50, peak: 1, mean: 0.5,
                                            shape: ComponentShape(varianceU: 100, varianceV: 16, covarianceUV: 20))
        var geometry = try Self.tilted()
        #expect(geometry.locate([AffordanceComponent(u: 320, v: 240, area: 50, peak: 1, mean: 0.5)]).first?.grasp == nil)
        geometry.table = nil
        #expect(geometry.locate([component]).first?.grasp == nil)
        geometry.cameraToBase = nil
        #expect(geometry.locate([component]).first?.grasp == nil)
        #expect(CentroidGeometry(camera: nil).locate([component]).first?.grasp == nil)
    }

    /// A camera looking level along base x: rows above the principal point see no table.
    @Test func anAxisEndBeyondTheHorizonGivesNoGrasp() throws {
        // Optical z -> base x, optical x -> base -y, optical y -> base -z.
        let level = SIMD4<Double>(-0.5, 0.5, -0.5, 0.5)
        let geometry = try Self.geometry(distortion: [], rotation: level, translation: SIMD3(0, 0, 0.5),
                                         table: try Plane(normal: SIMD3(0, 0, 1), offset: 0))
        let below = 243.2 + 20
        let short = AffordanceComponent(u: 318.7, v: below, area: 50, peak: 1, mean: 0.5,
                                        shape: ComponentShape(varianceU: 1, varianceV: 25, covarianceUV: 0))
        let long = AffordanceComponent(u: 318.7, v: below, area: 50, peak: 1, mean: 0.5,
                                       shape: ComponentShape(varianceU: 1, varianceV: 625, covarianceUV: 0))
        let located = geometry.locate([short, long])
        #expect(located[0].tablePoint != nil && located[0].grasp != nil)
        // Length 100 px: its upper end, 30 px above the principal point, looks over the horizon.
        #expect(located[1].tablePoint != nil && located[1].grasp == nil)
        // Seen level from behind, a part running away from the camera runs along base x: yaw 0.
        #expect(abs(try #require(located[0].grasp).yaw) < 1e-9)
    }

    @Test func yawTurnsAboutTheNormalAndFoldsHalfTurns() throws {
        let tilted = try Plane(normal: SIMD3(0.2, -0.3, 1), offset: 0)
        let axes = tilted.yawAxes
        #expect(abs((axes.x * tilted.normal).sum()) < 1e-12 && abs((axes.y * tilted.normal).sum()) < 1e-12)
        #expect(abs(tilted.yaw(of: axes.x)) < 1e-12 && abs(tilted.yaw(of: -axes.x)) < 1e-12)
        #expect(abs(tilted.yaw(of: axes.y) - .pi / 2) < 1e-12 && abs(tilted.yaw(of: -axes.y) - .pi / 2) < 1e-12)
        #expect(abs(tilted.yaw(of: axes.x + axes.y) - .pi / 4) < 1e-12)
        #expect(abs(tilted.yaw(of: -axes.x + axes.y) + .pi / 4) < 1e-12)
        // Counter-clockwise seen from the normal's side: on the z = 0 table, base y is +90°.
        let flat = try Plane(normal: SIMD3(0, 0, 1), offset: 0)
        #expect(abs(flat.yaw(of: SIMD3(0, 1, 0)) - .pi / 2) < 1e-12 && abs(flat.yaw(of: SIMD3(1, 1, 5)) - .pi / 4) < 1e-12)
        // A wall perpendicular to base x measures from base y.
        let wall = try Plane(normal: SIMD3(1, 0, 0), offset: 1)
        #expect(abs(wall.yaw(of: SIMD3(0, 1, 0))) < 1e-12 && abs(wall.yaw(of: SIMD3(0, 0, 1)) - .pi / 2) < 1e-12)
    }
}
