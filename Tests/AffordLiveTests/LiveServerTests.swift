@testable import AffordCore
import AffordTestSupport
import Foundation
import Testing

@testable import AffordLive

@Suite struct FoxgloveSessionTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func subscribeAndUnsubscribeFollowTheSpec() {
        var session = FoxgloveSession()
        #expect(session.receive(Self.bytes(#"{"op":"subscribe","subscriptions":[{"id":0,"channelId":3},{"id":7,"channelId":3}]}"#),
                                knownChannels: [3]).isEmpty)
        #expect(session.subscriptionIDs(for: 3) == [0, 7])
        #expect(session.receive(Self.bytes(#"{"op":"unsubscribe","subscriptionIds":[0]}"#), knownChannels: [3]).isEmpty)
        #expect(session.subscriptionIDs(for: 3) == [7])
    }

    @Test(arguments: [
        #"{"op":"subscribe","subscriptions":[{"id":1,"channelId":9}]}"#,         // unknown channel
        #"{"op":"subscribe","subscriptions":[{"id":7,"channelId":3}]}"#,         // id in use
        #"{"op":"subscribe","subscriptions":[{"id":4294967296,"channelId":3}]}"#,  // past UInt32
        #"{"op":"subscribe","subscriptions":[{"id":1.5,"channelId":3}]}"#,
        #"{"op":"subscribe","subscriptions":[{"id":2,"channelId":3},{"id":2,"channelId":3}]}"#,
        #"{"op":"subscribe","subscriptions":{}}"#, #"{"op":"unsubscribe","subscriptionIds":[-1]}"#,
        #"{"op":7}"#, "[]", "{", "",
    ])
    func badRequestsAreRefusedAndChangeNothing(_ text: String) {
        var session = FoxgloveSession()
        _ = session.receive(Self.bytes(#"{"op":"subscribe","subscriptions":[{"id":7,"channelId":3}]}"#), knownChannels: [3])
        let statuses = session.receive(Self.bytes(text), knownChannels: [3])
        #expect(statuses.map(\.level) == [2], "\(text) -> \(statuses)")
        #expect(session.subscriptions == [7: 3])
    }

    @Test func unknownOpsWarnAndTheSubscriptionBoundHolds() {
        var session = FoxgloveSession()
        #expect(session.receive(Self.bytes(#"{"op":"getParameters","parameterNames":[]}"#), knownChannels: []).map(\.level) == [1])
        let many = (0...FoxgloveSession.maxSubscriptions).map { #"{"id":\#($0),"channelId":1}"# }.joined(separator: ",")
        #expect(session.receive(Self.bytes(#"{"op":"subscribe","subscriptions":[\#(many)]}"#), knownChannels: [1]).map(\.level) == [2])
        #expect(session.subscriptions.isEmpty)
        #expect(session.receive(Array(repeating: UInt8(ascii: " "), count: FoxgloveSession.maxMessageBytes + 1),
                                knownChannels: []).map(\.level) == [2])
    }

    @Test func messageDataIsLittleEndianAfterTheOpcode() {
        let bytes = LiveHub.messageData(subscription: 0x0102_0304, timestampNs: 0x0A0B_0C0D_0E0F_1011, payload: [0xAA])
        #expect(bytes == [0x01, 0x04, 0x03, 0x02, 0x01, 0x11, 0x10, 0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0xAA])
    }
}

// The pyzmq-style peer (Tests/LivePeers/foxglove_client.py) is written from the ws-protocol spec
// with the `websockets` library; it runs while a thread feeds the server frames and results.
@Suite(.serialized) struct LiveServerTests {
    static let peers = Fixtures.repositoryRoot.appendingPathComponent("Tests/LivePeers")

    static func result(camera: String, seq: Int) -> FrameResult {
        var map = Heatmap(width: 64, height: 48)
        for y in 0..<48 { for x in 0..<64 { map[x, y] = Float((x + y + seq) % 64) / 63 } }
        let component = AffordanceComponent(u: 20, v: 10, area: 30, peak: 1, mean: 0.5, rayCamera: nil, rayBase: nil,
                                            tablePoint: nil, shape: ComponentShape(varianceU: 9, varianceV: 4, covarianceUV: 1))
        return FrameResult(camera: camera, sequence: UInt64(seq), captureMonotonicNs: MonotonicClock.nowNs(),
                           frameWidth: 64, frameHeight: 48, modelID: "test",
                           actions: [ActionResult(action: "hold", heatmap: map, components: [component], presence: 0.9)])
    }

