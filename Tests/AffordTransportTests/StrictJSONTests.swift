@testable import AffordCore
import AffordTestSupport
@testable import AffordTransport
import Foundation
import Testing

/// The control parser's own JSON reader: the inputs that stopped the daemon, the
/// leniencies the protocol forbids, and a differential run against Python's json.
@Suite struct StrictJSONTests {
    static func parse(_ text: String) -> JSONValue? { try? StrictJSON.parse(Array(text.utf8)) }

    /// Foundation's scanner trapped on exactly 513 brackets; the strict reader refuses any depth past its bound.
    @Test func deepNestingIsRefusedNotTrapped() {
        for count in [33, 511, 512, 513, 514, 60_000] {
            let body = String(repeating: "[", count: count)
            guard case .failure(let error) = ControlParser.parse(Array(body.utf8)) else {
                Issue.record("\(count) brackets accepted")
                continue
            }
            #expect(error.code == "bad_json")
        }
        let nested = #"{"op":"status","x":"# + String(repeating: "[", count: 512)
        #expect((try? ControlParser.parse(Array(nested.utf8)).get()) == nil)
        let deepest = String(repeating: "[", count: StrictJSON.maxDepth) + String(repeating: "]", count: StrictJSON.maxDepth)
        #expect(Self.parse(deepest) != nil)
        #expect(Self.parse("[" + deepest + "]") == nil)
    }

    @Test func leniencyTheProtocolForbidsIsRefused() {
        for text in [#"{"op":"status",}"#, #"[1,]"#, "\u{FEFF}{\"op\":\"status\"}", #"{"op":"status","op":"frobnicate"}"#,
                     #"NaN"#, #"[Infinity]"#, #"[1e999]"#, #"[01]"#, #"[1.]"#, #"[.5]"#, #"["\ud800"]"#, #"["\udc00x"]"#,
                     "[\"a\u{01}\"]", #"{"a" 1}"#, #"[1] x"#, #"'a'"#, #"[tru]"#, ""] {
            #expect(Self.parse(text) == nil, "accepted \(text.debugDescription)")
        }
        #expect((try? StrictJSON.parse([0x22, 0xC0, 0xAF, 0x22])) == nil)  // overlong UTF-8
        #expect((try? StrictJSON.parse([0x22, 0xED, 0xA0, 0x80, 0x22])) == nil)  // a surrogate in UTF-8
        guard case .failure(let error) = ControlParser.parse(Array(#"{"op":"status","op":"frobnicate"}"#.utf8)) else {
            Issue.record("a duplicate op was accepted")
            return
        }
        #expect(error.code == "bad_json" && error.reason.contains("duplicate key"))
    }

    @Test func valuesComeOutAsWritten() throws {
        let value = try StrictJSON.parse(Array(#" {"a": [1, -2.5e1, 9223372036854775807, 1e300], "s": "\u00e9\ud83d\ude00\n", "t": true, "n": null} "#.utf8))
        #expect(value == .object([
            "a": .array([.int(1), .double(-25), .int(Int64.max), .double(1e300)]),
            "s": .string("é😀\n"), "t": .bool(true), "n": .null,
        ]))
        #expect(Self.parse("18446744073709551615") == .double(18446744073709551615))
        #expect(Self.parse("\"é\"") == .string("é"))
    }

    /// Random and mutated bodies, classified by Swift and by Python's json with the same rules.
    @Test func agreesWithPythonsJSONModule() async throws {
        var rng = SplitMix64(seed: 0x5EED_150)
        let seeds = [#"{"op":"set_actions","actions":["hold","cut"],"id":"r1"}"#, #"[1,-2.5e3,true,null,{"k":"v"}]"#,
                     #"{"a":{"b":[[],{}]},"c":"\u00e9\n"}"#, "\"\u{e9}\u{1F600}\""].map { Array($0.utf8) }
        let tokens = [#"{"#, #"}"#, #"["#, #"]"#, #","#, #":"#, #"""#, #"\"#, #"null"#, #"1e999"#, #"-0"#, #"01"#, #"\ud800"#,
                      #""k""#, "\u{FEFF}", " ", #"1.5"#, #"NaN"#].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80]]
        var bodies: [[UInt8]] = []
        for iteration in 0..<6_000 {
            var body = seeds[iteration % seeds.count]
            if iteration % 3 == 0 {
                body = (0..<Int(1 + rng.next() % 16)).flatMap { _ in tokens[Int(rng.next() % UInt64(tokens.count))] }
            } else {
                for _ in 0..<(1 + rng.next() % 3) where !body.isEmpty {
                    let at = Int(rng.next() % UInt64(body.count))
                    switch rng.next() % 3 {
                    case 0: body[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: body.remove(at: at)
                    default: body.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
                    }
                }
            }
            bodies.append(body)
        }
        bodies += [Array(String(repeating: "[", count: 40).utf8), Array(#"{"a":1,"a":1}"#.utf8)]
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("strict-json-\(UUID().uuidString).hex")
        defer { try? FileManager.default.removeItem(at: input) }
        let hex = bodies.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n") + "\n"
        try hex.write(to: input, atomically: true, encoding: .utf8)
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Scripts/strict_json_reference.py").path
        let answers = try await PythonPeer.evaluate(
            "import subprocess, sys; sys.stdout.write(subprocess.run([sys.executable, \(String(reflecting: script))], "
                + "stdin=open(\(String(reflecting: input.path))), capture_output=True, check=True, text=True).stdout)",
            timeout: 60
        ).split(separator: "\n").map(String.init)
        try #require(answers.count == bodies.count)
        var accepted = 0
        for (body, expected) in zip(bodies, answers) {
            let mine = Self.classify(try? StrictJSON.parse(body))
            #expect(mine == expected, "\(String(decoding: body, as: UTF8.self).debugDescription)")
            if mine != "err" { accepted += 1 }
        }
        #expect(accepted > 300, "only \(accepted) bodies were valid JSON: the differential run tests too little")
    }

    static func classify(_ value: JSONValue?) -> String {
        switch value {
        case nil: "err"
        case .object(let fields)? where fields.isEmpty: "ok object"
        case .object(let fields)?: "ok object " + fields.keys.map { $0.utf8.map { String(format: "%02x", $0) }.joined() }
            .sorted().joined(separator: ",")
        case .array?: "ok array"
        case .string?: "ok string"
        case .bool?: "ok bool"
        case .null?: "ok null"
        case .int?, .double?: "ok number"
        }
    }
}
