@testable import AffordRecording
import Testing

@Suite struct CRC32Tests {
    @Test func matchesTheStandardCheckValue() {
        // The CRC-32/ISO-HDLC check value from the CRC catalogue (same as zlib.crc32(b"123456789")).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.reference(0, Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func slicedMatchesReferenceOnEveryLengthAndSplit() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<1037).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 1000, 1037] {
            let slice = Array(data[0..<length])
            #expect(CRC32.checksum(slice) == CRC32.reference(0, slice), "length \(length)")
        }
        // Continuing a CRC over two pieces equals one pass over the whole.
        let whole = CRC32.checksum(data)
        #expect(CRC32.checksum(Array(data[500...]), continuing: CRC32.checksum(Array(data[..<500]))) == whole)
    }
}
