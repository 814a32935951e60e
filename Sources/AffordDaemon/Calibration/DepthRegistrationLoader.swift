import AffordCore
import AffordPostprocess

/// Turns a camera's `depth.registration` (the depth camera's calibration and its pose in the
/// colour optical frame) into the `DepthRegistration` applied to each depth frame.
public enum DepthRegistrationLoader {
    /// `colour` is the camera's own calibration (`camera_info_url`): registration projects
    /// into it, so it is required.
    public static func load(_ config: DepthRegistrationConfig, camera: String, colour: CameraModel?) throws
        -> DepthRegistration
    {
        let field = "cameras[\(camera)].depth.registration"
        guard let colour else {
            throw AffordError(.invalidConfig, "\(field) maps depth into the colour image, so it needs the colour "
                + "camera's calibration: set cameras[\(camera)].camera_info_url")
        }
        let depthCamera = try AffordError.prefixing("\(field).camera_info_url") {
            try CameraInfoLoader.load(path: config.cameraInfoPath)
        }
        let depthToColour = try AffordError.prefixing("\(field).extrinsics") {
            try ExtrinsicsLoader.transform(config.depthToColour)
        }
        return DepthRegistration(depthCamera: depthCamera, depthToColour: depthToColour, colourCamera: colour)
    }
}
