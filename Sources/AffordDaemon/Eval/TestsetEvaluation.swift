import AffordCore
import AffordPostprocess
import Foundation

extension AffordanceEvaluation {
    /// Runs `grounder` over an AGD20K test set (`egocentric/` + `GT/`), scoring the 8-bit maps it
    /// would save, so `--save-pred` followed by `--pred/--gt` gives the same numbers. With `zoom`
    /// enabled each image is grounded coarse to fine and scored on the merged map.
    public static func run(
        testset: String, grounder: any AffordanceGrounder, savePredictions: String? = nil,
        zoom: ZoomSettings = ZoomSettings()
    ) throws -> AffordanceEvaluation {
        let root = URL(fileURLWithPath: testset)
        let gtRoot = root.appendingPathComponent("GT").path
        let imageRoot = root.appendingPathComponent("egocentric")
        var evaluation = AffordanceEvaluation()
        for item in try groundTruthItems(in: gtRoot) {
            guard grounder.vocabulary.contains(item.affordance) else {
                throw AffordError(.invalidInput,
                    "affordance '\(item.affordance)' is not in model '\(grounder.modelID)' (\(grounder.vocabulary.joined(separator: ", ")))")
            }
            let stem = (item.relativePath as NSString).deletingPathExtension
            let candidates = ["jpg", "jpeg", "png"].map { imageRoot.appendingPathComponent("\(stem).\($0)").path }
            guard let imagePath = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw AffordError(.invalidInput, "no egocentric image for \(item.relativePath) under \(imageRoot.path)")
            }
            let image = try ImageFiles.loadRGB(imagePath).image
            let maps = if zoom.enabled {
                ZoomGrounding.merged(try ZoomGrounding.ground(image, frameWidth: image.width, frameHeight: image.height,
                                                              actions: [item.affordance], grounder: grounder,
                                                              settings: zoom).maps,
                                     canvasWidth: image.width, canvasHeight: image.height, settings: zoom)
            } else {
                try grounder.ground(image, actions: [item.affordance]).map {
                    ActionMap(action: $0.action, map: Bilinear.resize($0.map, width: image.width, height: image.height))
                }
            }
            guard let full = maps.first(where: { $0.action == item.affordance })?.map else {
                throw AffordError(.invalidModel, "grounder returned no map for \(item.affordance)")
            }
            let prediction = quantised(HeatmapPostprocessor.normalised(full))
            if let savePredictions {
                try ImageFiles.saveGray(
                    Heatmap(width: prediction.width, height: prediction.height, values: prediction.values.map { $0 / 255 }),
                    to: URL(fileURLWithPath: savePredictions).appendingPathComponent(item.relativePath).path)
            }
            let gt = try ImageFiles.loadGray(URL(fileURLWithPath: gtRoot).appendingPathComponent(item.relativePath).path)
            evaluation.add(prediction: prediction, groundTruth: gt, affordance: item.affordance)
        }
        return evaluation
    }

    /// 0...1 to the 0...255 integers an 8-bit PNG holds.
    static func quantised(_ map: Heatmap) -> Heatmap {
        Heatmap(width: map.width, height: map.height, values: map.values.map { ($0 * 255).rounded() })
    }
}
