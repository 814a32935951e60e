import AffordCore
import AffordImaging
import AffordPostprocess
import Foundation

/// The per-camera pipelines around one shared grounder: capture threads -> latest-wins
/// mailbox -> one inference worker -> latest-wins mailbox -> post-process and publish.
public final class PipelineRuntime: Sendable {
    let grounder: any AffordanceGrounder
    let cameras: [CameraInput]
    /// Cameras whose frames wait for the next stage instead of being replaced (`CameraInput.lossless`).
    private let losslessCameras: Set<String>
    private let decoded: Mailbox<DecodedFrame>
    private let inferred: Mailbox<InferredFrame>
    let captureCounters: [String: StageCounters]
    let decodeCounters: [String: StageCounters]
    let endToEndCounters: [String: StageCounters]
    let inferenceCounters: StageCounters
    let postprocessCounters: StageCounters
    /// Frames with and without a paired depth frame, for cameras that have a depth stream.
    private let depthTallies: [String: Shared<DepthTally>]

    private let state: Shared<State>
    private let threads = Shared(Threads())
    /// Sees every captured frame before decoding (the recorder), on the capture thread.
    private let frameTap: (@Sendable (Frame) -> Void)?

    /// Validates the actions against the grounder's vocabulary. With `metrics`, every stage's
    /// latencies also go to its histograms.
    public init(cameras: [CameraInput], grounder: any AffordanceGrounder, settings: ReloadableSettings,
                sinks: [ResultSink], frameTap: (@Sendable (Frame) -> Void)? = nil, metrics: DaemonMetrics? = nil) throws {
        try Self.validate(actions: settings.actions, vocabulary: grounder.vocabulary)
        let names = cameras.map(\.name)
        self.cameras = cameras
        losslessCameras = Set(cameras.filter(\.lossless).map(\.name))
        self.grounder = grounder
        state = Shared(State(settings: settings, sinks: sinks))
        self.frameTap = frameTap
        decoded = Mailbox(keys: names)
        inferred = Mailbox(keys: names)
        func counters(_ stage: String, camera: String) -> StageCounters {
            StageCounters(histogram: metrics?.latency(stage: stage, camera: camera))
        }
        func perCamera(_ stage: String) -> [String: StageCounters] {
            Dictionary(uniqueKeysWithValues: names.map { ($0, counters(stage, camera: $0)) })
        }
        // Capture has no duration of its own (a frame leaves it as it arrives): no histogram.
        captureCounters = Dictionary(uniqueKeysWithValues: names.map { ($0, StageCounters()) })
        decodeCounters = perCamera("decode")
        endToEndCounters = perCamera("end_to_end")
        inferenceCounters = counters("inference", camera: DaemonMetrics.allCameras)
        postprocessCounters = counters("postprocess", camera: DaemonMetrics.allCameras)
        depthTallies = Dictionary(uniqueKeysWithValues: cameras.filter(\.hasDepth).map { ($0.name, Shared(DepthTally())) })
    }

    static func validate(actions: [String], vocabulary: [String]) throws {
        guard !actions.isEmpty else { throw AffordError(.invalidConfig, "actions: at least one action is required") }
        let unknown = actions.filter { !vocabulary.contains($0) }
        guard unknown.isEmpty else {
            throw AffordError(.invalidConfig,
                "actions: \(unknown.joined(separator: ", ")) not in the model's vocabulary (\(vocabulary.joined(separator: ", ")))")
        }
    }

    // MARK: Stages

    /// Starts one capture thread per camera.
    public func startCapture() {
        let started = cameras.map { camera in OwnedThread(name: "capture-\(camera.name)") { [self] in captureLoop(camera) } }
        threads.withLock { $0.capture += started }
    }

    /// Asks capture threads to stop after their current read; each closes its own
    /// source (sources are not thread-safe), so this returns at once.
    func requestCaptureStop() {
        state.withLock { $0.stopping = true }
        for camera in cameras { camera.interrupt?() }
    }

