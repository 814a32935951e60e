@testable import AffordCore
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

    @Test func aMonotonicStampBecomesWallTimeAndNeverGoesBelowTheEpoch() {
        #expect(MonotonicClock.wallNs(monotonic: 5, offset: 1_000) == 1_005)
        #expect(MonotonicClock.wallNs(monotonic: 5, offset: -1_000) == 0)
        #expect(MonotonicClock.wallNs(monotonic: .max, offset: 0) == UInt64(Int64.max))
    }

    @Test func errorsCarryCodeAndLocation() {
        let error = AffordError(.invalidModel, "missing tensor 'x'")
        #expect(error.code == .invalidModel)
        #expect(error.description == "invalid_model: missing tensor 'x'")
        #expect(error.file.hasSuffix("CoreTypesTests.swift"))
    }

    /// mono8 against the plain definition, with ties, out-of-range values, NaN and infinities.
    @Test func mono8RoundsHalvesToEvenAndClamps() {
        var values: [Float] = [-1, 0, 1, 2, .nan, .infinity, -.infinity, 0.5 / 255, 1.5 / 255, 254.5 / 255]
        values += (0..<1000).map { Float($0) / 999 }
        let map = Heatmap(width: values.count, height: 1, values: values)
        let expected = values.map { value -> UInt8 in
            let clamped = value.isNaN ? 0 : min(max(value, 0), 1)
            return UInt8((clamped * 255).rounded(.toNearestOrEven))
        }
        #expect(map.mono8Bytes() == expected)
        #expect(Array(map.mono8Bytes().prefix(7)) == [0, 0, 255, 255, 0, 255, 0])
    }
}
