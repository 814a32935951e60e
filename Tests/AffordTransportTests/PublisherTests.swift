import AffordCore
import Foundation
import Testing

@testable import AffordTransport

@Suite struct PublisherTests {
    /// Publishes until the pyzmq peer has validated `frames` complete frames (or 20 s pass).
    static func publishUntilDone(_ publisher: HeatmapPublisher, _ peer: PythonPeer, camera: String, actions: [String], width: Int, height: Int) async throws {
        #expect(await peer.waitFor("connected"))
        var seq = 0
        let deadline = Date().addingTimeInterval(20)
        while peer.isRunning && Date() < deadline {
            try publisher.consume(SyntheticResults.result(camera: camera, actions: actions, width: width, height: height, seq: seq))
            seq += 1
            await pause(seconds: 0.03)
        }
    }

    @Test(arguments: [(HeatmapEncoding.mono8, false), (.float32, true)])
    func pyzmqSubscriberValidatesHeatmapsAndCentroids(encoding: HeatmapEncoding, overIPC: Bool) async throws {
        let context = try ZMQContext()
        let endpoint = overIPC ? temporaryIPCEndpoint("pub") : "tcp://127.0.0.1:*"
        let publisher = try HeatmapPublisher(context: context, configuration: .init(endpoints: [endpoint], encoding: encoding))
        defer { publisher.close() }
        let actions = ["hold", "cut", "pour"]
        let peer = try PythonPeer("subscriber.py", [
            "--endpoint", publisher.boundEndpoints[0], "--camera", "front", "--actions", actions.joined(separator: ","),
            "--encoding", encoding.rawValue, "--width", "64", "--height", "48", "--frames", "3",
        ])
        try await Self.publishUntilDone(publisher, peer, camera: "front", actions: actions, width: 64, height: 48)
        #expect(await peer.finish() == 0, "\(peer.transcript)")
        #expect((peer.summary()["complete"] as? [Int])?.count == 3)
        #expect(publisher.counters.sendErrors == 0)
    }

    @Test func statusIsPublishedPeriodicallyWithPublisherCounters() async throws {
        let context = try ZMQContext()
        let status = PipelineStatus(
            camera: "front", state: "running", fps: 24.5, framesCaptured: 10, framesPublished: 9, framesDropped: 1,
            latency: ["total": .init(p50Ms: 31, p99Ms: 52)], actions: ["hold"], lastError: nil, counters: ["reconnects": 2],
            source: "/dev/video2 MJPG 640x480 @ 30.0 fps")
        let publisher = try HeatmapPublisher(
            context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"], statusIntervalSeconds: 0.1),
            statusSource: { [status] })
        defer { publisher.close() }
        let code = """
            import json, zmq
            s = zmq.Context.instance().socket(zmq.SUB)
            s.setsockopt(zmq.SUBSCRIBE, b"afford/front/status/")
            s.connect("\(publisher.boundEndpoints[0])")
            assert s.poll(5000), "no status within 5 s"
            topic, body = s.recv_multipart()
            m = json.loads(body)
            assert topic == b"afford/front/status/", topic
            assert m["version"] == 1 and m["state"] == "running" and m["fps"] == 24.5, m
            assert m["frames_dropped"] == 1 and m["last_error"] is None and m["counters"] == {"reconnects": 2}, m
            assert m["latency"]["total"] == {"p50_ms": 31, "p99_ms": 52}, m
            assert m["source"] == "/dev/video2 MJPG 640x480 @ 30.0 fps", m
            assert set(m["publisher"]) == {"frames_published", "frames_dropped", "messages_sent", "send_errors", "last_error"}, m
            print("ok")
            """
        #expect(try await PythonPeer.evaluate(code) == "ok")
    }