    /// Stops reading, joins the capture threads, then lets inference drain.
    func stopCapture() async {
        requestCaptureStop()
        await waitForCaptureEnd()
    }

    /// Suspends until every source has ended on its own (replay logs) or was stopped.
    public func waitForCaptureEnd() async {
        for thread in threads.value.capture { await thread.join() }
        decoded.close()
    }

    public func startInference() {
        let started = OwnedThread(name: "inference") { [self] in inferenceLoop() }
        threads.withLock { $0.inference = started }
    }

    /// Returns once the inference worker has drained its input (after `stopCapture`).
    public func finishInference() async {
        await threads.value.inference?.join()
        inferred.close()
    }

    public func startOutput() {
        let started = OwnedThread(name: "output") { [self] in outputLoop() }
        threads.withLock { $0.output = started }
    }

    /// Returns once every inferred frame has been published.
    public func finishOutput() async {
        await threads.value.output?.join()
    }

    private func captureLoop(_ camera: CameraInput) {
        defer { camera.source.close() }
        let counters = captureCounters[camera.name] ?? StageCounters()
        let decodeCounters = self.decodeCounters[camera.name] ?? StageCounters()
        let decode: (Frame) throws -> RGBImage
        let fullSize: FrameDecoder
        do {
            decode = try camera.makeDecoder()
            fullSize = try FrameDecoder()
        } catch {
            counters.recordError("decoder for \(camera.name): \(error)")
            return
        }
        while !state.withLock({ $0.stopping }) {
            let frame: Frame
            do {
                guard let next = try camera.source.nextFrame() else { return }
                frame = next
            } catch {
                if !state.withLock({ $0.stopping }) { counters.recordError("\(camera.name): \(error)") }
                return
            }
            let received = MonotonicClock.nowNs()
            counters.recordIn()
            depthTallies[camera.name]?.withLock { $0.count(frame) }
            if let calibration = camera.geometry.camera {
                do {
                    try calibration.checkMatches(width: frame.width, height: frame.height)
                } catch {
                    // Rays from a calibration for another size would be silently wrong.
                    counters.recordError("\(camera.name): \(error)")
                    return
                }
            }
            frameTap?(frame)
            if state.withLock({ $0.paused }) {
                counters.recordDrop()
                continue
            }
            counters.recordOut(latencyNs: 0, at: received)
            decodeCounters.recordIn()
            let image: RGBImage
            do {
                // Zoom's crops need real pixels: MJPEG then decodes at full size, not DCT-scaled.
                let zoomed = frame.format == .mjpeg && state.withLock { $0.settings.zoom.enabled }
                image = try zoomed ? fullSize.decode(frame) : decode(frame)
            } catch {
                decodeCounters.recordError("\(camera.name) frame \(frame.sequence): \(error)")
                continue
            }
            let decodedAt = MonotonicClock.nowNs()
            decodeCounters.recordOut(latencyNs: decodedAt - received, at: decodedAt)
            state.withLock { $0.latestFrames[camera.name] = frame }
            let header = FrameHeader(camera: camera.name, sequence: frame.sequence,
                                     captureMonotonicNs: frame.captureMonotonicNs, captureWallNs: frame.captureWallNs,
                                     frameID: frame.frameID ?? camera.frameID, receivedNs: received,
                                     width: frame.width, height: frame.height, depth: frame.depth)
            let item = DecodedFrame(image: image, frame: header, timings: StageTimings(decodeNs: decodedAt - received))
            if camera.lossless {
                decoded.putWaiting(item, for: camera.name)
            } else if decoded.put(item, for: camera.name) {
                counters.recordDrop()
            }
        }
    }

