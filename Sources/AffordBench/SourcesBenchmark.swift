import Foundation
import AffordCapture
import AffordCore
import AffordImaging

/// `affordd-bench sources`: what a frame costs before the engine sees it. MJPEG 640x480
/// decoded with DCT scaling to cover 224 versus a full decode, each with the resize to
/// 224x224, and YUYV to RGB (vectorised and reference). Medians; last line is JSON.
enum SourcesBenchmark {
    static func run(arguments: [String]) {
        BenchReport.run("sources", errorKey: "error", labelWidth: 40) {
            let runs = try BenchReport.number("--runs", in: arguments, default: 200)
            // Replay throughput belongs to the same question: how fast frames reach the engine.
            let jpegs = try (0..<8).map { try ReplayBenchmark.syntheticJPEG(width: 640, height: 480, seed: UInt64($0)) }
            return try measure(runs: runs) + ReplayBenchmark.measure(jpegs: jpegs, frames: 300, runs: 3)
        }
    }

    static func measure(runs: Int) throws -> [(String, Double)] {
        let side = 224
        let image = cameraLike(width: 640, height: 480)
        let jpeg = try JPEGEncoder().encode(image, quality: 85)
        let decoder = try JPEGDecoder()
        let scaled = try decoder.decode(jpeg, minimumWidth: side, minimumHeight: side)
        print("MJPEG 640x480 (\(jpeg.count) bytes, q85 4:2:0); DCT scaling for \(side) decodes at \(scaled.width)x\(scaled.height)")

        let yuyv = SyntheticSource.yuyv(image)
        print("YUYV 640x480 through the \(YUYV.variant) kernel")
        var rgb = [UInt8](repeating: 0, count: 640 * 480 * 3)
        return [
            ("jpeg_scaled_decode_ms", try median(runs) { _ = try decoder.decode(jpeg, minimumWidth: side, minimumHeight: side) }),
            ("jpeg_full_decode_ms", try median(runs) { _ = try decoder.decode(jpeg) }),
            ("jpeg_scaled_decode_resize_224_ms", try median(runs) {
                _ = RGBResize.bilinear(try decoder.decode(jpeg, minimumWidth: side, minimumHeight: side), width: side, height: side)
            }),
            ("jpeg_full_decode_resize_224_ms", try median(runs) {
                _ = RGBResize.bilinear(try decoder.decode(jpeg), width: side, height: side)
            }),
            ("yuyv_to_rgb_640x480_ms", median(runs) {
                yuyv.withUnsafeBytes { input in
                    rgb.withUnsafeMutableBytes { YUYV.toRGB(input, width: 640, height: 480, stride: 1280, into: $0) }
                }
            }),
            ("yuyv_to_rgb_640x480_reference_ms", median(runs) {
                yuyv.withUnsafeBytes { input in
                    rgb.withUnsafeMutableBytes { YUYV.toRGBReference(input, width: 640, height: 480, stride: 1280, into: $0) }
                }
            }),
        ]
    }

    /// The synthetic pattern plus deterministic sensor-like noise, so the JPEG carries
    /// a webcam's entropy rather than a flat ramp's (which decodes unrealistically fast).
    static func cameraLike(width: Int, height: Int) -> RGBImage {
        var image = SyntheticSource.pattern(sequence: 7, width: width, height: height)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in image.pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Int(state >> 60) - 8
            image.pixels[i] = UInt8(clamping: Int(image.pixels[i]) + noise)
        }
        return image
    }

    static func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<min(runs, 10) { try body() }  // warm caches and the allocator
        var times: [Double] = []
        for _ in 0..<max(runs, 1) {
            let start = MonotonicClock.nowNs()
            try body()
            times.append(Double(MonotonicClock.nowNs() - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }
}
