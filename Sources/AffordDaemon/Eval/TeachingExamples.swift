import AffordCore
import AffordImaging
import AffordPostprocess
import AffordTransport
import Foundation

/// `affordd eval --teach FILE`: frames to teach before scoring, as the `teach` op would get them.
///
/// FILE is the tool-chain's exemplar layout (`toolchain/affordtools/exemplars.py`), so the same
/// annotations train an offline few-shot head and teach the daemon:
/// `{"images": [{"file": "a.jpg", "annotations": [{"action": "press", "polygon": [[x, y], ...]}]}]}`,
/// or `"points"` (positive clicks) instead of `"polygon"`; files are relative to FILE's folder.
/// This is how teaching is measured on a test set that the examples are not part of.
public struct TeachingExamples: Sendable {
    struct File: Decodable {
        struct Image: Decodable {
            var file: String
            var annotations: [Annotation]
        }
        struct Annotation: Decodable {
            var action: String
            var polygon: [[Double]]?
            /// Rings filled even-odd (holes), where the tool-chain's single `polygon` cannot say it.
            var polygons: [[[Double]]]?
            var points: [[Double]]?
        }
        var images: [Image]
    }

    let file: File
    let folder: URL

    public init(path: String) throws {
        folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw AffordError(.invalidInput, "\(path): not an exemplars file (\(error))")
        }
    }

    /// Teaches every annotation to a memory-only `LearningGrounder` around `grounder`; returns it
    /// and each example's adapting time in milliseconds.
    public func teach(_ grounder: any AffordanceGrounder, zoom: ZoomSettings) throws -> (grounder: LearningGrounder, adaptMs: [Double]) {
        guard let base = grounder as? any TokenGrounder else {
            throw AffordError(.unsupported, "--teach: this model's grounder yields no backbone tokens")
        }
        let learning = LearningGrounder(base: base, book: try DemonstrationBook(path: nil, backboneHash: base.backboneHash))
        var times: [Double] = []
        for image in file.images {
            let path = URL(fileURLWithPath: image.file, relativeTo: folder).path
            let rgb = try ImageFiles.loadRGB(path).image
            for annotation in image.annotations {
                let marking: PartMarking
                switch (annotation.polygon, annotation.polygons, annotation.points) {
                case (let polygon?, nil, nil): marking = .polygons([polygon])
                case (nil, let rings?, nil): marking = .polygons(rings)
                case (nil, nil, let points?): marking = .points(positive: points, negative: [])
                default: throw AffordError(.invalidInput, "--teach \(image.file): give one of 'polygon', 'polygons' and 'points' for '\(annotation.action)'")
                }
                let taught = try learning.teach(action: annotation.action, image: rgb, marking: marking,
                                                zoom: zoom.enabled ? zoom : nil, proposalActions: base.vocabulary)
                times.append(taught.adaptMs)
            }
        }
        return (learning, times)
    }
}
