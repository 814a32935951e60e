import AffordCore
import AffordPostprocess
import AffordRecording
import AffordTransport
import Foundation
import Logging

/// A running affordd: the pipeline plus its publisher, control server, recorder and systemd link.
public final class Daemon: Sendable {
    public let runtime: PipelineRuntime
    let configPath: String?
    let logger: Logger
    let notifier: SystemdNotifier
    let context: ZMQContext
    let recorder: RecordingService?
    /// What `/metrics` serves (the live view's HTTP endpoint).
    public let metrics = DaemonMetrics()
    /// The file the recorder writes, nil without one.
    let recordingPath: String?
    private let started = MonotonicClock.nowNs()
    let state: Shared<State>
    /// Made once: CURVE changes need a restart.
    private let security: CurveServer?
    /// Held for a whole reload, so SIGHUP and the `reload` op never interleave.
    private let reloadSerial = Shared(())

    /// What a reload swaps.
    struct State: Sendable {
        var config: DaemonConfig
        var publisher: HeatmapPublisher?
        var control: ControlServer?
        var reloadHealth = ReloadHealth()
    }

    struct ReloadHealth: Sendable {
        var rejected: UInt64 = 0
        /// The last rejected reload's error; cleared by the next good one.
        var lastError: String?
    }
    /// Sinks that are not the publisher: the recorder, replay's overlay writer.
    private let fixedSinks: [ResultSink]

    /// Loads the model, opens the cameras (or `sources` for replay), binds the sockets.
    /// `extraSinks` get every result and `frameObserver` every captured frame (the live view);
    /// both must only queue.
    public init(config: DaemonConfig, configPath: String?, grounder: any AffordanceGrounder,
                sources: [CameraInput]? = nil, extraSinks: [ResultSink] = [],
                frameObserver: (@Sendable (Frame) -> Void)? = nil, recordTo: RecordingConfig? = nil,
                logger: Logger, notifier: SystemdNotifier = SystemdNotifier()) throws {
        state = Shared(State(config: config))
        self.configPath = configPath
        self.logger = logger
        self.notifier = notifier
        context = try ZMQContext()
        security = try Self.curveServer(config.curve, context: context)
        let cameras = try sources ?? config.cameras.map {
            try CameraSources.make($0, inputSize: grounder.inputSize, table: config.postprocessing.tablePlane, logger: logger)
        }
        recordingPath = (recordTo ?? config.recording)?.path
        if let recording = recordTo ?? config.recording {
            let text = configPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            let log = logger
            recorder = try RecordingService(options: Self.recorderOptions(recording), configText: text,
                                            modelID: grounder.modelID, log: { log.error("\($0)") })
        } else {
            recorder = nil
        }
        let fixed: [ResultSink] = recorder.map { [$0] } ?? []
        fixedSinks = fixed + extraSinks
        // The tap only queues: the recorder's (and the live view's) own thread does the work.
        let frameTap: (@Sendable (Frame) -> Void)?
        switch (recorder, frameObserver) {
        case (let recorder?, let observer?): frameTap = { frame in recorder.record(frame); observer(frame) }
        case (let recorder?, nil): frameTap = { frame in recorder.record(frame) }
        case (nil, let observer): frameTap = observer
        }
        let settings = ReloadableSettings(actions: config.actions, postprocess: config.postprocessing.settings,
                                          tablePlane: config.postprocessing.tablePlane, zoom: config.grounding.zoom)
        runtime = try PipelineRuntime(cameras: cameras, grounder: grounder, settings: settings, sinks: fixedSinks,
                                      frameTap: frameTap, metrics: metrics)
        try bindEndpoints(config)
    }

    static func recorderOptions(_ recording: RecordingConfig) -> RecordingService.Options {
        let compression: MCAPCompression
        switch recording.compression {
        case .none: compression = .none
        case .lz4: compression = .lz4
        case .zstd: compression = .zstd
        }
        return RecordingService.Options(
            path: recording.path,
            recorder: MCAPRecorder.Options(writer: MCAPWriter.Options(compression: compression),
                                           recordResults: recording.recordOutputs),
            maxBytes: recording.maxBytes, maxSeconds: recording.maxSeconds)
    }

    // MARK: Endpoints

