import AffordDaemon
import Foundation

/// The daemon YAML, validated in full; an inline camera pose is turned into a transform too.
enum ConfigHarness {
    /// Relative paths resolve here; nothing is read from it.
    static let base = URL(fileURLWithPath: "/nonexistent/affordd-fuzz")

    static func run(_ input: [UInt8]) {
        guard let text = String(validating: input, as: UTF8.self),
              let config = try? ConfigLoader.parse(text, source: "fuzz", baseDirectory: base) else { return }
        // Only inline poses: a file source would make the harness read whatever path the input names.
        for camera in config.cameras {
            if let source = camera.extrinsics, case .inline = source { _ = try? ExtrinsicsLoader.transform(source) }
        }
    }
}
