import AffordCore
import AffordPostprocess
import Foundation

/// Reads camera -> base extrinsics: `translation: [x, y, z]` and `rotation: [x, y, z, w]` (unit quaternion).
public enum ExtrinsicsLoader {
    /// Loads an extrinsics YAML file.
    public static func load(path: String) throws -> RigidTransform {
        let text = try YAMLField.readText(path, what: "extrinsics")
        return try AffordError.prefixing("extrinsics \(path)") { try pose(YAMLField.document(text, source: path)) }
    }

    /// Resolves a configured source to a transform.
    public static func transform(_ source: ExtrinsicsSource) throws -> RigidTransform {
        switch source {
        case .file(let path): return try load(path: path)
        case .inline(let translation, let rotation): return try RigidTransform(translation: translation, rotation: rotation)
        }
    }

    static func pose(_ field: YAMLField) throws -> RigidTransform {
        let f = try field.mapping(allowed: ["parent_frame", "child_frame", "translation", "rotation"])
        let t = try f.required("translation", in: field).numbers(count: 3)
        let rotationField = try f.required("rotation", in: field)
        let q = try rotationField.numbers(count: 4)
        do {
            return try RigidTransform(translation: SIMD3(t[0], t[1], t[2]), rotation: SIMD4(q[0], q[1], q[2], q[3]))
        } catch let error as AffordError {
            throw rotationField.fail(error.message)
        }
    }
}
