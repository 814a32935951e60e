import AffordCore
@testable import AffordPostprocess
import AffordTestSupport
import Foundation
import Testing
@testable import AffordDaemon

@Suite struct CalibrationLoaderTests {
    static func calibration(_ name: String) -> String {
        Fixtures.repositoryRoot.appendingPathComponent("Calibration/\(name)").path
    }

    @Test func rosCameraInfoLoads() throws {
        let model = try CameraInfoLoader.load(path: "file://" + Self.calibration("webcam_640x480.yaml"))
        #expect(model.imageWidth == 640 && model.imageHeight == 480 && model.cameraName == "front")
        #expect(model.distortionModel == .plumbBob)
        #expect(model.fx == 615.2 && model.cy == 238.9)
        #expect(model.coefficients == [0.1123, -0.2441, 0.0012, -0.0009, 0.1017, 0, 0, 0])
        #expect(throws: AffordError.self) { try model.checkMatches(width: 1280, height: 720) }
    }

    /// OpenCV reads the same FileStorage file and projects points; our rays must recover their directions.
    @Test func openCVFileStorageMatchesCv2() throws {
        let path = Self.calibration("webcam_640x480_opencv.yml")
        let model = try CameraInfoLoader.load(path: path)
        #expect(model.distortionModel == .rationalPolynomial)
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        let script = """
        import json, sys, numpy as np, cv2
        fs = cv2.FileStorage(json.load(sys.stdin), cv2.FILE_STORAGE_READ)
        K, D = fs.getNode("camera_matrix").mat(), fs.getNode("distortion_coefficients").mat()
        rng = np.random.default_rng(3)
        pts = np.column_stack([rng.uniform(-0.6, 0.6, 100), rng.uniform(-0.45, 0.45, 100), np.ones(100)])
        px, _ = cv2.projectPoints(pts, np.zeros(3), np.zeros(3), K, D)
        print(json.dumps({"points": pts.tolist(), "pixels": px.reshape(-1, 2).tolist()}))
        """
        struct Answer: Decodable { var points: [[Double]]; var pixels: [[Double]] }
        let answer = try PythonOracle.call(script, path, as: Answer.self)
        for (point, pixel) in zip(answer.points, answer.pixels) {
            let truth = SIMD3(point[0], point[1], point[2])
            let ray = model.ray(u: pixel[0], v: pixel[1])
            let error = ray - truth / (truth * truth).sum().squareRoot()
            #expect((error * error).sum().squareRoot() < 1e-7)
        }
    }

    @Test func extrinsicsFilePointsTheCameraAtTheTable() throws {
        let pose = try ExtrinsicsLoader.load(path: Self.calibration("front_extrinsics.yaml"))
        let forward = pose.rotate(SIMD3(0, 0, 1))
        #expect(abs(forward.x - 0.5.squareRoot()) < 1e-6 && abs(forward.z + 0.5.squareRoot()) < 1e-6)
        // The optical axis from 0.6 m up at 45 degrees meets the table 0.6 m further out.
        let table = try Plane(normal: SIMD3(0, 0, 1), offset: 0)
        let hit = try #require(table.intersect(origin: pose.translation, direction: forward))
        #expect(abs(hit.x - 1.05) < 1e-5 && abs(hit.y) < 1e-6)
    }

    @Test func malformedCalibrationsAreClearErrors() {
        #expect(throws: AffordError.self) {
            _ = try CameraInfoLoader.parse("image_width: 640\nimage_height: 480\ncamera_matrix: {rows: 3, cols: 3, data: [1, 2]}")
        }
        #expect(throws: AffordError.self) {
            _ = try CameraInfoLoader.parse("""
            image_width: 640
            image_height: 480
            camera_matrix: {rows: 3, cols: 3, data: [500, 0, 320, 0, 500, 240, 0, 0, 1]}
            distortion_model: rational_polynomial
            distortion_coefficients: {rows: 1, cols: 5, data: [0, 0, 0, 0, 0, 0, 0, 0, 0]}
            """)
        }
        #expect(throws: AffordError.self) { _ = try CameraInfoLoader.load(path: "/nonexistent.yaml") }
    }

    /// `depth.registration`: the depth camera's calibration and pose, into the camera's own
    /// calibration, which it needs; errors name the key.
    @Test func depthRegistrationLoadsAndNamesItsKeys() throws {
        let colour = try CameraInfoLoader.load(path: Self.calibration("webcam_640x480.yaml"))
        let config = DepthRegistrationConfig(cameraInfoPath: Self.calibration("webcam_640x480.yaml"),
                                             depthToColour: .inline(translation: SIMD3(0.015, 0, 0), rotation: SIMD4(0, 0, 0, 1)))
        let registration = try DepthRegistrationLoader.load(config, camera: "front", colour: colour)
        #expect(registration.depthWidth == 640 && registration.colourWidth == 640)
        // A plane 1 m ahead, seen from 15 mm to the left, stays 1 m ahead in the colour camera.
        let flat = DepthImage(width: 640, height: 480, metres: [Float](repeating: 1, count: 640 * 480), stampNs: 7)
        let registered = try registration.register(flat)
        #expect(registered.stampNs == 7 && registered.metres[240 * 640 + 320] == 1)
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch let error as AffordError { return error.message } catch { return "\(error)" }
            return ""
        }
        #expect(message { _ = try DepthRegistrationLoader.load(config, camera: "front", colour: nil) }
            .contains("set cameras[front].camera_info_url"))
        var missing = config
        missing.cameraInfoPath = "/nonexistent/depth.yaml"
        #expect(message { _ = try DepthRegistrationLoader.load(missing, camera: "front", colour: colour) }
            .hasPrefix("cameras[front].depth.registration.camera_info_url:"))
        var unnormalised = config
        unnormalised.depthToColour = .inline(translation: SIMD3(0, 0, 0), rotation: SIMD4(0, 0, 0, 2))
        #expect(message { _ = try DepthRegistrationLoader.load(unnormalised, camera: "front", colour: colour) }
            .hasPrefix("cameras[front].depth.registration.extrinsics:"))
    }
}
