import AffordTestSupport
import Foundation
import Testing

/// `affordd replay --http` with the live view on: Prometheus's own parser reads `/metrics`
/// (Tests/LivePeers/metrics_check.py) while the log plays, and the counters move.
@Suite struct LiveViewProcessTests {
    @Test func metricsParseWithPrometheusClientAndMoveWhileALogReplays() throws {
        guard let binary = DaemonProcessTests.binary else {
            Issue.record("affordd binary not built; run swift build first")
            return
        }
        guard PythonOracle.has("prometheus_client") else {
            Issue.record("Python prometheus_client is missing: run make setup")
            return
        }
        let log = Fixtures.repositoryRoot.appendingPathComponent("demo/demo.mcap").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["replay", log, "--http", "127.0.0.1:0", "--action", "hold", "--action", "cut"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let lines = DaemonProcessTests.Lines()
        stderr.fileHandleForReading.readabilityHandler = { lines.append($0.availableData) }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        #expect(lines.wait(for: "live view", timeout: 60), "no live view line: \(lines.all)")
        let url = try #require(lines.all.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+/).map { String($0.output) })
        let script = "exec(open(\(String(reflecting: Fixtures.repositoryRoot.appendingPathComponent("Tests/LivePeers/metrics_check.py").path))).read())"
        let output = try PythonOracle.run(script, input: Data(url.utf8))
        let seen = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any], "\(String(decoding: output, as: UTF8.self))")
        print("live view metrics: \(seen)")
        let published = try #require(seen["published"] as? [Double])
        #expect(published.count == 2 && published[1] > published[0], "end-to-end frames did not move: \(published)")
        let inference = try #require(seen["inference_count"] as? [Double])
        #expect(inference[1] > inference[0])
        #expect(seen["presence_actions"] as? [String] == ["cut", "hold"])
        #expect((seen["health"] as? [Any])?.first as? Int == 200)
    }
}
