import AffordCore
import Metrics
import Prometheus

/// The daemon's Prometheus metrics: swift-metrics handles on a swift-prometheus registry of the
/// daemon's own (no process-global bootstrap, so tests can run several daemons).
///
/// - Latency histograms are recorded as frames leave each stage.
/// - Counters the daemon already keeps (frames, drops, errors, reconnects, publisher and control
///   traffic) are brought up to date when `/metrics` is scraped, so there is one source of truth.
/// - Gauges (presence, fps, health) are the values at scrape time.
public final class DaemonMetrics: Sendable {
    /// The `camera` label of the stages all cameras share (inference, post-processing).
    static let allCameras = "all"

    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Each synced counter's last exported value, by series.
    private let exported = Shared<[String: UInt64]>([:])

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Frame-scale buckets: a stage takes milliseconds, a frame's whole trip tens of them.
        factory.defaultDurationHistogramBuckets = [1, 2, 5, 10, 20, 33, 50, 75, 100, 150, 250, 500, 1000, 2500]
            .map { Duration.milliseconds($0) }
        self.factory = factory
    }

    /// A stage's latency histogram, `affordd_stage_latency_seconds{camera, stage}`.
    func latency(stage: String, camera: String) -> Metrics.Timer {
        Metrics.Timer(label: "affordd_stage_latency_seconds", dimensions: [("camera", camera), ("stage", stage)],
                      preferredDisplayUnit: .seconds, factory: factory)
    }

    /// Counts one control request by op and outcome (`ok` or the error's code).
    func countControl(op: String, outcome: String) {
        Counter(label: "affordd_control_requests_total", dimensions: [("op", op), ("outcome", outcome)], factory: factory)
            .increment()
    }

    /// Brings the counter `name{labels}` up to `value`, a count the daemon keeps itself. A count
    /// that went down (a publisher rebound by a reload starts again at 0) continues from its new value.
    public func sync(_ name: String, _ labels: [(String, String)] = [], to value: UInt64) {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        let delta = exported.withLock { exported -> UInt64 in
            let last = exported[key] ?? 0
            exported[key] = value
            return value >= last ? value - last : value
        }
        let counter = Counter(label: name, dimensions: labels, factory: factory)
        if delta > 0 { counter.increment(by: Int64(clamping: delta)) }
    }

    /// Sets the gauge `name{labels}`.
    public func set(_ name: String, _ labels: [(String, String)] = [], to value: Double) {
        Gauge(label: name, dimensions: labels, factory: factory).record(value)
    }

    /// The text exposition of everything registered.
    func exposition() -> String { registry.emitToString() }
}
