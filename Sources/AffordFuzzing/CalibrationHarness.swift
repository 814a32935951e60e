import AffordDaemon
import AffordPostprocess

/// The same text as a camera-info file (ROS or OpenCV) and as an extrinsics file; a model
/// that loads is used as the pipeline uses it: size check, then rays through corners and centre.
enum CalibrationHarness {
    static func run(_ input: [UInt8]) {
        guard let text = String(validating: input, as: UTF8.self) else { return }
        if let model = try? CameraInfoLoader.parse(text, source: "fuzz") {
            _ = try? model.checkMatches(width: 640, height: 480)
            let width = Double(model.imageWidth), height = Double(model.imageHeight)
            for (u, v) in [(0, 0), (width / 2, height / 2), (width - 1, height - 1)] {
                _ = model.ray(u: u, v: v)
            }
        }
        _ = ScratchFile.with(input, suffix: ".yaml") { path in
            try? ExtrinsicsLoader.load(path: path).apply(SIMD3(0.1, 0.2, 0.3))
        }
    }
}
