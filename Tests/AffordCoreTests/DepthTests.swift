@testable import AffordCore
import Testing

@Suite struct DepthPairingTests {
    static func colour(_ stamp: UInt64) -> Frame {
        Frame(pixels: [], width: 1, height: 1, format: .rgb8, captureMonotonicNs: stamp, sequence: stamp, camera: "c")
    }

    static func depth(_ stamp: UInt64, _ value: Float = 1) -> DepthImage {
        DepthImage(width: 1, height: 1, metres: [value], stampNs: stamp)
    }

    @Test func aDepthFrameAfterItsColourFrameReleasesIt() {
        var pairing = DepthPairing(toleranceNs: 10)
        #expect(pairing.receive(colour: Self.colour(100), stampNs: 100).isEmpty)
        let out = pairing.receive(depth: Self.depth(100, 0.7))
        #expect(out.map(\.sequence) == [100] && out.first?.depth?.metres == [0.7])
    }

    @Test func aDepthFrameBeforeItsColourFramePairsAtOnce() {
        var pairing = DepthPairing(toleranceNs: 5)
        #expect(pairing.receive(depth: Self.depth(103)).isEmpty)
        let out = pairing.receive(colour: Self.colour(100), stampNs: 100)
        #expect(out.count == 1 && out.first?.depth?.stampNs == 103)
        // A depth frame pairs once: the next colour frame does not reuse it.
        #expect(pairing.receive(colour: Self.colour(104), stampNs: 104).isEmpty)
    }

    @Test func theClosestDepthFrameWins() {
        var pairing = DepthPairing(toleranceNs: 20)
        _ = pairing.receive(depth: Self.depth(70, 0.7))
        _ = pairing.receive(depth: Self.depth(99, 0.99))
        _ = pairing.receive(depth: Self.depth(115, 1.15))
        #expect(pairing.receive(colour: Self.colour(100), stampNs: 100).first?.depth?.metres == [0.99])
        #expect(pairing.unpairedDepths == 1, "the 70 ns frame is too old for any later colour frame")
    }

    @Test func aMissingDepthFrameIsShownByTheNextMessages() {
        var pairing = DepthPairing(toleranceNs: 10)
        _ = pairing.receive(colour: Self.colour(100), stampNs: 100)
        // The next colour frame releases the first one without depth, and waits itself.
        let first = pairing.receive(colour: Self.colour(133), stampNs: 133)
        #expect(first.map(\.sequence) == [100] && first.first?.depth == nil)
        // A depth frame past its tolerance releases it too.
        let second = pairing.receive(depth: Self.depth(160))
        #expect(second.map(\.sequence) == [133] && second.first?.depth == nil)
        #expect(pairing.finish().isEmpty)
    }

    @Test func expiryAndFinishReleaseTheHeldFrame() {
        var pairing = DepthPairing(toleranceNs: 10)
        _ = pairing.receive(colour: Self.colour(100), stampNs: 100)
        #expect(pairing.expire(nowNs: 110).isEmpty, "still within the tolerance")
        #expect(pairing.expire(nowNs: 111).map(\.sequence) == [100])
        _ = pairing.receive(colour: Self.colour(200), stampNs: 200)
        #expect(pairing.finish().map(\.sequence) == [200])
    }

    @Test func backwardsAndSurplusDepthFramesAreCounted() {
        var pairing = DepthPairing(toleranceNs: 10, capacity: 2)
        _ = pairing.receive(depth: Self.depth(50))
        _ = pairing.receive(depth: Self.depth(40))
        #expect(pairing.unpairedDepths == 1)
        _ = pairing.receive(depth: Self.depth(60))
        _ = pairing.receive(depth: Self.depth(70))
        #expect(pairing.unpairedDepths == 2 && pairing.depths.map(\.stampNs) == [60, 70])
    }
}

@Suite struct DepthImageTests {
    @Test func sixteenBitSamplesReadWithTheirStrideEndianAndScale() throws {
        // 2×2, rows padded to 6 bytes: 1000, 0 / 65535, 258 (little endian) in mm.
        let little: [UInt8] = [0xE8, 0x03, 0x00, 0x00, 0xAA, 0xAA, 0xFF, 0xFF, 0x02, 0x01, 0xAA, 0xAA]
        let image = try DepthImage(unsigned16: little, width: 2, height: 2, stride: 6, stampNs: 5, context: "test")
        let expected: [Float] = [1.0, 0, 65.535, 0.258]
        #expect(zip(image.metres, expected).allSatisfy { abs($0 - $1) < 1e-5 } && image.stampNs == 5)
        let big = try DepthImage(unsigned16: [0x03, 0xE8], width: 1, height: 1, stride: 2, bigEndian: true,
                                 metresPerUnit: 0.0001, stampNs: 0, context: "test")
        #expect(abs(big.metres[0] - 0.1) < 1e-7)
        #expect(image.millimetres16() == [0xE8, 0x03, 0x00, 0x00, 0xFF, 0xFF, 0x02, 0x01])
    }

    @Test func floatSamplesTurnNaNAndNegativesIntoNoReading() throws {
        let values: [Float] = [1.25, .nan, -2, .infinity]
        let bytes = values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        let image = try DepthImage(float32: bytes, width: 4, height: 1, stride: 16, stampNs: 0, context: "test")
        #expect(image.metres == [1.25, 0, 0, 0])
    }

    @Test func badLayoutsAreClearErrors() {
        #expect(throws: AffordError.self) {
            try DepthImage(unsigned16: [0, 0, 0], width: 2, height: 1, stride: 4, stampNs: 0, context: "short")
        }
        #expect(throws: AffordError.self) {
            try DepthImage(unsigned16: [0, 0], width: 2, height: 1, stride: 2, stampNs: 0, context: "narrow step")
        }
        #expect(throws: AffordError.self) {
            try DepthImage(unsigned16: [], width: 0, height: 1, stride: 0, stampNs: 0, context: "empty")
        }
        #expect(throws: AffordError.self) {
            try DepthImage(unsigned16: [0, 0], width: 1, height: 1, stride: 2, metresPerUnit: .nan, stampNs: 0, context: "scale")
        }
    }
}