    private func inferenceLoop() {
        var trackers: [String: RegionTracker] = [:]
        // Stage mailboxes are only ever closed, never failed, so `try?` loses no error.
        while let (camera, item) = try? decoded.take() {
            let (actions, zoom) = state.withLock { ($0.settings.actions, $0.settings.zoom) }
            inferenceCounters.recordIn()
            let start = MonotonicClock.nowNs()
            do {
                var maps: [ActionMap]
                var zoomed: ZoomedMaps?
                if zoom.enabled {
                    var tracker = trackers[camera] ?? RegionTracker()
                    let plan = tracker.next(frameWidth: item.frame.width, frameHeight: item.frame.height,
                                            redetectEvery: zoom.redetectEvery)
                    let (grounded, proposals) = try ZoomGrounding.ground(
                        item.image, frameWidth: item.frame.width, frameHeight: item.frame.height, actions: actions,
                        grounder: grounder, settings: zoom, plan: plan)
                    tracker.observe(proposals: proposals, redetectEvery: zoom.redetectEvery)
                    trackers[camera] = tracker
                    maps = grounded.whole
                    zoomed = grounded
                } else {
                    // One backbone pass serves every configured action.
                    maps = try grounder.ground(item.image, actions: actions)
                    trackers[camera] = nil
                }
                let end = MonotonicClock.nowNs()
                inferenceCounters.recordOut(latencyNs: end - start, at: end)
                var timings = item.timings
                timings.inferenceNs = end - start
                let result = InferredFrame(maps: maps, zoomed: zoomed, frame: item.frame, timings: timings,
                                           modelID: grounder.modelID)
                if losslessCameras.contains(camera) {
                    inferred.putWaiting(result, for: camera)
                } else if inferred.put(result, for: camera) {
                    inferenceCounters.recordDrop()
                }
            } catch {
                inferenceCounters.recordError("\(camera) frame \(item.frame.sequence): \(error)")
            }
        }
    }

    private func outputLoop() {
        let geometry = Dictionary(uniqueKeysWithValues: cameras.map { ($0.name, $0.geometry) })
        var presence = PresenceHysteresis()
        while let (camera, item) = try? inferred.take() {
            let (current, currentSinks) = state.withLock { ($0.settings, $0.sinks) }
            postprocessCounters.recordIn()
            let start = MonotonicClock.nowNs()
            let post = HeatmapPostprocessor(settings: current.postprocess)
            var locator = geometry[camera] ?? CentroidGeometry(camera: nil)
            locator.table = current.tablePlane
            // Depth is sampled over each component's pixels, which only calibration can place.
            let collectPixels = item.frame.depth != nil && locator.camera != nil
            let processed: [(result: ActionResult, pixels: [ComponentPixels])]
            if let zoomed = item.zoomed {
                processed = ZoomGrounding.processed(zoomed, post: post, settings: current.zoom,
                                                    collectPixels: collectPixels) { map in
                    presence.showsComponents(map.action, presence: map.presence, on: camera, settings: current.postprocess)
                }
            } else {
                processed = item.maps.map { map in
                    let shown = presence.showsComponents(map.action, presence: map.presence, on: camera, settings: current.postprocess)
                    return post.processed(map, frameWidth: item.frame.width, frameHeight: item.frame.height,
                                          showsComponents: shown, collectPixels: collectPixels)
                }
            }
            let actions = processed.map { processed in
                var result = processed.result
                let evidence = item.frame.depth.map {
                    DepthEvidence(depth: $0, pixels: processed.pixels, gridWidth: result.heatmap.width,
                                  gridHeight: result.heatmap.height, frameWidth: item.frame.width, frameHeight: item.frame.height)
                }
                result.components = locator.locate(result.components, depth: evidence)
                return result
            }
            let postEnd = MonotonicClock.nowNs()
            postprocessCounters.recordOut(latencyNs: postEnd - start, at: postEnd)
            var timings = item.timings
            timings.postprocessNs = postEnd - start
            let result = FrameResult(
                camera: camera, sequence: item.frame.sequence, captureMonotonicNs: item.frame.captureMonotonicNs,
                frameWidth: item.frame.width, frameHeight: item.frame.height, modelID: item.modelID,
                actions: actions, timings: timings, regions: item.zoomed?.regions ?? [],
                captureWallNs: item.frame.captureWallNs, frameID: item.frame.frameID)
            // Stamped when the result is handed over: the publisher only enqueues, and slow
            // sinks (recording, overlay PNGs) must not count as publishing latency.
            let published = MonotonicClock.nowNs()
            endToEndCounters[camera]?.recordOut(latencyNs: published - item.frame.receivedNs, at: published)
            for sink in currentSinks {
                do {
                    try sink.consume(result)
                } catch {
                    postprocessCounters.recordError("\(camera) sink \(type(of: sink)): \(error)")
                }
            }
            state.withLock { $0.latest[camera] = result }
        }
    }

