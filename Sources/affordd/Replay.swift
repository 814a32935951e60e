import AffordCore
import AffordDaemon
import AffordImaging
import AffordPostprocess
import AffordRecording
import ArgumentParser
import Foundation
import Logging

/// `affordd replay`: the daemon's pipeline over a recorded log.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the same pipeline over an MCAP log; prints a JSON summary when the log ends.")

    @Argument(help: "An MCAP log (affordd recording or rosbag2 with sensor_msgs images).")
    var log: String

    @Option(help: "Write a heatmap overlay PNG per published frame into this folder.")
    var overlayDir: String?

    @Option(help: "Record frames and results to this MCAP file.")
    var record: String?

    @Option(help: "Actions to ground (default: the config's, or the whole vocabulary).")
    var action: [String] = []

    @Flag(help: "Replay as fast as the pipeline takes frames instead of at recorded pace.")
    var fast = false

    @Option(help: "The log's aligned depth topic (sensor_msgs/Image 16UC1 in mm or 32FC1 in m); default: the config's first camera's depth.topic, or an affordd recording's depth channel.")
    var depthTopic: String?

    @Option(help: "A depth frame pairs with a colour frame stamped at most this many milliseconds from it (default: the config's, or 20).")
    var depthToleranceMs: Double?

    @Option(help: "Serve the live view (page, /metrics, /healthz, Foxglove WebSocket) on host:port; the config's endpoints.http is not used by replay.")
    var http: String?

    @OptionGroup var model: ModelOptions

    func run() async throws {
        LogSetup.bootstrapJournal()
        FrameAllocations.keepPagesMapped()
        let logger = Logger(label: "affordd")
        let loaded = try model.loadConfig()
        let grounder = try model.grounder(loaded, realTime: !fast)
        var config = loaded ?? DaemonConfig.replayDefaults(model: model.modelConfig(nil))
        if !action.isEmpty { config.actions = action }
        config.grounding.zoom = model.zoomSettings(loaded)
        if config.actions.isEmpty { config.actions = grounder.vocabulary }
        let name = config.cameras.first?.name ?? "replay"
        var depth = config.cameras.first?.depth ?? DepthConfig()
        if let depthToleranceMs {
            guard DepthConfig.toleranceRangeMs.contains(depthToleranceMs) else {
                throw ValidationError("--depth-tolerance-ms \(depthToleranceMs) is outside \(DepthConfig.toleranceRangeMs)")
            }
            depth.toleranceMs = depthToleranceMs
        }
        let source = try ReplaySource(path: log, options: .init(
            pacing: fast ? .asFastAsPossible : .recorded, cameraName: name, depthTopic: depthTopic ?? depth.topic,
            depthToleranceNs: depth.toleranceNs))
        let overlays = overlayDir.map(OverlayWriter.init(directory:))
        // The config's first camera lends its calibration, checked against the log's frame size.
        let geometry = try config.cameras.first.map {
            try CameraGeometryLoader.geometry(for: $0, table: config.postprocessing.tablePlane)
        }
        // Unpaced replay is offline processing: every frame goes through, the source waits for the pipeline.
        let camera = CameraInput(name: name, lossless: fast, source: TappedSource(source, tap: overlays?.remember),
                                 makeDecoder: ReplayDecoding.decoder(inputSize: grounder.inputSize),
                                 geometry: geometry ?? CentroidGeometry(camera: nil),
                                 deviceHealth: ReplayDecoding.health(source), hasDepth: source.hasDepth)
        let live = try LiveView.start(http: try http.map(ListenAddress.init(parsing:)), foxglove: nil,
                                      cameras: [name], logger: logger)
        defer { live?.close() }
        let sinks: [ResultSink] = (overlays.map { [$0] } ?? []) + LiveView.sinks(live)
        let daemon = try Daemon(
            config: config, configPath: model.config, grounder: grounder, sources: [camera],
            extraSinks: sinks, frameObserver: LiveView.frameObserver(live),
            recordTo: record.map { RecordingConfig(path: $0, compression: .zstd, recordOutputs: true) } ?? RecordingConfig?.none,
            logger: logger)
        if let live { LiveView.attach(live, to: daemon) }
        let started = MonotonicClock.nowNs()
        try await daemon.run(stopWhenSourcesEnd: true)
        let seconds = Double(MonotonicClock.nowNs() - started) / 1e9
        print(ReplaySummary(daemon.runtime.status(), camera: name, seconds: seconds).json)
    }
}
