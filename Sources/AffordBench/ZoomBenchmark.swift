import AffordCore
import AffordDaemon
import AffordEngine
import AffordImaging
import AffordPostprocess
import Foundation

/// `affordd-bench zoom` (`make bench-zoom`): what object-centric zoom costs a 640×480 frame.
/// Grounding without zoom, then with 1–4 regions: the crops as one batch after the whole-frame
/// pass (what `redetect_every: 0` runs), one by one after it (the reference), and in one batch
/// together with the whole frame (regions reused from an earlier frame), and batched at the
/// `fast` profile's smaller region input; and 3 regions with test-time mirroring (`mirror`: the
/// crops and their mirror images in one batch, then the mirrored whole frame). The variants alternate
/// within each round, so load on a shared machine hits them alike. Last line: JSON.
enum ZoomBenchmark {
    static func run(arguments: [String]) throws {
        var options = try BenchOptions(arguments: Array(arguments.filter { $0 != "--quick" }))
        if arguments.contains("--quick") { options.runs = 3 }
        let head = options.head ?? "models-default/affordd-default.head.safetensors"
        let engine = try GroundingEngine(backbonePath: options.models + "/dinov2_vits14.int8.safetensors",
                                         headPath: head, threads: options.threads)
        let actions = Array(engine.vocabulary.prefix(3))
        let image = SourcesBenchmark.cameraLike(width: 640, height: 480)
        // Four regions of the sizes zoom proposes on a workcell view (two small tools, two larger).
        let boxes = [RegionBox(x: 60, y: 200, width: 120, height: 120), RegionBox(x: 400, y: 80, width: 160, height: 160),
                     RegionBox(x: 220, y: 160, width: 240, height: 240), RegionBox(x: 500, y: 330, width: 140, height: 140)]
        let crops = boxes.map { RegionCrop.crop(image, box: $0, frameWidth: 640, frameHeight: 480) }

        typealias Variant = (name: String, body: () throws -> Void)
        var variants: [Variant] = [("off", { _ = try engine.ground(image, actions: actions) })]
        for count in 1...boxes.count {
            let some = Array(crops.prefix(count))
            variants.append(("batched_\(count)", {
                _ = try engine.ground(image, actions: actions)
                _ = try engine.ground(batch: some, actions: actions)
            }))
            variants.append(("one_by_one_\(count)", {
                _ = try engine.ground(image, actions: actions)
                for crop in some { _ = try engine.ground(crop, actions: actions) }
            }))
            variants.append(("one_pass_\(count)", { _ = try engine.ground(batch: [image] + some, actions: actions) }))
            variants.append(("fast_\(count)", {
                _ = try engine.ground(image, actions: actions)
                _ = try engine.ground(batch: some, inputSize: ZoomSettings.fast.regionInputSize, actions: actions)
            }))
        }
        let three = Array(crops.prefix(3)), mirroredFrame = image.mirrored()
        variants.append(("mirrored_3", {
            _ = try engine.ground(image, actions: actions)
            _ = try engine.ground(batch: three + three.map { $0.mirrored() }, actions: actions)
            _ = try engine.ground(mirroredFrame, actions: actions)
        }))
        for variant in variants { for _ in 0..<max(1, min(options.warmup, 2)) { try variant.body() } }
        // Wall time, and the process's CPU time: on a shared machine the CPU time is the work
        // itself (at one thread it is the frame time a quiet core would give).
        var samples = [[Double]](repeating: [], count: variants.count)
        var cpuSamples = [[Double]](repeating: [], count: variants.count)
        for _ in 0..<max(1, options.runs) {
            for (index, variant) in variants.enumerated() {
                let start = MonotonicClock.nowNs(), cpuStart = BenchBackbones.processCPUNs()
                try variant.body()
                samples[index].append(Double(MonotonicClock.nowNs() - start) / 1e6)
                cpuSamples[index].append(Double(BenchBackbones.processCPUNs() - cpuStart) / 1e6)
            }
        }
        let ms = Dictionary(uniqueKeysWithValues: zip(variants.map(\.name), samples.map(median)))
        let cpu = Dictionary(uniqueKeysWithValues: zip(variants.map(\.name), cpuSamples.map(median)))

        // The output thread's share: merge three actions' maps with 3 regions into 640×480, then components.
        let zoomed = try ZoomGrounding.ground(image, frameWidth: 640, frameHeight: 480, actions: actions, grounder: engine,
                                              settings: ZoomSettings(enabled: true), plan: .reuse(Array(boxes.prefix(3)))).maps
        let post = HeatmapPostprocessor(settings: PostprocessSettings())
        let mergeMs = PipelineBenchmark.medianMs(max(3, options.runs)) {
            _ = ZoomGrounding.process(zoomed, post: post, settings: .shipped)
        }
        // Of which: the regions' contrast weights (once a frame) and one map's smoothing (each action).
        let contrastMs = PipelineBenchmark.medianMs(max(3, options.runs)) {
            _ = RegionContrast.weights(image: image, boxes: Array(boxes.prefix(3)), frameWidth: 640, frameHeight: 480,
                                       canvasWidth: 640, canvasHeight: 480)
        }
        var smoothed = Heatmap(width: 640, height: 480, repeating: 0.5)
        let smoothingMs = PipelineBenchmark.medianMs(max(3, options.runs)) {
            GaussianSmoothing.smooth(&smoothed, sigma: ZoomSettings.shipped.smoothingPixels)
        }
        let plainMs = PipelineBenchmark.medianMs(max(3, options.runs)) {
            for map in zoomed.whole { _ = post.process(map, frameWidth: 640, frameHeight: 480) }
        }
        let jpeg = try JPEGEncoder().encode(image, quality: 85)
        let decoder = try JPEGDecoder()
        let scaledDecodeMs = try SourcesBenchmark.median(options.runs) {
            _ = try decoder.decode(jpeg, minimumWidth: engine.inputSize, minimumHeight: engine.inputSize)
        }
        let fullDecodeMs = try SourcesBenchmark.median(options.runs) { _ = try decoder.decode(jpeg) }

        let off = ms["off"] ?? .nan, offCPU = cpu["off"] ?? .nan
        print("zoom cost, 640x480 frame, \(actions.count) actions, \(options.threads.map(String.init) ?? "all") threads, medians of \(options.runs) alternating rounds")
        let fastSide = ZoomSettings.fast.regionInputSize ?? engine.inputSize
        print("regions   two passes, crops batched   two passes, one by one   one pass (whole + reused crops)   crops batched at \(fastSide) (fast)")
        print(String(format: "0 (off)   %8.2f ms (CPU %.2f ms)", off, offCPU))
        var rows: [String] = []
        for count in 1...boxes.count {
            let batched = ms["batched_\(count)"] ?? .nan, single = ms["one_by_one_\(count)"] ?? .nan
            let onePass = ms["one_pass_\(count)"] ?? .nan
            let cpuBatched = cpu["batched_\(count)"] ?? .nan, cpuSingle = cpu["one_by_one_\(count)"] ?? .nan
            let cpuOnePass = cpu["one_pass_\(count)"] ?? .nan
            let fast = ms["fast_\(count)"] ?? .nan, cpuFast = cpu["fast_\(count)"] ?? .nan
            print(String(format: "%d         %8.2f ms (CPU %.2fx)      %8.2f ms (CPU %.2fx)   %8.2f ms (CPU %.2fx)           %8.2f ms (CPU %.2fx)",
                         count, batched, cpuBatched / offCPU, single, cpuSingle / offCPU, onePass, cpuOnePass / offCPU,
                         fast, cpuFast / offCPU))
            rows.append("{\"regions\": \(count), \"batched_ms\": \(jsonNumber(batched)), \"one_by_one_ms\": \(jsonNumber(single)), "
                        + "\"one_pass_ms\": \(jsonNumber(onePass)), \"batched_cpu_ms\": \(jsonNumber(cpuBatched)), "
                        + "\"one_by_one_cpu_ms\": \(jsonNumber(cpuSingle)), \"one_pass_cpu_ms\": \(jsonNumber(cpuOnePass)), "
                        + "\"fast_ms\": \(jsonNumber(fast)), \"fast_cpu_ms\": \(jsonNumber(cpuFast))}")
        }
        print(String(format: "3 regions with test-time mirroring (mirror: true): %.2f ms (CPU %.2fx)",
                     ms["mirrored_3"] ?? .nan, (cpu["mirrored_3"] ?? .nan) / offCPU))
        print(String(format: "post-processing 3 actions: %.2f ms with 3 regions merged at 640x480 (region contrast %.2f ms a frame, "
                     + "smoothing %.2f ms a map), %.2f ms without zoom", mergeMs, contrastMs, smoothingMs, plainMs))
        print(String(format: "MJPEG decode 640x480: %.2f ms full size (zoom) against %.2f ms DCT-scaled", fullDecodeMs, scaledDecodeMs))
        let threeMs = ms["batched_3"] ?? .nan
        emit("{\"off_ms\": \(jsonNumber(off)), \"off_cpu_ms\": \(jsonNumber(offCPU)), "
             + "\"ratio_3_regions_cpu_vs_off\": \(jsonNumber((cpu["batched_3"] ?? .nan) / offCPU)), \"by_regions\": [\(rows.joined(separator: ", "))], "
             + "\"ratio_3_regions_vs_off\": \(jsonNumber(threeMs / off)), "
             + "\"ratio_3_regions_mirrored_vs_off\": \(jsonNumber((ms["mirrored_3"] ?? .nan) / off)), "
             + "\"ratio_3_regions_mirrored_cpu_vs_off\": \(jsonNumber((cpu["mirrored_3"] ?? .nan) / offCPU)), \"ratio_3_regions_one_pass_vs_off\": \(jsonNumber((ms["one_pass_3"] ?? .nan) / off)), "
             + "\"fast_region_input\": \(fastSide), \"ratio_3_regions_fast_vs_off\": \(jsonNumber((ms["fast_3"] ?? .nan) / off)), "
             + "\"ratio_3_regions_fast_cpu_vs_off\": \(jsonNumber((cpu["fast_3"] ?? .nan) / offCPU)), "
             + "\"merge_postprocess_3_regions_ms\": \(jsonNumber(mergeMs)), \"postprocess_off_ms\": \(jsonNumber(plainMs)), "
             + "\"region_contrast_ms\": \(jsonNumber(contrastMs)), \"smoothing_ms\": \(jsonNumber(smoothingMs)), "
             + "\"decode_full_ms\": \(jsonNumber(fullDecodeMs)), \"decode_scaled_ms\": \(jsonNumber(scaledDecodeMs))}")
    }
}
