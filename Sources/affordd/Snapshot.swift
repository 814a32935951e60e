import AffordCore
import AffordDaemon
import AffordPostprocess
import ArgumentParser
import Foundation

/// `affordd snapshot`: ground one image and print its centroids.
struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ground one image: print centroids as JSON, optionally write an overlay and the raw heatmap.")

    @Option(help: "A JPEG or PNG image.")
    var image: String

    @Option(help: "Action to ground; repeat for several (default: the config's actions).")
    var action: [String] = []

    @Option(help: "Write the heatmap blended over the image, with centroid markers, as PNG.")
    var overlay: String?

    @Option(help: "Write the 8-bit heatmap at the image's size as PNG (first action).")
    var heatmap: String?

    @OptionGroup var model: ModelOptions

    func run() throws {
        let config = try model.loadConfig()
        let grounder = try model.grounder(config)
        let actions = action.isEmpty ? (config?.actions ?? []) : action
        guard !actions.isEmpty else { throw ValidationError("name an --action (or give a --config with actions)") }
        let result = try SnapshotRunner.run(imagePath: image, actions: actions, grounder: grounder, config: config,
                                            zoom: model.zoomSettings(config))
        for warning in result.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        print(try SnapshotRunner.json(result, image: image))
        if let overlay { try SnapshotRunner.writeOverlay(result, to: overlay) }
        if let heatmap { try SnapshotRunner.writeHeatmap(result, to: heatmap) }
    }
}
