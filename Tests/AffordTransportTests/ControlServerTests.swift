import AffordCore
import Foundation
import Testing

@testable import AffordTransport

@Suite struct ControlServerTests {
    @Test(arguments: ["dealer", "req"])
    func pyzmqClientDrivesEveryOpIncludingMalformedOnes(kind: String) async throws {
        let context = try ZMQContext()
        let handler = RecordingHandler()
        let server = try ControlServer(
            context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*", temporaryIPCEndpoint("control")]), handler: handler)
        defer { server.close() }
        #expect(server.boundEndpoints.count == 2)
        let peer = try PythonPeer("control_client.py", ["--endpoint", server.boundEndpoints[kind == "req" ? 1 : 0], "--kind", kind])
        #expect(await peer.finish(timeout: 60) == 0, "\(peer.transcript)")
        let summary = peer.summary()
        let malformed = try #require(summary["malformed"] as? Int)
        let counters = server.counters
        #expect(counters.malformed == UInt64(malformed))
        #expect(counters.failed == 1)
        #expect(counters.succeeded == UInt64(try #require(summary["good"] as? Int)) + (kind == "dealer" ? 1 : 0))
        let ops = handler.received.map(\.0.command.op)
        #expect(Set(ops) == Set(ControlOp.allCases))
        #expect(handler.received.allSatisfy { $0.1 == .request })
    }

    @Test func broadcastsFromAControllerPubGoThroughTheSameParser() async throws {
        let context = try ZMQContext()
        let controller = try PythonPeer("controller_pub.py", ["--endpoint", "tcp://127.0.0.1:*"])
        defer { controller.closeInput() }
        #expect(await controller.waitFor("tcp://"))
        let endpoint = try #require(controller.output.split(separator: "\n").first.map(String.init))
        let handler = RecordingHandler()
        let server = try ControlServer(
            context: context, configuration: .init(endpoints: [], controllerEndpoints: [endpoint]), handler: handler)
        defer { server.close() }
        let deadline = Date().addingTimeInterval(15)
        while handler.received.isEmpty || server.counters.malformedBroadcasts == 0, Date() < deadline {
            await pause(seconds: 0.05)
        }
        let first = try #require(handler.received.first, "\(server.counters) \(endpoint) \(controller.transcript)")
        #expect(first.0 == ControlRequest(id: "broadcast-1", command: .pause))
        #expect(first.1 == .broadcast(topic: "afford/control/"))
        // `other/topic/` is not subscribed: its resume never arrives.
        #expect(handler.received.allSatisfy { $0.0.command == .pause })
        #expect(server.counters.malformedBroadcasts > 0)
        controller.closeInput()
        #expect(await controller.finish() == 0)
    }

    /// A handler past the timeout gets a `timeout` reply and is cancelled, so it never acts late.
    @Test func aTimedOutHandlerIsCancelled() async throws {
        final class SlowHandler: ControlHandler, @unchecked Sendable {
            let outcome = NSLock()
            nonisolated(unsafe) var cancelled = false
            func handle(_ request: ControlRequest, origin: ControlOrigin) async throws -> JSONValue {
                do {
                    try await Task.sleep(for: .seconds(5))
                } catch {
                    outcome.withLock { cancelled = true }
                    throw error
                }
                return .null
            }
        }
        let context = try ZMQContext()
        let handler = SlowHandler()
        let server = try ControlServer(context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"],
                                                                              handlerTimeoutSeconds: 0.2), handler: handler)
        defer { server.close() }
        let reply = try await PythonPeer.evaluate("""
            import zmq
            s = zmq.Context().socket(zmq.DEALER)
            s.setsockopt(zmq.RCVTIMEO, 5000)
            s.connect("\(server.boundEndpoints[0])")
            s.send(b'{"op":"status"}')
            print(s.recv().decode())
            """)
        #expect(reply.contains(#""code":"timeout""#), "\(reply)")
        let deadline = Date().addingTimeInterval(2)
        while !handler.outcome.withLock({ handler.cancelled }), Date() < deadline { await pause(seconds: 0.02) }
        #expect(handler.outcome.withLock { handler.cancelled })
    }

    @Test func closeStopsServingPromptly() throws {
        let context = try ZMQContext()
        let server = try ControlServer(context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"]), handler: RecordingHandler())
        let start = MonotonicClock.nowNs()
        server.close()
        #expect(MonotonicClock.nowNs() - start < 1_000_000_000)
    }
}
