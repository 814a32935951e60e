import AffordTestSupport
import Foundation
import Testing

@testable import AffordFuzzing

/// Every committed seed and regression input, through the same harness bodies libFuzzer runs
/// (`make fuzz`). A regression input is one that once crashed: a trap here is that bug back.
@Suite(.serialized) struct FuzzCorpusTests {
    static let root = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fuzz")

    static func inputs(_ kind: String, _ harness: FuzzHarness) -> [URL] {
        let folder = root.appendingPathComponent(kind).appendingPathComponent(harness.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzHarness.allCases)
    func seedsAndRegressionsRunClean(_ harness: FuzzHarness) throws {
        let seeds = Self.inputs("corpus", harness)
        #expect(!seeds.isEmpty, "no seed corpus for \(harness.rawValue)")
        for url in seeds + Self.inputs("regressions", harness) {
            let input = try [UInt8](Data(contentsOf: url))
            #expect(input.count <= harness.maxInputLength, "\(url.lastPathComponent) exceeds -max_len")
            harness.run(input)
        }
    }

    @Test(arguments: FuzzHarness.allCases)
    func everyHarnessHasADictionary(_ harness: FuzzHarness) {
        let dictionary = Self.root.appendingPathComponent("dictionaries/\(harness.rawValue).dict")
        #expect(FileManager.default.fileExists(atPath: dictionary.path))
    }

    @Test func controlInputSplitsIntoBodyAndAttachments() {
        let separator = ControlHarness.separator
        #expect(ControlHarness.split(Array("{}".utf8)) == [Array("{}".utf8)])
        #expect(ControlHarness.split(Array("{}".utf8) + separator + [1, 2] + separator) == [Array("{}".utf8), [1, 2], []])
    }

    /// The seeds reach past the parser: a demonstration is learnt from the fake camera's frame,
    /// an attached JPEG and a recording, so the handlers' arithmetic is part of what is fuzzed.
    @Test func controlSeedsAreHandledNotOnlyParsed() throws {
        for name in ["demonstrate_latest.json", "demonstrate_attached.bin", "demonstrate_recorded.json",
                     "snapshot_camera.json", "status.json"] {
            let input = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("corpus/control/\(name)")))
            let text = String(decoding: ControlHarness.shared.run(input), as: UTF8.self)
            #expect(text.contains(#""ok":true"#), "\(name): \(text)")
        }
    }
}
