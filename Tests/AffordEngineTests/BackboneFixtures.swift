import AffordCore
@testable import AffordEngine
import AffordTestSupport
import Foundation
import Testing

/// The generated backbone files and onnxruntime reference tokens (`make fixtures`).
enum BackboneFixtures {
    static let fp32Path = Fixtures.models.appendingPathComponent("dinov2_vits14.fp32.safetensors").path
    static let int8Path = Fixtures.models.appendingPathComponent("dinov2_vits14.int8.safetensors").path

    static var referencePaths: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)) ?? []
        return names.filter { $0.hasPrefix("backbone_") && $0.hasSuffix(".safetensors") }.sorted()
            .map { Fixtures.directory.appendingPathComponent($0) }
    }

    static var available: Bool {
        FileManager.default.fileExists(atPath: fp32Path) && FileManager.default.fileExists(atPath: int8Path)
            && !referencePaths.isEmpty
    }

    static let skipMessage: Comment = "backbone models or fixtures missing: run `make fixtures` (or set AFFORDD_MODELS / AFFORDD_FIXTURES)"

    static let pool: ComputePool? = try? ComputePool()
    static let fp32: Backbone? = pool.flatMap { try? Backbone(path: fp32Path, precision: .fp32, pool: $0) }
    static let int8: Backbone? = pool.flatMap { try? Backbone(path: int8Path, precision: .int8, pool: $0) }

    /// One reference image: its pixels, the exact ORT input and ORT's output tokens.
    struct Reference {
        let name: String
        let image: RGBImage
        let input: [Float]
        let height: Int
        let width: Int
        let tokens: [Float]

        init(url: URL) throws {
            let file = try SafetensorsFile(path: url.path)
            name = url.deletingPathExtension().lastPathComponent
            let rgb = try file.info("rgb")
            image = RGBImage(width: rgb.shape[1], height: rgb.shape[0], pixels: Array(try file.uint8s("rgb")))
            let inputInfo = try file.info("input")
            height = inputInfo.shape[2]
            width = inputInfo.shape[3]
            input = Array(try file.floats("input"))
            tokens = Array(try file.floats("tokens"))
        }
    }
}

/// Error measures used by the parity tests.
enum Compare {
    static func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float { ParityMetrics.maxRelativeError(a, b) }

    /// Elementwise |a-b| / (|b| + floor): the 99.9th percentile and the worst.
    static func elementwiseRelative(_ a: [Float], _ b: [Float], floor: Float = 1e-2) -> (p999: Float, worst: Float) {
        let errors = zip(a, b).map { abs($0 - $1) / (abs($1) + floor) }.sorted()
        guard let worst = errors.last else { return (0, 0) }
        return (errors[min(errors.count - 1, errors.count * 999 / 1000)], worst)
    }

    static func rowCosines(_ a: [Float], _ b: [Float], dim: Int) -> [Double] { ParityMetrics.rowCosines(a, b, dim: dim) }
}
