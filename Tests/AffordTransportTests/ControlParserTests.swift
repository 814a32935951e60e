import AffordTestSupport
@testable import AffordTransport
import Foundation
import Testing

@Suite struct ControlParserTests {
    func parse(_ text: String) -> Result<ControlRequest, ControlParseError> { ControlParser.parse(Array(text.utf8)) }

    @Test func wellFormedRequestsBecomeCommands() throws {
        #expect(try parse(#"{"op":"status","id":"7"}"#).get() == ControlRequest(id: "7", command: .status))
        #expect(try parse(#"{"op":"set_actions","actions":["hold","cut"]}"#).get().command == .setActions(["hold", "cut"]))
        #expect(try parse(#"{"op":"snapshot"}"#).get().command == .snapshot(camera: nil))
        #expect(try parse(#"{"camera":"front","op":"snapshot"}"#).get().command == .snapshot(camera: "front"))
        for op in ["pause", "resume", "reload"] {
            #expect(try parse(#"{"op":"\#(op)"}"#).get().command.op.rawValue == op)
        }
    }

    @Test func malformedRequestsSayWhy() {
        let cases: [(String, String)] = [
            ("{", "bad_json"), ("3", "bad_request"), (#"{"op":"fly"}"#, "unknown_op"), (#"{}"#, "missing_field"),
            (#"{"op":true}"#, "bad_field"), (#"{"op":"set_actions","actions":[1]}"#, "bad_field"),
            (#"{"op":"set_actions","actions":[]}"#, "bad_field"), (#"{"op":"resume","camera":"x"}"#, "unknown_field"),
            (#"{"op":"snapshot","camera":""}"#, "bad_field"), (#"{"op":"set_actions","actions":[true]}"#, "bad_field"),
        ]
        for (text, code) in cases {
            guard case .failure(let error) = parse(text) else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(error.code == code, "\(text): \(error)")
            #expect(!error.reason.isEmpty)
        }
        if case .failure(let error) = parse(#"{"op":"set_actions","id":"a1","actions":"hold"}"#) {
            #expect(error.op == "set_actions" && error.id == "a1")
        } else {
            Issue.record("string actions accepted")
        }
        let oversized = [UInt8](repeating: UInt8(ascii: " "), count: ControlParser.maxBodyBytes + 1)
        #expect((try? ControlParser.parse(oversized).get()) == nil)
    }

    /// Tens of thousands of random and mutated bodies: the parser always answers,
    /// and whatever it accepts satisfies the protocol's rules.
    @Test func fuzzedInputsNeverCrashAndAcceptedOnesAreValid() {
        var rng = SplitMix64(seed: 0xAFF0_4D)
        let seeds = [
            #"{"op":"status","id":"x1"}"#, #"{"op":"set_actions","actions":["hold","cut","pour"]}"#,
            #"{"op":"snapshot","camera":"front"}"#, #"{"op":"pause"}"#, #"{"op":"resume"}"#, #"{"op":"reload"}"#,
        ].map { Array($0.utf8) }
        let tokens = [#"{"#, #"}"#, #"["#, #"]"#, #","#, #":"#, #"""#, #"null"#, #"true"#, #"1e999"#, #"-0"#, #"\u0000"#,
                      #""op""#, #""actions""#, #""camera""#, #""id""#, "\u{FF}", "\\", #""set_actions""#].map { Array($0.utf8) }
        var accepted = 0
        let total = 40_000
        for iteration in 0..<total {
            var body: [UInt8]
            switch iteration % 4 {
            case 0:
                body = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1:
                body = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + rng.next() % 4) where !body.isEmpty {
                    let at = Int(rng.next() % UInt64(body.count))
                    switch rng.next() % 3 {
                    case 0: body[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: body.remove(at: at)
                    default: body.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
                    }
                }
            case 2:
                body = Array(seeds[Int(rng.next() % UInt64(seeds.count))].prefix(Int(rng.next() % 60)))
            default:
                body = (0..<Int(1 + rng.next() % 24)).flatMap { _ in tokens[Int(rng.next() % UInt64(tokens.count))] }
            }
            guard case .success(let request) = ControlParser.parse(body) else { continue }
            accepted += 1
            if case .setActions(let names) = request.command {
                #expect(!names.isEmpty && names.allSatisfy(Topic.isValidName) && Set(names).count == names.count)
            }
            if case .snapshot(let camera?) = request.command { #expect(Topic.isValidName(camera)) }
        }
        // Mutations must reach past the JSON layer, or the fuzzing only tested the decoder.
        #expect(accepted > 100, "only \(accepted) of \(total) fuzzed bodies parsed")
    }
}