    /// What control threads change and stages read between frames.
    private struct State: Sendable {
        var settings: ReloadableSettings
        var sinks: [ResultSink]
        var paused = false
        var stopping = false
        var latest: [String: FrameResult] = [:]
        /// Each camera's newest captured frame as it came (full resolution), for control ops that need pixels.
        var latestFrames: [String: Frame] = [:]
    }

    private struct Threads: Sendable {
        var capture: [OwnedThread] = []
        var inference: OwnedThread?
        var output: OwnedThread?
    }

    // MARK: Control

    var currentSettings: ReloadableSettings { state.withLock { $0.settings } }

    /// Stops feeding inference; capture keeps the camera streaming.
    func pause() { state.withLock { $0.paused = true } }
    public func resume() { state.withLock { $0.paused = false } }

    /// Validates against the vocabulary first; the old actions stay on error.
    func setActions(_ actions: [String]) throws {
        try Self.validate(actions: actions, vocabulary: grounder.vocabulary)
        state.withLock { $0.settings.actions = actions }
    }

    /// Swaps in new reloadable settings (and sinks, when given) between two frames.
    public func apply(_ newSettings: ReloadableSettings, sinks newSinks: [ResultSink]? = nil) throws {
        try Self.validate(actions: newSettings.actions, vocabulary: grounder.vocabulary)
        state.withLock { state in
            state.settings = newSettings
            if let newSinks { state.sinks = newSinks }
        }
    }

    /// Frames waiting between stages, over all cameras; bounded by two per camera.
    var backlog: Int { decoded.count + inferred.count }

    /// The newest published result per camera.
    func latestResults() -> [String: FrameResult] { state.withLock { $0.latest } }

    /// The camera's newest frame that decoded, undecoded and at full resolution.
    func latestFrame(camera: String) -> Frame? { state.withLock { $0.latestFrames[camera] } }

    public func status() -> PipelineHealth {
        let now = MonotonicClock.nowNs()
        var perCamera: [String: PipelineHealth.Camera] = [:]
        for camera in cameras {
            perCamera[camera.name] = PipelineHealth.Camera(
                capture: captureCounters[camera.name]?.snapshot(now: now) ?? StageCounters().snapshot(now: now),
                decode: decodeCounters[camera.name]?.snapshot(now: now) ?? StageCounters().snapshot(now: now),
                endToEnd: endToEndCounters[camera.name]?.snapshot(now: now) ?? StageCounters().snapshot(now: now),
                device: camera.deviceHealth?(), depth: depthTallies[camera.name]?.value)
        }
        let inference = inferenceCounters.snapshot(now: now)
        let (isPaused, actions) = state.withLock { ($0.paused, $0.settings.actions) }
        // Healthy: every camera keeps publishing, or is still starting without having failed.
        let flowing = perCamera.values.allSatisfy {
            let deviceLost = $0.device.map { !$0.streaming && $0.lastError != nil } ?? false
            return $0.endToEnd.recentlyOut || ($0.endToEnd.framesOut == 0 && $0.capture.errors == 0 && !deviceLost)
        }
        return PipelineHealth(cameras: perCamera, inference: inference,
                              postprocess: postprocessCounters.snapshot(now: now), paused: isPaused,
                              actions: actions, healthy: isPaused || flowing)
    }
}