    @Test func topicNamesThatWouldBreakPrefixMatchingAreRefused() throws {
        let context = try ZMQContext()
        let publisher = try HeatmapPublisher(context: context, configuration: .init(endpoints: [temporaryIPCEndpoint("names")]))
        defer { publisher.close() }
        let bad = SyntheticResults.result(camera: "front/left", actions: ["hold"], width: 4, height: 4, seq: 0)
        #expect(throws: AffordError.self) { try publisher.consume(bad) }
        #expect(Topic.heatmap(camera: "front", action: "hold") == "afford/front/heatmap/hold/")
        #expect(!Topic.isValidName("") && !Topic.isValidName("a b") && Topic.isValidName("sit_on-2.v1"))
    }

    @Test func bindFailureNamesTheCallAndEndpoint() throws {
        let context = try ZMQContext()
        do {
            _ = try HeatmapPublisher(context: context, configuration: .init(endpoints: ["tcp://256.1.1.1:1"]))
            Issue.record("bind to an invalid address succeeded")
        } catch let error as ZMQError {
            #expect(error.call == "zmq_bind(tcp://256.1.1.1:1)")
            #expect(!error.message.isEmpty)
        }
    }
}

@Suite struct WireFormatTests {
    @Test func nonFiniteNumbersTravelAsNull() throws {
        var result = SyntheticResults.result(camera: "front", actions: ["hold"], width: 4, height: 4, seq: 3)
        result.actions[0].components = [
            AffordanceComponent(u: 1, v: 2, area: 3, peak: .nan, mean: .infinity, rayCamera: SIMD3(.nan, 0, 1), tablePoint: SIMD3(1, 2, 3)),
        ]
        let stamp = WireFrameStamp(result: result, publishWallNs: 5, captureWallNs: 4)
        let header = try WireFormat.encoder().encode(WireHeatmapHeader(stamp: stamp, action: result.actions[0], encoding: .mono8))
        let object = try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any])
        let centroid = try #require((object["centroids"] as? [[String: Any]])?.first)
        #expect(centroid["peak"] is NSNull && centroid["mean"] is NSNull && centroid["ray_camera"] is NSNull)
        #expect(centroid["ray_base"] is NSNull && centroid["table_point"] as? [Double] == [1, 2, 3])
        #expect(object["step"] as? Int == 4 && object["seq"] as? Int == 3 && object["t_publish_wall_ns"] as? Int == 5)

        let status = PipelineStatus(camera: "front", state: "starting", fps: .nan, latency: ["total": .init(p50Ms: .nan, p99Ms: 1)])
        let body = try WireFormat.encoder().encode(StatusTopicBody(status: status, publisher: .init(), publishWallNs: 1))
        let decoded = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(decoded["fps"] as? Double == 0 && decoded["last_error"] is NSNull)
        #expect((decoded["latency"] as? [String: [String: Any]])?["total"]?["p50_ms"] is NSNull)
    }
}

@Suite struct PublisherQueueTests {
    static func result(_ seq: Int, camera: String = "c") -> FrameResult {
        SyntheticResults.result(camera: camera, actions: [], width: 1, height: 1, seq: seq)
    }

    @Test func aFullQueueDropsTheOldestCountsItAndKeepsTheOrderAcrossCameras() {
        let queue = PublisherQueue(capacity: 3)
        for seq in 0..<5 { queue.push(Self.result(seq, camera: seq.isMultiple(of: 2) ? "a" : "b")) }
        let taken = queue.take(timeoutMs: 0)
        #expect(taken.map(\.sequence) == [2, 3, 4])
        #expect(taken.map(\.camera) == ["a", "b", "a"])
        #expect(queue.counters.value.framesDropped == 2)
        #expect(queue.take(timeoutMs: 0).isEmpty)
    }

    @Test func takeWaitsForAPushFromAnotherThread() async {
        let queue = PublisherQueue(capacity: 4)
        let taker = OwnedThread(name: "taker") {
            #expect(queue.take(timeoutMs: 5_000).count == 1)
        }
        queue.push(Self.result(7))
        await taker.join()
    }
}
