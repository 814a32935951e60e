@testable import AffordImaging
import AffordCore
import Foundation
import Testing

/// Thousands of damaged JPEGs through the decode path: every one must either
/// decode or throw `.decode`, and memory must not grow with the count.
@Suite struct JPEGFuzzTests {
    struct Mutator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }

        /// Bit flips, truncation, inserted or duplicated markers, zeroed runs.
        mutating func mutate(_ input: [UInt8]) -> [UInt8] {
            var bytes = input
            switch next(5) {
            case 0:
                for _ in 0...next(8) { bytes[next(bytes.count)] ^= UInt8(1 << next(8)) }
            case 1:
                bytes = Array(bytes.prefix(next(bytes.count)))
            case 2:
                let markers: [UInt8] = [0xD8, 0xD9, 0xDA, 0xDB, 0xC0, 0xC4, 0xDD, 0xFE, 0xE0]
                bytes.insert(contentsOf: [0xFF, markers[next(markers.count)], UInt8(next(256)), UInt8(next(256))], at: next(bytes.count))
            case 3:
                let start = next(bytes.count), length = min(next(64), bytes.count - start)
                bytes.replaceSubrange(start..<(start + length), with: repeatElement(0, count: length))
            default:
                let start = next(bytes.count), length = min(next(200), bytes.count - start)
                bytes.insert(contentsOf: bytes[start..<(start + length)], at: next(bytes.count))
            }
            return bytes
        }
    }

    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func mutatedJPEGsNeverCrashAndMemoryStaysBounded() throws {
        let references = try PillowReferences.shared.get()
        let seeds = [
            try JPEGEncoder().encode(RGBImage(width: 96, height: 64, pixels: PixelConversionTests.noise(96 * 64 * 3, seed: 9))),
            try references.bytes("scene_progressive.jpg"),
        ]
        let strict = try FrameDecoder(minimumWidth: 32, minimumHeight: 32)
        let lenient = try FrameDecoder(warningPolicy: .accept)
        var mutator = Mutator(state: 42)
        var decoded = 0
        var baseline = 0
        let iterations = 4000
        for iteration in 0..<iterations {
            if iteration == iterations / 4 { baseline = Self.residentBytes() }
            // The small seed most of the time keeps the run short; the large one exercises progressive scans.
            let seed = seeds[iteration % 20 == 0 ? 1 : 0]
            let frame = Frame(pixels: mutator.mutate(seed), width: 0, height: 0, format: .mjpeg,
                              captureMonotonicNs: 0, sequence: UInt64(iteration), camera: "fuzz")
            for decoder in [strict, lenient] {
                do {
                    _ = try decoder.decode(frame)
                    decoded += 1
                } catch let error as AffordError {
                    #expect(error.code == .decode)
                }
            }
        }
        let growth = Self.residentBytes() - baseline
        #expect(growth < 16 << 20, "resident memory grew by \(growth) bytes")
        #expect(strict.failures > iterations / 10, "the mutations should break many frames")
        #expect(decoded > 0, "some mutations are harmless")
        #expect(strict.failures + lenient.failures + decoded == 2 * iterations)
    }
}
