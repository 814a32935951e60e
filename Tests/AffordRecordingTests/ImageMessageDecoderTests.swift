import AffordCore
@testable import AffordRecording
import Foundation
import Testing

@Suite struct ImageMessageDecoderTests {
    static func message(width: UInt32, height: UInt32, encoding: String, step: UInt32) throws -> [UInt8] {
        let image = Foxglove.RawImage(timestamp: Foxglove.Time(nanoseconds: 1), frame_id: "c", width: width, height: height,
                                      encoding: encoding, step: step, data: Data([0, 0]))
        return Array(try JSONEncoder().encode(image))
    }

    /// Every map downstream is allocated at frame size, so a raw frame claiming more pixels than
    /// a JPEG may decode to is refused before anything is sized from it, colour or depth.
    @Test func rawFramesOverThePixelCapAreCorrupt() throws {
        let decoder = ImageMessageDecoder()
        for (encoding, bytes) in [("mono8", 1), ("16UC1", 2)] {
            let width: UInt32 = 8192, height: UInt32 = 4097  // one row over 2^25 pixels
            let data = try Self.message(width: width, height: height, encoding: encoding, step: width * UInt32(bytes))
            let error = #expect(throws: AffordError.self) {
                if encoding == "mono8" {
                    _ = try decoder.decode(data, kind: .foxgloveRaw, context: "log")
                } else {
                    _ = try decoder.decodeDepth(data, kind: .foxgloveRaw, context: "log")
                }
            }
            #expect(error?.code == .corruptLog && error?.message.contains("8192x4097") == true, "\(String(describing: error))")
        }
        // At the cap the size is fine and the layout check speaks: two bytes do not hold the rows.
        let atCap = try Self.message(width: 8192, height: 4096, encoding: "mono8", step: 8192)
        let layout = #expect(throws: AffordError.self) { _ = try decoder.decode(atCap, kind: .foxgloveRaw, context: "log") }
        #expect(layout?.message.contains("does not fit") == true, "\(String(describing: layout))")
    }
}
