import AffordCore
import AffordTransport

extension Daemon {
    /// The Prometheus text exposition: the daemon's counters brought up to date, then every series.
    public func metricsText() -> String {
        let health = runtime.status()
        for (name, camera) in health.cameras {
            syncStage(camera.capture, stage: "capture", camera: name)
            syncStage(camera.decode, stage: "decode", camera: name)
            syncStage(camera.endToEnd, stage: "end_to_end", camera: name)
            metrics.sync("affordd_camera_reconnects_total", [("camera", name)], to: UInt64(camera.device?.reconnects ?? 0))
            metrics.sync("affordd_camera_driver_drops_total", [("camera", name)], to: UInt64(camera.device?.driverDrops ?? 0))
            metrics.set("affordd_fps", [("camera", name)], to: camera.endToEnd.fps)
            if let depth = camera.depth {
                metrics.sync("affordd_depth_frames_total", [("camera", name)], to: depth.framesWithDepth)
                metrics.sync("affordd_depth_missing_total", [("camera", name)], to: depth.framesMissingDepth)
                metrics.sync("affordd_depth_errors_total", [("camera", name)], to: UInt64(camera.device?.depthErrors ?? 0))
            }
        }
        syncStage(health.inference, stage: "inference", camera: DaemonMetrics.allCameras)
        syncStage(health.postprocess, stage: "postprocess", camera: DaemonMetrics.allCameras)
        for (camera, result) in runtime.latestResults() {
            for action in result.actions {
                if let presence = action.presence { metrics.set("affordd_presence", [("camera", camera), ("action", action.action)], to: Double(presence)) }
                metrics.set("affordd_components", [("camera", camera), ("action", action.action)], to: Double(action.components.count))
            }
        }
        let (publisher, control) = state.withLock { ($0.publisher?.counters, $0.control?.counters) }
        if let publisher {
            metrics.sync("affordd_publisher_frames_published_total", to: publisher.framesPublished)
            metrics.sync("affordd_publisher_frames_dropped_total", to: publisher.framesDropped)
            metrics.sync("affordd_publisher_send_errors_total", to: publisher.sendErrors)
        }
        if let control {
            // Requests that never reached a handler; the handled ones are counted by op and outcome.
            metrics.sync("affordd_control_malformed_total", to: control.malformed + control.malformedBroadcasts)
        }
        if let recording = recorder?.status {
            metrics.sync("affordd_recording_queue_drops_total", to: recording.queueDrops)
            metrics.sync("affordd_recording_errors_total", to: recording.recorded.ioErrors)
            metrics.sync("affordd_recording_frames_total", to: recording.recorded.framesRecorded)
            metrics.sync("affordd_recording_lost_messages_total", to: recording.recorded.lostMessages)
        }
        metrics.sync("affordd_reloads_rejected_total", to: state.withLock { $0.reloadHealth.rejected })
        metrics.set("affordd_healthy", to: health.healthy ? 1 : 0)
        metrics.set("affordd_paused", to: health.paused ? 1 : 0)
        return metrics.exposition()
    }

    /// The watchdog's rule (every camera publishing, or still starting without a failure), with the status line.
    public func health() -> (healthy: Bool, summary: String) {
        let health = runtime.status()
        return (health.healthy, (health.healthy ? "healthy: " : "unhealthy: ") + PipelineStatusReport.summary(health))
    }

    /// Each camera's status topic body, as the publisher sends it.
    public func statusBodies() -> [(camera: String, json: [UInt8])] {
        let publisher = state.withLock { $0.publisher?.counters } ?? HeatmapPublisher.Counters()
        let now = MonotonicClock.wallNs()
        return wireStatus().compactMap { status in
            (try? status.wireBody(publisher: publisher, publishWallNs: now)).map { (status.camera, $0) }
        }
    }

    private func syncStage(_ stage: StageStatus, stage name: String, camera: String) {
        let labels = [("camera", camera), ("stage", name)]
        // End to end counts departures only: a frame "enters" it at capture.
        if name != "end_to_end" { metrics.sync("affordd_stage_frames_in_total", labels, to: UInt64(max(0, stage.framesIn))) }
        metrics.sync("affordd_stage_frames_out_total", labels, to: UInt64(max(0, stage.framesOut)))
        metrics.sync("affordd_stage_frames_dropped_total", labels, to: UInt64(max(0, stage.drops)))
        metrics.sync("affordd_stage_errors_total", labels, to: UInt64(max(0, stage.errors)))
    }
}