    /// A JPEG-framed payload (the client checks the SOI marker; nothing decodes it), large enough to back up a socket.
    static func frame(camera: String, seq: Int) -> Frame {
        var pixels = [UInt8](repeating: UInt8(truncatingIfNeeded: seq), count: 200_000)
        pixels[0] = 0xFF
        pixels[1] = 0xD8
        // A small depth frame too: the depth channel is subscribed to and decoded as well.
        let depth = DepthImage(width: 64, height: 48, metres: [Float](repeating: 0.75, count: 64 * 48), stampNs: 0)
        return Frame(pixels: pixels, width: 640, height: 480, format: .mjpeg, captureMonotonicNs: MonotonicClock.nowNs(),
                     sequence: UInt64(seq), camera: camera, depth: depth)
    }

    @Test func anIndependentFoxgloveClientSubscribesDecodesAndAStalledOneStaysBounded() throws {
        guard PythonOracle.has("websockets") else {
            Issue.record("Python websockets is missing: run make setup")
            return
        }
        let limit = 1 << 20
        let server = try LiveServer(endpoints: [("127.0.0.1", 0)], cameras: ["front"], maxUnsentBytesPerClient: limit)
        defer { server.close() }
        server.attach(.init(metrics: { "" }, health: { (true, "ok") }, status: { [("front", Array(#"{"state":"running"}"#.utf8))] }))
        let port = try #require(server.boundAddresses.first?.split(separator: ":").last.flatMap { Int($0) })
        let feeding = Shared(true)
        let feeder = OwnedThread(name: "live-feeder") {
            var seq = 0
            while feeding.value {
                server.observe(Self.frame(camera: "front", seq: seq))
                try? server.consume(Self.result(camera: "front", seq: seq))
                seq += 1
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        defer {
            feeding.withLock { $0 = false }
            feeder.join()
        }
        let input = try JSONSerialization.data(withJSONObject: ["url": "ws://127.0.0.1:\(port)/", "camera": "front",
                                                                "action": "hold", "stall_seconds": 4, "depth": true])
        let script = "exec(open(\(String(reflecting: Self.peers.appendingPathComponent("foxglove_client.py").path))).read())"
        let output = String(decoding: try PythonOracle.run(script, input: input), as: UTF8.self)
        let last = try #require(output.split(separator: "\n").last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["ok"] as? Bool == true, "\(summary)")
        #expect(summary["depth_mm"] as? Int == 750, "the depth channel's 16UC1 millimetres: \(summary)")
        let counters = server.counters
        #expect(counters.clientsConnected == 2)
        #expect(counters.requestsRefused == 7, "six bad requests and the unsupported marker op")
        // The stalled client's messages were dropped once its unsent bytes reached the bound.
        #expect(counters.messagesDropped > 0)
        #expect(counters.peakUnsentBytes <= limit + 13 + 400_000, "unsent bytes grew past the bound: \(counters.peakUnsentBytes)")
    }

    @Test func httpServesHealthMetricsAndThePageAndRefusesTheRest() throws {
        let server = try LiveServer(endpoints: [("127.0.0.1", 0)], cameras: ["front"])
        defer { server.close() }
        let port = try #require(server.boundAddresses.first?.split(separator: ":").last.flatMap { Int($0) })
        let healthy = Shared(true)
        server.attach(.init(metrics: { "# TYPE affordd_up gauge\naffordd_up 1\n" },
                            health: { healthy.value ? (true, "healthy") : (false, "camera lost") }, status: { [] }))
        let script = """
        import json, sys, urllib.request, urllib.error
        base = sys.stdin.read().strip()
        def get(path, method="GET"):
            try:
                with urllib.request.urlopen(urllib.request.Request(base + path, method=method), timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()
        print(json.dumps({p: get(p) for p in ["/healthz", "/metrics", "/", "/nope"]} | {"post": get("/metrics", "POST")}))
        """
        func fetch() throws -> [String: [Any]] {
            let data = try PythonOracle.run(script, input: Data("http://127.0.0.1:\(port)".utf8))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [Any]])
        }
        var answers = try fetch()
        #expect(answers["/healthz"]?.first as? Int == 200)
        #expect(answers["/metrics"]?.first as? Int == 200 && (answers["/metrics"]?.last as? String)?.contains("affordd_up 1") == true)
        #expect(answers["/"]?.first as? Int == 200 && (answers["/"]?.last as? String)?.contains("<canvas") == true)
        #expect(answers["/nope"]?.first as? Int == 404)
        #expect(answers["post"]?.first as? Int == 405)
        healthy.withLock { $0 = false }
        answers = try fetch()
        #expect(answers["/healthz"]?.first as? Int == 503)
        #expect((answers["/healthz"]?.last as? String)?.contains("camera lost") == true)
    }
}
