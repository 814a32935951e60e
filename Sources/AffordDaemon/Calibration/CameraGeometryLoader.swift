import AffordCore
import AffordPostprocess

/// Turns a camera's configured calibration and extrinsics into centroid geometry.
public enum CameraGeometryLoader {
    public static func geometry(for camera: CameraConfig, table: Plane?) throws -> CentroidGeometry {
        let calibrationKey = "cameras[\(camera.name)].camera_info_url"
        let model = try AffordError.prefixing(calibrationKey) {
            try camera.cameraInfoPath.map { try CameraInfoLoader.load(path: $0) }
        }
        if let model {
            // The configured size is what the camera is asked for; a calibration for another size is wrong.
            try AffordError.prefixing(calibrationKey, code: .invalidConfig) {
                try model.checkMatches(width: camera.imageWidth, height: camera.imageHeight)
            }
        }
        let pose = try AffordError.prefixing("cameras[\(camera.name)].extrinsics") {
            try camera.extrinsics.map { try ExtrinsicsLoader.transform($0) }
        }
        return CentroidGeometry(camera: model, cameraToBase: pose, table: table)
    }
}
