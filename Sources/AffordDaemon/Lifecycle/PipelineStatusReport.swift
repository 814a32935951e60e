import AffordCore
import AffordTransport

/// Builds the per-camera status reports (and the systemd status line) from the pipeline's health.
enum PipelineStatusReport {
    /// `daemonCounters` (control traffic, reloads) join every camera's counters; `daemonError`
    /// (a rejected reload) is the newest error when set.
    static func make(_ health: PipelineHealth, uptimeSeconds: Double, daemonCounters: [String: UInt64] = [:],
                     daemonError: String? = nil) -> [PipelineStatus] {
        health.cameras.keys.sorted().compactMap { name in
            guard let camera = health.cameras[name] else { return nil }
            let state: String
            if health.paused {
                state = "paused"
            } else if !camera.endToEnd.recentlyOut
                        && (camera.capture.errors > 0 || camera.device.map { !$0.streaming && $0.lastError != nil } == true) {
                state = "camera_lost"
            } else if camera.endToEnd.framesOut == 0 {
                state = "starting"
            } else {
                state = "running"
            }
            func latency(_ stage: StageStatus) -> PipelineStatus.Latency {
                PipelineStatus.Latency(p50Ms: stage.latencyP50Ms, p99Ms: stage.latencyP99Ms)
            }
            let lastError = daemonError ?? camera.capture.lastError ?? camera.device?.lastError ?? camera.decode.lastError
                ?? health.inference.lastError ?? health.postprocess.lastError
            return PipelineStatus(
                camera: name, state: state, fps: camera.endToEnd.fps,
                framesCaptured: UInt64(camera.capture.framesIn), framesPublished: UInt64(camera.endToEnd.framesOut),
                framesDropped: UInt64(camera.capture.drops),
                latency: ["decode": latency(camera.decode), "inference": latency(health.inference),
                          "postprocess": latency(health.postprocess), "total": latency(camera.endToEnd)],
                actions: health.actions, lastError: lastError,
                counters: daemonCounters.merging(["decode_errors": UInt64(camera.decode.errors), "capture_errors": UInt64(camera.capture.errors),
                           "inference_errors": UInt64(health.inference.errors),
                           "inference_drops": UInt64(health.inference.drops),
                           "sink_errors": UInt64(health.postprocess.errors),
                           "camera_reconnects": UInt64(camera.device?.reconnects ?? 0),
                           "driver_drops": UInt64(camera.device?.driverDrops ?? 0)], uniquingKeysWith: { _, camera in camera })
                    .merging(camera.depth.map { ["depth_frames": $0.framesWithDepth, "depth_missing": $0.framesMissingDepth,
                                                 "depth_errors": UInt64(camera.device?.depthErrors ?? 0)] } ?? [:],
                             uniquingKeysWith: { _, depth in depth }),
                uptimeSeconds: uptimeSeconds, source: camera.device?.source)
        }
    }

    /// One line for `systemctl status`.
    static func summary(_ health: PipelineHealth) -> String {
        let parts = health.cameras.keys.sorted().compactMap { name -> String? in
            guard let camera = health.cameras[name] else { return nil }
            return "\(name) \(String(format: "%.1f", camera.endToEnd.fps)) fps, p99 \(String(format: "%.0f", camera.endToEnd.latencyP99Ms)) ms, \(camera.capture.drops) dropped"
        }
        return (health.paused ? "paused; " : "") + parts.joined(separator: "; ")
    }
}
