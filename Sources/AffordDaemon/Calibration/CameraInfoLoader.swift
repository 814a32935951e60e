import AffordCore
import AffordPostprocess
import Foundation

/// Reads ROS `camera_info` YAML (camera_calibration_parsers keys) and OpenCV FileStorage YAML.
public enum CameraInfoLoader {
    /// Loads a calibration file; `path` may be a `file://` URL.
    static func load(path: String) throws -> CameraModel {
        let plain = path.hasPrefix("file://") ? String(path.dropFirst("file://".count)) : path
        let text = try YAMLField.readText(plain, what: "calibration")
        return try AffordError.prefixing("calibration \(plain)") { try parse(text, source: plain) }
    }

    /// Parses either format; OpenCV files are recognised by their `%YAML:1.0` line.
    public static func parse(_ text: String, source: String = "calibration") throws -> CameraModel {
        // OpenCV writes a YAML 1.0 directive libyaml rejects; the rest is plain YAML with local tags.
        let isOpenCV = text.hasPrefix("%YAML:1.0") || text.contains("!!opencv-matrix")
        let body = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("%YAML") }
            .joined(separator: "\n")
        let fields = try YAMLField.document(body, source: source).fields()
        let width = try fields.required("image_width", in: YAMLField(nil, path: "")).int(in: ConfigLoader.Limits.imageSide)
        let height = try fields.required("image_height", in: YAMLField(nil, path: "")).int(in: ConfigLoader.Limits.imageSide)
        let matrixField = try fields["camera_matrix"] ?? fields["K"]
            ?? { throw AffordError(.invalidConfig, "camera_matrix: required key is missing") }()
        let cameraMatrix = try matrix(matrixField, rows: 3, cols: 3)
        let distortionField = fields["distortion_coefficients"] ?? fields["D"]
        let distortion = try distortionField.map { try vector($0) } ?? []
        let model: DistortionModel
        if let named = fields.optional("distortion_model") {
            model = try DistortionModel(rawValue: named.choice(DistortionModel.allCases.map(\.rawValue))) ?? .plumbBob
        } else {
            // OpenCV files carry no model name: the coefficient count decides.
            model = distortion.count > 5 ? .rationalPolynomial : .plumbBob
        }
        guard [0, 4, model.coefficientCount].contains(distortion.count) || (isOpenCV && distortion.count <= model.coefficientCount) else {
            throw AffordError(.invalidConfig,
                "distortion_coefficients: \(model.rawValue) takes \(model.coefficientCount) coefficients, got \(distortion.count)")
        }
        return try CameraModel(
            cameraName: fields.optional("camera_name").flatMap { try? $0.string() } ?? "camera",
            imageWidth: width, imageHeight: height, cameraMatrix: cameraMatrix,
            distortionModel: model, distortion: distortion)
    }

    /// `{rows, cols, data}` (ROS) or `!!opencv-matrix {rows, cols, dt, data}`.
    static func matrix(_ field: YAMLField, rows: Int, cols: Int) throws -> [Double] {
        let values = try vector(field)
        guard values.count == rows * cols else {
            throw field.fail("expected a \(rows)x\(cols) matrix, got \(values.count) values")
        }
        return values
    }

    /// The `data` of a matrix mapping, or a bare list.
    static func vector(_ field: YAMLField) throws -> [Double] {
        if case .sequence? = field.node { return try field.list().map { try $0.double() } }
        let f = try field.fields()
        let data = try f.required("data", in: field).list().map { try $0.double() }
        if let rows = f.optional("rows"), let cols = f.optional("cols") {
            // Bounded first: a huge rows x cols would overflow the product.
            let expected = try rows.int(in: 1...64) * cols.int(in: 1...64)
            guard expected == data.count else {
                throw field.fail("rows x cols is \(expected) but data has \(data.count) values")
            }
        }
        return data
    }
}
