import AffordCore
import AffordDaemon
import AffordImaging
import AffordPostprocess
import AffordRecording
import Foundation
import Logging

/// `affordd-bench pipeline`: a 640x480 MJPEG log at 30 fps through the whole daemon
/// pipeline (replay, decode, int8 inference, post-processing, ZeroMQ publish) with 5 actions.
/// The last line is JSON: sustained fps, capture-to-publish p50/p99 and peak RSS.
enum PipelineBenchmark {
    static func run(arguments: [String]) async {
        do {
            try await measure(arguments: arguments)
        } catch {
            FileHandle.standardError.write(Data("pipeline benchmark failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func option(_ name: String, in arguments: [String]) -> String? {
        arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
    }

    static func measure(arguments: [String]) async throws {
        let models = ProcessInfo.processInfo.environment["AFFORDD_MODELS"] ?? "models"
        let model = ModelConfig(
            backbone: option("--backbone", in: arguments) ?? "\(models)/dinov2_vits14.int8.safetensors",
            head: option("--head", in: arguments) ?? "models-default/affordd-default.head.safetensors",
            threads: Int(option("--threads", in: arguments) ?? "") ?? 2)
        let frames = Int(option("--frames", in: arguments) ?? "") ?? 300
        if let path = option("--write-log", in: arguments) {
            // Just the synthetic log, e.g. to try `affordd replay` or the demo without the real demo log.
            try writeLog(to: path, frames: frames)
            print("wrote \(frames) frames to \(path)")
            return
        }
        let grounder = try ModelLoader.grounder(model)
        guard grounder.vocabulary.count >= 5 else {
            throw AffordError(.invalidModel, "the benchmark needs a head with at least 5 actions, \(model.head) has \(grounder.vocabulary.count)")
        }
        print(String(format: "stages alone (median of 15): postprocess 5 actions at 640x480 %.1f ms, inference %.1f ms",
                     medianMs(15) { postprocessFiveMaps() }, try medianMs(15) { _ = try grounder.ground(testImage(), actions: Array(grounder.vocabulary.prefix(5))) }))
        // Alternating within each round, so load on a shared machine hits both alike.
        let tableView = try lookingDownAtTheTable()
        var plain: [Double] = [], located: [Double] = []
        for _ in 0..<31 {
            plain.append(medianMs(1) { postprocessFiveMaps() })
            located.append(medianMs(1) { postprocessFiveMaps(geometry: tableView) })
        }
        print(String(format: "postprocess 5 actions at 640x480 with rays, table points and grasps: %.2f ms (without geometry %.2f ms)",
                     median(located), median(plain)))
        var raw = Heatmap(width: 16, height: 16)
        for i in raw.values.indices { raw.values[i] = Float((i * 3) % 17) }
        let big = Bilinear.resize(raw, width: 640, height: 480)
        let norm = HeatmapPostprocessor.normalised(big)
        print(String(format: "one action: resize %.2f ms, normalise %.2f ms, components %.2f ms",
                     medianMs(15) { _ = Bilinear.Separable(sourceWidth: 16, sourceHeight: 16, targetWidth: 640, targetHeight: 480).resize(raw) },
                     medianMs(15) { _ = HeatmapPostprocessor.normalised(big) },
                     medianMs(15) { _ = HeatmapPostprocessor.components(of: norm, relativeThreshold: 0.5, minArea: 1, keep: 3) }))
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-bench-\(getpid()).mcap").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        try writeLog(to: log, frames: frames)

        var config = DaemonConfig.replayDefaults(model: model)
        config.actions = Array(grounder.vocabulary.prefix(5))
        if let size = option("--output", in: arguments) {
            // Heatmaps and components at a configured output size instead of the frame size.
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else {
                throw AffordError(.invalidInput, "--output expects WIDTHxHEIGHT, got \(size)")
            }
            config.postprocessing.settings.outputWidth = parts[0]
            config.postprocessing.settings.outputHeight = parts[1]
        }
        let source = try ReplaySource(path: log, options: .init(pacing: .recorded, cameraName: "bench"))
        let camera = CameraInput(name: "bench", source: source, makeDecoder: ReplayDecoding.decoder(inputSize: grounder.inputSize))
        var logger = Logger(label: "affordd-bench")
        logger.logLevel = .warning
        let daemon = try Daemon(config: config, configPath: nil, grounder: grounder, sources: [camera], logger: logger)
        let started = MonotonicClock.nowNs()
        try await daemon.run(stopWhenSourcesEnd: true)
        let seconds = Double(MonotonicClock.nowNs() - started) / 1e9

        let health = daemon.runtime.status()
        let stage = health.cameras["bench"]
        let published = stage?.endToEnd.framesOut ?? 0
        let output = config.postprocessing.settings.outputWidth.map { "\($0)x\(config.postprocessing.settings.outputHeight ?? 0)" } ?? "frame size"
        print("model \(grounder.modelID), actions \(config.actions.joined(separator: ",")), heatmaps at \(output)")
        print("frames in \(stage?.capture.framesIn ?? 0), published \(published), dropped \(stage?.capture.drops ?? 0), \(String(format: "%.1f", seconds)) s")
        print(String(format: "inference p50 %.1f ms, p99 %.1f ms; decode p50 %.1f ms; postprocess p50 %.1f ms",
                     health.inference.latencyP50Ms, health.inference.latencyP99Ms,
                     stage?.decode.latencyP50Ms ?? 0, health.postprocess.latencyP50Ms))
        print(String(format: #"{"fps":%.2f,"latency_p50_ms":%.2f,"latency_p99_ms":%.2f,"rss_mb":%.1f,"frames":%d,"dropped":%d}"#,
                     Double(published) / seconds, stage?.endToEnd.latencyP50Ms ?? 0, stage?.endToEnd.latencyP99Ms ?? 0,
                     peakRSSMegabytes(), published, stage?.capture.drops ?? 0))
    }

    /// Moving bright shapes over a gradient, JPEG-encoded at 640x480, stamped 30 fps apart.
    static func writeLog(to path: String, frames: Int) throws {
        let recorder = try MCAPRecorder(path: path, configText: "", options: .init(recordResults: false))
        let encoder = try JPEGEncoder()
        let width = 640, height = 480
        let start = MonotonicClock.nowNs()
        for index in 0..<frames {
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            let cx = 160 + (index * 3) % 320, cy = 240
            for y in 0..<height {
                for x in 0..<width {
                    let offset = (y * width + x) * 3
                    let inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 60 * 60
                    pixels[offset] = inside ? 220 : UInt8(x * 255 / width)
                    pixels[offset + 1] = inside ? 40 : UInt8(y * 255 / height)
                    pixels[offset + 2] = inside ? 30 : 128
                }
            }
            let jpeg = try encoder.encode(RGBImage(width: width, height: height, pixels: pixels), quality: 85)
            try recorder.record(Frame(pixels: jpeg, width: width, height: height, format: .mjpeg,
                                      captureMonotonicNs: start + UInt64(index) * 33_333_333,
                                      sequence: UInt64(index), camera: "bench"))
        }
        try recorder.close()
    }

    static func medianMs(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = MonotonicClock.nowNs()
            try body()
            times.append(Double(MonotonicClock.nowNs() - start) / 1e6)
        }
        return times.sorted()[runs / 2]
    }

    static func testImage() -> RGBImage {
        RGBImage(width: 320, height: 240, pixels: (0..<(320 * 240 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) })
    }

    static func postprocessFiveMaps(geometry: CentroidGeometry? = nil) {
        let post = HeatmapPostprocessor(settings: PostprocessSettings())
        for action in 0..<5 {
            var map = Heatmap(width: 16, height: 16)
            for i in map.values.indices { map.values[i] = Float((i * (action + 3)) % 17) }
            let result = post.process(ActionMap(action: "a\(action)", map: map), frameWidth: 640, frameHeight: 480)
            if let geometry { _ = geometry.locate(result.components) }
        }
    }

    /// A calibrated 640x480 camera 0.8 m above the table, looking straight down.
    static func lookingDownAtTheTable() throws -> CentroidGeometry {
        let camera = try CameraModel(cameraName: "bench", imageWidth: 640, imageHeight: 480,
                                     cameraMatrix: [612.3, 0, 318.7, 0, 610.9, 243.2, 0, 0, 1],
                                     distortionModel: .plumbBob, distortion: [0.11, -0.24, 0.001, -0.002, 0.09])
        return CentroidGeometry(camera: camera,
                                cameraToBase: try RigidTransform(translation: SIMD3(0.4, 0, 0.8), rotation: SIMD4(1, 0, 0, 0)),
                                table: try Plane(normal: SIMD3(0, 0, 1), offset: 0))
    }

    /// VmHWM from /proc/self/status.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ").compactMap({ Double($0) }).first else { return 0 }
        return kb / 1024
    }
}
