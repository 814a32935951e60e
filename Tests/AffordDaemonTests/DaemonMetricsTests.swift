import Testing
@testable import AffordDaemon

@Suite struct DaemonMetricsTests {
    static func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func syncedCountersFollowTheDaemonsCountsAndSurviveAReset() {
        let metrics = DaemonMetrics()
        metrics.sync("affordd_test_total", [("camera", "front")], to: 5)
        metrics.sync("affordd_test_total", [("camera", "front")], to: 12)
        #expect(Self.sample(metrics.exposition(), #"affordd_test_total{camera="front"}"#) == 12)
        // A rebound publisher counts from 0 again: the exported counter keeps growing, never falls.
        metrics.sync("affordd_test_total", [("camera", "front")], to: 3)
        #expect(Self.sample(metrics.exposition(), #"affordd_test_total{camera="front"}"#) == 15)
    }

    @Test func controlRequestsCountByOpAndOutcomeAndLatencyIsAHistogram() {
        let metrics = DaemonMetrics()
        metrics.countControl(op: "status", outcome: "ok")
        metrics.countControl(op: "status", outcome: "ok")
        metrics.countControl(op: "teach", outcome: "invalid_input")
        metrics.latency(stage: "inference", camera: "all").recordNanoseconds(15_000_000)
        let text = metrics.exposition()
        #expect(Self.sample(text, #"affordd_control_requests_total{op="status",outcome="ok"}"#) == 2)
        #expect(Self.sample(text, #"affordd_control_requests_total{op="teach",outcome="invalid_input"}"#) == 1)
        #expect(Self.sample(text, #"affordd_stage_latency_seconds_bucket{camera="all",stage="inference",le="0.01"}"#) == 0)
        #expect(Self.sample(text, #"affordd_stage_latency_seconds_bucket{camera="all",stage="inference",le="0.02"}"#) == 1)
        #expect(Self.sample(text, #"affordd_stage_latency_seconds_count{camera="all",stage="inference"}"#) == 1)
    }
}