    private static func curveServer(_ curve: CurveConfig, context: ZMQContext) throws -> CurveServer? {
        guard curve.enabled, let secret = curve.serverSecretKeyFile, let clients = curve.allowedClientsDirectory else { return nil }
        // ConfigLoader checked that a configured server_public_key is this pair's public half.
        let pair = try CurveKeyFile.loadKeyPair(secretKeyFile: secret)
        return try CurveServer(context: context, keyPair: pair, allowedClients: try CurveKeyFile.loadPublicKeys(at: clients))
    }

    private static func controllerKey(_ curve: CurveConfig) throws -> CurveKey? {
        guard curve.enabled, let file = curve.controllerPublicKeyFile else { return nil }
        return try CurveKeyFile.loadPublicKey(file: file)
    }

    private func makePublisher(_ config: DaemonConfig) throws -> HeatmapPublisher {
        try HeatmapPublisher(
            context: context,
            configuration: .init(endpoints: config.endpoints.publish, encoding: config.postprocessing.heatmapEncoding,
                                 statusIntervalSeconds: config.statusPeriod),
            security: security, statusSource: { [weak self] in self?.wireStatus() ?? [] })
    }

    private func makeControl(_ config: DaemonConfig) throws -> ControlServer? {
        guard config.endpoints.control != nil || config.endpoints.controller != nil else { return nil }
        return try ControlServer(
            context: context,
            configuration: .init(endpoints: config.endpoints.control.map { [$0] } ?? [],
                                 controllerEndpoints: config.endpoints.controller.map { [$0] } ?? [],
                                 controllerServerKey: try Self.controllerKey(config.curve)),
            handler: DaemonControl(runtime: runtime, status: { [weak self] in self?.wireStatus() ?? [] },
                                   reload: { [weak self] in try await self?.reload(fromControlSocket: true) ?? .null },
                                   recordingRoots: recordingRoots, metrics: metrics),
            security: security)
    }

    /// Binds publisher and control server for `config`; on failure nothing stays bound.
    private func bindEndpoints(_ config: DaemonConfig) throws {
        let publisher = try makePublisher(config)
        let control: ControlServer?
        do {
            control = try makeControl(config)
        } catch {
            publisher.close()
            throw error
        }
        try install(publisher)
        state.withLock { $0.control = control }
    }

    private func install(_ publisher: HeatmapPublisher) throws {
        try runtime.apply(runtime.currentSettings, sinks: [publisher] + fixedSinks)
        state.withLock { $0.publisher = publisher }
        logger.info("publishing", metadata: ["endpoints": "\(publisher.boundEndpoints)"])
    }

    /// Where `demonstrate` may read recordings: the recording's folder and systemd's state directories.
    var recordingRoots: [String] {
        let recording = recordingPath.map { [URL(fileURLWithPath: $0).deletingLastPathComponent().path] } ?? []
        let state = ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").map(String.init) ?? []
        return recording + state
    }

    private func closeEndpoints() {
        let (publisher, control) = state.withLock { ($0.publisher, $0.control) }
        control?.close()
        publisher?.close()
    }

    func wireStatus() -> [PipelineStatus] {
        let (control, reload) = state.withLock { ($0.control?.counters, $0.reloadHealth) }
        var counters = ["reloads_rejected": reload.rejected]
        let recording = recorder?.status
        if let recording {
            counters["recording_queue_drops"] = recording.queueDrops
            counters["recording_errors"] = recording.recorded.ioErrors
            counters["recording_files"] = UInt64(recording.files.count)
            counters["recording_frames"] = recording.recorded.framesRecorded
            counters["recording_dropped"] = recording.recorded.dropped
            counters["recording_lost_messages"] = recording.recorded.lostMessages
        }
        if let control {
            counters["control_requests"] = control.requests
            counters["control_failed"] = control.failed
            counters["control_malformed"] = control.malformed
            counters["control_broadcasts"] = control.broadcasts
            counters["control_malformed_broadcasts"] = control.malformedBroadcasts
        }
        return PipelineStatusReport.make(runtime.status(), uptimeSeconds: Double(MonotonicClock.nowNs() - started) / 1e9,
                               daemonCounters: counters, daemonError: reload.lastError ?? recording?.recorded.lastError)
    }

    // MARK: Reload

