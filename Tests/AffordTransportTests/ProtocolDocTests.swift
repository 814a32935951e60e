import AffordTestSupport
import Foundation
import Testing

@testable import AffordTransport

/// Runs the examples in docs/PROTOCOL.md verbatim, so the document cannot rot.
@Suite struct ProtocolDocTests {
    static func example(_ name: String) throws -> String {
        let document = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        let marker = try #require(document.range(of: "<!-- example:\(name) "), "no example:\(name) in PROTOCOL.md")
        let afterMarker = document[marker.upperBound...]
        let start = try #require(afterMarker.range(of: "```python\n"))
        let end = try #require(afterMarker[start.upperBound...].range(of: "```"))
        return String(afterMarker[start.upperBound..<end.lowerBound])
    }

    @Test func subscriberExampleReadsHeatmapsAndCentroids() async throws {
        let context = try ZMQContext()
        let publisher = try HeatmapPublisher(context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"]))
        defer { publisher.close() }
        let peer = try PythonPeer(interpreterArguments: ["-c", try Self.example("subscriber"), publisher.boundEndpoints[0]])
        var seq = 0
        let deadline = Date().addingTimeInterval(20)
        while peer.isRunning, Date() < deadline {
            try publisher.consume(SyntheticResults.result(camera: "front", actions: ["hold", "cut"], width: 64, height: 48, seq: seq))
            seq += 1
            await pause(seconds: 0.03)
        }
        #expect(await peer.finish() == 0, "\(peer.transcript)")
        let lines = peer.output.split(separator: "\n")
        #expect(lines.count == 8)
        // The example reshapes by height and step: a 48-row, 64-column map for this 64×48 publisher.
        #expect(lines.contains { $0.hasPrefix("front hold ") && $0.contains("(48, 64)") && $0.contains("peak at") && $0.contains("centroid (10.5,") })
        #expect(lines.contains { $0.hasPrefix("front ") && $0.contains("'hold': 1") && $0.contains("'cut': 1") })
    }

    @Test func controlExampleGetsRepliesAndErrors() async throws {
        let context = try ZMQContext()
        let handler = RecordingHandler()
        let server = try ControlServer(context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"]), handler: handler)
        defer { server.close() }
        let peer = try PythonPeer(interpreterArguments: ["-c", try Self.example("control"), server.boundEndpoints[0]])
        #expect(await peer.finish(timeout: 20) == 0, "\(peer.transcript)")
        let lines = peer.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.contains("'ok': True") == true && lines.first?.contains("'id': 'r1'") == true)
        #expect(lines.last?.contains("'code': 'unknown_op'") == true)
        #expect(handler.received.map(\.0.command) == [.setActions(["hold", "cut"]), .pause])
    }
}
