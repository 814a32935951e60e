import AffordCore
import Foundation
import Testing

@testable import AffordTransport

@Suite struct SlowSubscriberTests {
    /// Resident set size of this process, from /proc/self/status.
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }

    /// ~1.8 GB of 32FC1 heatmaps to a subscriber that never reads: SNDHWM must drop, not queue.
    @Test func memoryStaysBoundedWithASubscriberThatNeverReads() async throws {
        let context = try ZMQContext()
        let publisher = try HeatmapPublisher(
            context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"], encoding: .float32, sendHighWaterMark: 4))
        defer { publisher.close() }
        let peer = try PythonPeer("slow_subscriber.py", ["--endpoint", publisher.boundEndpoints[0]])
        defer { peer.closeInput() }
        #expect(await peer.waitFor("connected"))
        await pause(seconds: 0.3)

        // One result reused: the test measures the transport, not result construction.
        let result = SyntheticResults.result(camera: "front", actions: ["a", "b", "c", "d", "e"], width: 640, height: 480, seq: 1)
        func handled() -> UInt64 { publisher.counters.framesPublished + publisher.counters.framesDropped }
        func publish(_ frames: UInt64) async throws {
            let start = handled()
            for index in 1...frames {
                try publisher.consume(result)
                // Wait for the publisher thread, so frames reach libzmq instead of the mailbox's drop.
                let deadline = Date().addingTimeInterval(5)
                while handled() < start + index, Date() < deadline { await pause(seconds: 0.001) }
            }
        }
        try await publish(20)
        let baseline = Self.residentMegabytes()
        try await publish(300)
        let after = Self.residentMegabytes()
        let counters = publisher.counters
        let sentMegabytes = Double(counters.framesPublished) * 5 * 640 * 480 * 4 / 1_048_576
        print("slow subscriber: \(counters.framesPublished) frames (\(Int(sentMegabytes)) MB of heatmaps) handed to libzmq; RSS \(Int(baseline)) -> \(Int(after)) MB")
        #expect(counters.framesPublished >= 250, "most frames must reach libzmq for the test to mean anything: \(counters)")
        #expect(after - baseline < 150, "RSS grew from \(baseline) to \(after) MB")
    }
}