    /// Re-reads the config file: actions, post-processing and endpoints change; cameras,
    /// model, CURVE and recording need a restart. An invalid file leaves everything as it
    /// was, and its error becomes the status's `last_error` until a reload succeeds.
    /// SIGHUP and the `reload` op are serialised: one reload runs at a time.
    @discardableResult
    func reload(fromControlSocket: Bool = false) async throws -> JSONValue {
        do {
            return try reloadSerial.withLock { _ in try reloadNow(fromControlSocket: fromControlSocket) }
        } catch {
            logger.error("reload rejected, keeping the running config", metadata: ["error": "\(error)"])
            state.withLock {
                $0.reloadHealth.rejected += 1
                $0.reloadHealth.lastError = "reload rejected: \(error)"
            }
            throw error
        }
    }

    /// One reload; the caller holds `reloadSerial`.
    private func reloadNow(fromControlSocket: Bool) throws -> JSONValue {
        guard let configPath else { throw AffordError(.unsupported, "no config file to reload") }
        try? notifier.reloading(status: "reloading \(configPath)")
        defer { try? notifier.ready(status: PipelineStatusReport.summary(runtime.status())) }
        let next = try ConfigLoader.load(path: configPath)
        try PipelineRuntime.validate(actions: next.actions, vocabulary: runtime.grounder.vocabulary)
        let current = state.value.config
        let ignored = next.restartRequired(comparedTo: current)
        if !ignored.isEmpty {
            logger.warning("reload: these sections change only on restart", metadata: ["sections": "\(ignored)"])
        }
        let settings = ReloadableSettings(actions: next.actions, postprocess: next.postprocessing.settings,
                                          tablePlane: next.postprocessing.tablePlane, zoom: next.grounding.zoom)
        // A socket is rebound only when its own addresses change; the encoding and the
        // status period change in place, so the port is never released and retaken.
        if next.endpoints.publish != current.endpoints.publish {
            try rebindPublisher(next, previous: current)
        } else {
            state.value.publisher?.update(encoding: next.postprocessing.heatmapEncoding,
                                                statusIntervalSeconds: next.statusPeriod)
        }
        if next.endpoints.control != current.endpoints.control || next.endpoints.controller != current.endpoints.controller {
            if fromControlSocket {
                // The control thread waits for this reply, so it cannot close itself now: swap just after.
                Task.detached { [self] in
                    try? await Task.sleep(for: .milliseconds(200))
                    reloadSerial.withLock { _ in try? rebindControl(next, previous: current) }
                }
            } else {
                try rebindControl(next, previous: current)
            }
        }
        try runtime.apply(settings)
        state.withLock {
            $0.config = next
            $0.reloadHealth.lastError = nil
        }
        logger.info("reloaded", metadata: ["actions": "\(next.actions)"])
        return .object(["actions": .array(next.actions.map(JSONValue.string)),
                        "restart_required": .array(ignored.map(JSONValue.string))])
    }

    /// Closes the old publisher first so its port is free; restores it when the new one cannot bind.
    private func rebindPublisher(_ next: DaemonConfig, previous: DaemonConfig) throws {
        state.value.publisher?.close()
        do {
            try install(try makePublisher(next))
        } catch {
            logger.error("reload: cannot bind the new publish endpoints, restoring the old ones", metadata: ["error": "\(error)"])
            try install(try makePublisher(previous))
            throw error
        }
    }

    private func rebindControl(_ next: DaemonConfig, previous: DaemonConfig) throws {
        state.value.control?.close()
        do {
            let control = try makeControl(next)
            state.withLock { $0.control = control }
        } catch {
            logger.error("reload: cannot bind the new control endpoints, restoring the old ones", metadata: ["error": "\(error)"])
            let control = try makeControl(previous)
            state.withLock { $0.control = control }
            throw error
        }
    }

    // MARK: Run

    /// Runs until SIGTERM/SIGINT (or, with `stopWhenSourcesEnd`, until every source ended).
    public func run(stopWhenSourcesEnd: Bool = false) async throws {
        try await DaemonServices.run(self, stopWhenSourcesEnd: stopWhenSourcesEnd)
    }

    /// Closes sinks after the output stage drained: the recording is finalised here.
    func closeSinks() {
        closeEndpoints()
        do {
            try recorder?.close()
        } catch {
            logger.error("closing the recording failed", metadata: ["error": "\(error)"])
        }
    }
}
