@testable import AffordTransport
import Testing

@Suite struct TeachParserTests {
    func parse(_ fields: String, attachments: [[UInt8]] = []) -> Result<ControlRequest, ControlParseError> {
        ControlParser.parse(Array(#"{"op":"teach","action":"press",\#(fields)}"#.utf8), attachments: attachments)
    }

    func code(_ result: Result<ControlRequest, ControlParseError>) -> String? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    @Test func polygonsAndClicksParse() throws {
        let polygon = parse(#""frame":"latest","camera":"front","polygon":[[1,2],[30.5,2],[30,40]]"#)
        #expect(try polygon.get().command == .teach(TeachRequest(action: "press", frame: .latest, camera: "front",
                                                                 marking: .polygons([[[1, 2], [30.5, 2], [30, 40]]]))))
        let clicks = parse(#""points":[[5,5]],"negative":[[1,1],[2,2]]"#, attachments: [[0xFF, 0xD8]])
        #expect(try clicks.get().command == .teach(TeachRequest(action: "press", frame: .attachedJPEG,
                                                                marking: .points(positive: [[5, 5]], negative: [[1, 1], [2, 2]]))))
        let rings = parse(#""frame":"latest","polygons":[[[0,0],[9,0],[9,9]],[[2,2],[4,2],[4,4]]]"#)
        #expect(try rings.get().command == .teach(TeachRequest(action: "press", frame: .latest,
                                                               marking: .polygons([[[0, 0], [9, 0], [9, 9]], [[2, 2], [4, 2], [4, 4]]]))))
        #expect(try ControlParser.parse(Array(#"{"op":"taught"}"#.utf8)).get().command == .taught)
        #expect(try ControlParser.parse(Array(#"{"op":"forget","actions":["press"]}"#.utf8)).get().command == .forget(["press"]))
        #expect(try ControlParser.parse(Array(#"{"op":"forget"}"#.utf8)).get().command == .forget([]))
    }

    @Test func badMarkingsAreRefusedBeforeTheHandler() {
        let vertices = "[" + Array(repeating: "[1,2]", count: 257).joined(separator: ",") + "]"
        let cases: [(String, String)] = [
            (#""frame":"latest""#, "missing_field"),
            (#""frame":"latest","polygon":[[1,2],[3,4]]"#, "bad_field"),                 // two vertices
            (#""frame":"latest","polygon":\#(vertices)"#, "bad_field"),                   // too many
            (#""frame":"latest","polygon":[[1,2],[3,4],[5]]"#, "bad_field"),              // not a pair
            (#""frame":"latest","polygon":[[1,2],[3,4],[5,"6"]]"#, "bad_field"),          // not a number
            (#""frame":"latest","polygon":[[1,2],[3,4],[5,1e30]]"#, "bad_field"),         // beyond 2^24
            (#""frame":"latest","polygon":[[1,2],[3,4],[5,-9223372036854775808]]"#, "bad_field"),  // Int64.min
            (#""frame":"latest","polygon":[[1,2],[3,4],[5,6]],"points":[[1,1]]"#, "bad_field"),
            (#""frame":"latest","polygon":[[1,2],[3,4],[5,6]],"negative":[[1,1]]"#, "bad_field"),
            (#""frame":"latest","points":[]"#, "bad_field"),
            (#""frame":"latest","polygons":[]"#, "bad_field"),
            (#""frame":"latest","polygons":[[[1,2],[3,4]]]"#, "bad_field"),
            (#""frame":"latest","polygons":[[[1,2],[3,4],[5,6]]],"polygon":[[1,2],[3,4],[5,6]]"#, "bad_field"),
            (#""frame":"latest","points":[[1,1]],"extra":1"#, "unknown_field"),
            (#""polygon":[[1,2],[3,4],[5,6]]"#, "bad_request"),                           // attached, but no JPEG
            (#""frame":"latest","camera":"a/b","points":[[1,1]]"#, "bad_field"),
        ]
        for (fields, expected) in cases {
            #expect(code(parse(fields)) == expected, "\(fields)")
        }
        #expect(code(parse(#""frame":"latest","points":[[1,1]]"#, attachments: [[1]])) == "bad_request")
    }
}
