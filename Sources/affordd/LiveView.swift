import AffordCore
import AffordDaemon
import AffordLive
import Logging

/// Starts the live view (HTTP, `/metrics`, `/healthz`, the page, Foxglove WebSocket) beside a daemon.
enum LiveView {
    /// Binds `http` and `foxglove` (either may be nil); nil when neither is set, or when the only one
    /// is the default HTTP port and it is busy (a warning: the daemon runs without a live view).
    static func start(http: ListenAddress?, foxglove: ListenAddress?, cameras: [String], logger: Logger) throws -> LiveServer? {
        let addresses = [http, foxglove].compactMap { $0 }
        guard !addresses.isEmpty else { return nil }
        do {
            let server = try LiveServer(endpoints: addresses.map { ($0.host, $0.port) }, cameras: cameras)
            logger.info("live view", metadata: ["listening": "\(server.boundAddresses.map { "http://\($0)/" })"])
            return server
        } catch let error as AffordError where addresses.allSatisfy(\.isDefault) {
            logger.warning("live view off: the default endpoint is not free (set endpoints.http)",
                           metadata: ["error": "\(error)"])
            return nil
        }
    }

    static func sinks(_ server: LiveServer?) -> [ResultSink] { server.map { [$0] } ?? [] }

    static func frameObserver(_ server: LiveServer?) -> (@Sendable (Frame) -> Void)? {
        guard let server else { return nil }
        return { frame in server.observe(frame) }
    }

    /// Hands the server the daemon's metrics, health and status; the live view's own counters join the metrics.
    static func attach(_ server: LiveServer, to daemon: Daemon) {
        server.attach(LiveServer.Providers(
            metrics: { [weak server] in
                if let counters = server?.counters {
                    daemon.metrics.sync("affordd_live_messages_sent_total", to: counters.messagesSent)
                    daemon.metrics.sync("affordd_live_messages_dropped_total", to: counters.messagesDropped)
                    daemon.metrics.sync("affordd_live_requests_refused_total", to: counters.requestsRefused)
                    daemon.metrics.sync("affordd_http_requests_total", to: counters.httpRequests)
                    daemon.metrics.sync("affordd_live_connections_total", to: counters.clientsConnected)
                    daemon.metrics.set("affordd_live_clients", to: Double(counters.clients))
                    daemon.metrics.set("affordd_live_peak_unsent_bytes", to: Double(counters.peakUnsentBytes))
                }
                return daemon.metricsText()
            },
            health: { daemon.health() },
            status: { daemon.statusBodies() }))
    }
}
