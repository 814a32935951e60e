import AffordCore
import AffordPostprocess

/// Turns a camera's configured calibration and extrinsics into centroid geometry.
public enum CameraGeometryLoader {
    public static func geometry(for camera: CameraConfig, table: Plane?) throws -> CentroidGeometry {
        let model: CameraModel?
        do {
            model = try camera.cameraInfoPath.map { try CameraInfoLoader.load(path: $0) }
        } catch let error as AffordError {
            throw AffordError(error.code, "cameras[\(camera.name)].camera_info_url: \(error.message)")
        }
        if let model {
            // The configured size is what the camera is asked for; a calibration for another size is wrong.
            do {
                try model.checkMatches(width: camera.imageWidth, height: camera.imageHeight)
            } catch let error as AffordError {
                throw AffordError(.invalidConfig, "cameras[\(camera.name)].camera_info_url: \(error.message)")
            }
        }
        let pose: RigidTransform?
        do {
            pose = try camera.extrinsics.map { try ExtrinsicsLoader.transform($0) }
        } catch let error as AffordError {
            throw AffordError(error.code, "cameras[\(camera.name)].extrinsics: \(error.message)")
        }
        return CentroidGeometry(camera: model, cameraToBase: pose, table: table)
    }
}
