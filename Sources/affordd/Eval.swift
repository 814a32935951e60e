import AffordCore
import AffordDaemon
import ArgumentParser
import Foundation

/// `affordd eval`: KLD/SIM/NSS with the AGD20K protocol.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score heatmaps with the AGD20K protocol (KLD, SIM, NSS); last line is JSON.")

    @Option(help: "Predicted maps: <affordance>/<object>/<name>.png, 8-bit grayscale.")
    var pred: String?

    @Option(help: "Ground truth mirroring --pred.")
    var gt: String?

    @Option(help: "An AGD20K-layout test set (egocentric/ and GT/) to run the model over.")
    var testset: String?

    @Option(help: "With --testset: write each predicted map as an 8-bit PNG at image size here.")
    var savePred: String?

    @Option(help: "With --testset: teach the annotations of this exemplars.json first (the tool-chain's few-shot layout).")
    var teach: String?

    @OptionGroup var model: ModelOptions

    func validate() throws {
        switch (pred, gt, testset) {
        case (.some, .some, nil), (nil, nil, .some): break
        default: throw ValidationError("give either --pred and --gt, or --testset")
        }
        if savePred != nil && testset == nil { throw ValidationError("--save-pred needs --testset") }
        if teach != nil && testset == nil { throw ValidationError("--teach needs --testset") }
    }

    func run() throws {
        let evaluation: AffordanceEvaluation
        if let testset {
            let config = try model.loadConfig()
            var grounder = try model.grounder(config)
            let zoom = model.zoomSettings(config)
            if let teach {
                let taught = try TeachingExamples(path: teach).teach(grounder, zoom: zoom)
                grounder = taught.grounder
                let sorted = taught.adaptMs.sorted()
                FileHandle.standardError.write(Data(String(format: "taught %d frames; adapting took %.0f ms median, %.0f ms at most\n",
                                                            sorted.count, sorted.isEmpty ? 0 : sorted[sorted.count / 2], sorted.last ?? 0).utf8))
            }
            evaluation = try AffordanceEvaluation.run(testset: testset, grounder: grounder, savePredictions: savePred, zoom: zoom)
        } else if let pred, let gt {
            evaluation = try AffordanceEvaluation.compare(predictions: pred, groundTruth: gt)
        } else {
            throw ValidationError("give either --pred and --gt, or --testset")
        }
        for line in evaluation.report { print(line) }
        print(evaluation.overall.json)
    }
}
