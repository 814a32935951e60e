import AffordCore
import AffordImaging
import AffordPostprocess
import Foundation

/// One image through grounding and post-processing, for `affordd snapshot`.
public enum SnapshotRunner {
    public struct Result: Sendable {
        var image: RGBImage
        var modelID: String
        var actions: [ActionResult]
        /// Problems with the input that did not stop grounding (a truncated JPEG).
        public var warnings: [String]
        /// Zoom's regions, image pixels; empty without zoom.
        var regions: [RegionBox] = []
    }

    /// Grounds `actions` on the image; a config adds its post-processing and, when the
    /// first camera's calibration matches the image size, rays.
    /// With `zoom` enabled the image is grounded coarse to fine (`ZoomGrounding`).
    public static func run(imagePath: String, actions: [String], grounder: any AffordanceGrounder,
                           config: DaemonConfig?, zoom: ZoomSettings = ZoomSettings()) throws -> Result {
        try PipelineRuntime.validate(actions: actions, vocabulary: grounder.vocabulary)
        let (image, warning) = try ImageFiles.loadRGB(imagePath)
        let post = HeatmapPostprocessor(settings: config?.postprocessing.settings ?? PostprocessSettings())
        var geometry = CentroidGeometry(camera: nil)
        if let config, let camera = config.cameras.first {
            geometry = try CameraGeometryLoader.geometry(for: camera, table: config.postprocessing.tablePlane)
            if let model = geometry.camera, (model.imageWidth, model.imageHeight) != (image.width, image.height) {
                geometry = CentroidGeometry(camera: nil)  // a different size: pixels only
            }
        }
        let warnings = warning.map { [$0] } ?? []
        if zoom.enabled {
            let zoomed = try ZoomGrounding.ground(image, frameWidth: image.width, frameHeight: image.height,
                                                  actions: actions, grounder: grounder, settings: zoom).maps
            var results = ZoomGrounding.process(zoomed, post: post, settings: zoom)
            for index in results.indices { results[index].components = geometry.locate(results[index].components) }
            return Result(image: image, modelID: grounder.modelID, actions: results, warnings: warnings,
                          regions: zoomed.regions)
        }
        let maps = try grounder.ground(image, actions: actions)
        let results = maps.map { map in
            var result = post.process(map, frameWidth: image.width, frameHeight: image.height)
            result.components = geometry.locate(result.components)
            return result
        }
        return Result(image: image, modelID: grounder.modelID, actions: results, warnings: warnings)
    }

    /// `{"image", "model", "width", "height", "actions": {action: [components]}, "presence": {action: p or null},
    /// "warnings": [string]}`.
    public static func json(_ result: Result, image: String) throws -> String {
        struct Output: Encodable {
            var image: String
            var model: String
            var width: Int
            var height: Int
            var actions: [String: [CentroidSnapshot.Component]]
            var presence: [String: Float?]
            var warnings: [String]
            /// Zoom's regions `[x, y, width, height]`; absent without zoom.
            var regions: [[Int]]?
        }
        let output = Output(image: image, model: result.modelID, width: result.image.width, height: result.image.height,
                            actions: CentroidSnapshot.components(result.actions),
                            presence: CentroidSnapshot.presence(result.actions), warnings: result.warnings,
                            regions: result.regions.isEmpty ? nil : result.regions.map { [$0.x, $0.y, $0.width, $0.height] })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }

    /// The first action's heatmap blended over the image, with every action's centroids and axes marked.
    public static func writeOverlay(_ result: Result, to path: String) throws {
        guard let first = result.actions.first else { return }
        let overlay = HeatmapOverlay.render(result.image, heatmap: first.heatmap,
                                            components: result.actions.flatMap(\.components),
                                            regions: result.regions)
        try ImageFiles.write(try PNGCodec.encode(overlay), to: path)
    }

    /// The first action's normalised heatmap at the image's size, 8-bit.
    public static func writeHeatmap(_ result: Result, to path: String) throws {
        guard let first = result.actions.first else { return }
        try ImageFiles.saveGray(Bilinear.resize(first.heatmap, width: result.image.width, height: result.image.height), to: path)
    }
}
