@testable import AffordTransport
import Testing

@Suite struct DemonstrateParserTests {
    static let keypoints = "[" + Array(repeating: "[10,20,0.9]", count: 17).joined(separator: ",") + "]"

    func parse(frame: String?, attachments: [[UInt8]] = []) -> Result<ControlRequest, ControlParseError> {
        let frameField = frame.map { #","frame":\#($0)"# } ?? ""
        let body = #"{"op":"demonstrate","action":"hold","keypoints":\#(Self.keypoints)\#(frameField)}"#
        return ControlParser.parse(Array(body.utf8), attachments: attachments)
    }

    func frame(_ result: Result<ControlRequest, ControlParseError>) -> FrameReference? {
        guard case .success(let request) = result, case .demonstrate(let demonstration) = request.command else { return nil }
        return demonstration.frame
    }

    @Test func everyFrameReferenceParses() {
        #expect(frame(parse(frame: nil, attachments: [[0xFF, 0xD8]])) == .attachedJPEG)
        #expect(frame(parse(frame: #""latest""#)) == .latest)
        #expect(frame(parse(frame: #"{"log":"/var/lib/affordd/run.mcap","sequence":42}"#))
            == .recorded(log: "/var/lib/affordd/run.mcap", sequence: 42))
    }

    @Test func badFrameReferencesAreRefusedWithAReason() {
        let refused = [
            #"{"log":"/x.mcap"}"#,                          // no sequence
            #"{"log":"/x.mcap","sequence":-1}"#,            // negative
            #"{"log":"/x.mcap","sequence":"3"}"#,           // wrong type
            #"{"log":"","sequence":3}"#,                    // empty path
            #"{"log":"/x.mcap","sequence":3,"extra":1}"#,   // unknown key
            #""yesterday""#, "7",
        ]
        for reference in refused {
            guard case .failure(let failure) = parse(frame: reference) else {
                Issue.record("accepted frame \(reference)")
                continue
            }
            #expect(failure.code == "bad_field", "\(reference): \(failure)")
        }
        // A recorded frame takes no attachment.
        guard case .failure(let failure) = parse(frame: #"{"log":"/x.mcap","sequence":1}"#, attachments: [[1]]) else {
            Issue.record("accepted an attachment with a recorded frame")
            return
        }
        #expect(failure.code == "bad_request")
    }
}
