import AffordCore
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
    func seedsAndRegressionsRunClean(_ harness: FuzzHarness) async throws {
        let seeds = Self.inputs("corpus", harness)
        #expect(!seeds.isEmpty, "no seed corpus for \(harness.rawValue)")
        let urls = seeds + Self.inputs("regressions", harness)
        let inputs = try urls.map { try [UInt8](Data(contentsOf: $0)) }
        for (url, input) in zip(urls, inputs) {
            #expect(input.count <= harness.maxInputLength, "\(url.lastPathComponent) exceeds -max_len")
        }
        _ = await Self.onOwnThread { for input in inputs { harness.run(input) } }
    }

    /// The control harness blocks its thread until an async handler finishes, as libFuzzer's
    /// thread does; on one of the few cooperative-pool threads that could starve the handler.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let result = Shared<T?>(nil)
        await OwnedThread(name: "fuzz-inputs") { let value = body(); result.withLock { $0 = value } }.join()
        return result.value
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

    /// The depth seeds reach the pairing: the harness's colour frame comes out with their depth.
    @Test func depthSeedsArePairedWithTheColourFrame() throws {
        for name in ["depth_16uc1.cdr", "depth_32fc1.cdr"] {
            let input = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("corpus/ros2/\(name)")))
            let frames = ROS2Harness.run(input)
            #expect(frames.count == 1 && frames.first?.depth?.width == 4 && frames.first?.depth?.metres[1] == 0.25,
                    "\(name): \(frames.map { $0.depth?.metres ?? [] })")
        }
    }

    /// The seeds reach past the parser: a demonstration is learnt from the fake camera's frame,
    /// an attached JPEG and a recording, so the handlers' arithmetic is part of what is fuzzed.
    @Test func controlSeedsAreHandledNotOnlyParsed() async throws {
        let names = ["demonstrate_latest.json", "demonstrate_attached.bin", "demonstrate_recorded.json",
                     "snapshot_camera.json", "status.json", "teach_latest.json", "teach_points.json", "teach_rings.json",
                     "taught.json"]
        let inputs = try names.map { try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("corpus/control/\($0)"))) }
        let replies = await Self.onOwnThread { inputs.map { ControlHarness.shared.run($0) } } ?? []
        #expect(replies.count == names.count)
        for (name, reply) in zip(names, replies) {
            let text = String(decoding: reply, as: UTF8.self)
            #expect(text.contains(#""ok":true"#), "\(name): \(text)")
        }
    }
}
