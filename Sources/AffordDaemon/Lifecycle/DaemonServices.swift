import AffordCore
import AffordTransport
import Logging
import ServiceLifecycle
import UnixSignals

/// One pipeline stage as a swift-service-lifecycle service.
struct StageService: Service, CustomStringConvertible {
    let description: String
    let body: @Sendable () async throws -> Void
    func run() async throws { try await body() }
}

/// The service group: capture stops first, inference and output drain, sockets close last.
enum DaemonServices {
    static func run(_ daemon: Daemon, stopWhenSourcesEnd: Bool) async throws {
        let runtime = daemon.runtime
        let logger = daemon.logger
        let notifier = daemon.notifier

        let capture = StageService(description: "capture") {
            runtime.startCapture()
            await withGracefulShutdownHandler {
                await runtime.waitForCaptureEnd()
            } onGracefulShutdown: {
                runtime.requestCaptureStop()
            }
            logger.info("capture stopped")
        }
        let inference = StageService(description: "inference") {
            runtime.startInference()
            try? await gracefulShutdown()
            await runtime.finishInference()
        }
        let output = StageService(description: "output") {
            runtime.startOutput()
            try? await gracefulShutdown()
            await runtime.finishOutput()
            daemon.closeSinks()
            logger.info("output drained, sockets and recording closed")
        }
        let health = StageService(description: "health") {
            try? notifier.ready(status: "running")
            await withGracefulShutdownHandler {
                await reportHealth(daemon)
            } onGracefulShutdown: {
                try? notifier.stopping(status: "stopping")
            }
        }
        let reload = StageService(description: "reload") {
            for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                logger.info("SIGHUP: reloading")
                _ = try? await daemon.reload()
            }
        }
        let captureEnds: ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior =
            stopWhenSourcesEnd ? .gracefullyShutdownGroup : .ignore
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: output),
                .init(service: inference),
                .init(service: capture, successTerminationBehavior: captureEnds),
                .init(service: health),
                .init(service: reload),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// STATUS every status period; WATCHDOG at half the systemd interval, only while healthy.
    private static func reportHealth(_ daemon: Daemon) async {
        let notifier = daemon.notifier
        let watchdogNs = notifier.watchdogIntervalNs.map { $0 / 2 }
        let periodNs = min(watchdogNs ?? UInt64.max, UInt64(1e9))
        var lastStatus: UInt64 = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let health = daemon.runtime.status()
            if watchdogNs != nil && health.healthy { try? notifier.watchdog() }
            let now = MonotonicClock.nowNs()
            if now - lastStatus >= 5_000_000_000 {
                try? notifier.status(PipelineStatusReport.summary(health))
                lastStatus = now
            }
            // Cut short by shutdown: a replay that ended must not wait out the period.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .nanoseconds(Int64(periodNs))) }
        }
    }
}
