import AffordCore
import AffordImaging
import AffordRecording
import Foundation

/// `affordd-bench replay`: MCAP replay throughput, as fast as possible, of a 640x480
/// MJPEG log written by MCAPRecorder, for each chunk compression. Also how fast the
/// recorder writes it. Medians over runs; the last line is JSON with `replay_` keys.
enum ReplayBenchmark {
    static func run(arguments: [String]) {
        BenchReport.run("replay", errorKey: "replay_error", labelWidth: 32) {
            let runs = try BenchReport.number("--runs", in: arguments, default: 5)
            let frames = try BenchReport.number("--frames", in: arguments, default: 600)
            let jpegs = try (0..<8).map { try syntheticJPEG(width: 640, height: 480, seed: UInt64($0)) }
            print("640x480 JPEG frames: \(jpegs.map(\.count).reduce(0, +) / jpegs.count) bytes on average (q85)")
            return try measure(jpegs: jpegs, frames: frames, runs: runs)
        }
    }

    /// Records `frames` frames cycling through `jpegs`, then replays them `runs` times per compression.
    static func measure(jpegs: [[UInt8]], frames: Int, runs: Int) throws -> [(String, Double)] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-replay-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var results: [(String, Double)] = [("replay_frames", Double(frames)),
                                           ("replay_jpeg_bytes", Double(jpegs.map(\.count).reduce(0, +) / jpegs.count))]
        for compression in MCAPCompression.allCases {
            let path = directory.appendingPathComponent("log-\(compression.name).mcap").path
            let recordSeconds = try median(runs) { try record(jpegs, frames: frames, to: path, compression: compression) }
            let replaySeconds = try median(runs) {
                let source = try ReplaySource(path: path, options: .init(pacing: .asFastAsPossible))
                defer { source.close() }
                var count = 0
                while try source.nextFrame() != nil { count += 1 }
                guard count == frames else { throw AffordError(.corruptLog, "replayed \(count) of \(frames) frames") }
            }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.doubleValue ?? 0
            results.append(("replay_fps_\(compression.name)", Double(frames) / replaySeconds))
            results.append(("replay_record_fps_\(compression.name)", Double(frames) / recordSeconds))
            results.append(("replay_file_mib_\(compression.name)", size / 1_048_576))
        }
        return results
    }

    private static func record(_ jpegs: [[UInt8]], frames: Int, to path: String, compression: MCAPCompression) throws {
        let recorder = try MCAPRecorder(path: path, configText: "bench",
                                        options: .init(writer: .init(compression: compression)))
        let start = MonotonicClock.nowNs()
        for index in 0..<frames {
            try recorder.record(Frame(pixels: jpegs[index % jpegs.count], width: 640, height: 480, format: .mjpeg,
                                      captureMonotonicNs: start + UInt64(index) * 33_333_333,
                                      sequence: UInt64(index), camera: "bench"))
        }
        try recorder.close()
    }

    /// Median wall seconds of `body` over `runs` runs.
    private static func median(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = MonotonicClock.nowNs()
            try body()
            samples.append(Double(MonotonicClock.nowNs() - start) / 1e9)
        }
        return samples.sorted()[samples.count / 2]
    }

    /// A textured gradient with sensor-like noise, so the JPEG has a webcam's size, not a flat ramp's.
    static func syntheticJPEG(width: Int, height: Int, seed: UInt64) throws -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Int(state >> 60) - 8
                let base = (y * width + x) * 3
                rgb[base] = UInt8(clamping: (x * 255 / width + Int(seed) * 9) % 256 + noise)
                rgb[base + 1] = UInt8(clamping: (y * 255 / height) + noise)
                rgb[base + 2] = UInt8(clamping: ((x / 40 + y / 40) % 2) * 160 + noise + 40)
            }
        }
        return try JPEGEncoder().encode(RGBImage(width: width, height: height, pixels: rgb), quality: 85)
    }
}
