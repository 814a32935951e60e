import AffordCore
import Testing

@Suite struct CoreTypesTests {
    @Test func frameStrideFollowsFormat() {
        let rgb = Frame(pixels: [UInt8](repeating: 0, count: 12), width: 2, height: 2, format: .rgb8,
                        captureMonotonicNs: 1, sequence: 0, camera: "c")
        #expect(rgb.stride == 6)
        let jpeg = Frame(pixels: [0xFF, 0xD8], width: 640, height: 480, format: .mjpeg,
                         captureMonotonicNs: 1, sequence: 0, camera: "c")
        #expect(jpeg.stride == 0)
    }

    @Test func heatmapSubscriptIsRowMajor() {
        var map = Heatmap(width: 3, height: 2)
        map[2, 1] = 5
        #expect(map.values[5] == 5)
    }

    @Test func monotonicClockAdvancesAndOffsetIsPlausible() {
        let a = MonotonicClock.nowNs()
        let b = MonotonicClock.nowNs()
        #expect(b >= a)
        // Wall time is after 2020 whatever the boot time.
        let wall = Int64(bitPattern: MonotonicClock.nowNs()) + MonotonicClock.realtimeOffsetNs()
        #expect(wall > 1_577_836_800_000_000_000)
    }

    @Test func errorsCarryCodeAndLocation() {
        let error = AffordError(.invalidModel, "missing tensor 'x'")
        #expect(error.code == .invalidModel)
        #expect(error.description == "invalid_model: missing tensor 'x'")
        #expect(error.file.hasSuffix("CoreTypesTests.swift"))
    }
}
