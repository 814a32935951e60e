import Foundation

/// The replay's last line: throughput and capture-to-publish latency.
public struct ReplaySummary {
    public var json: String

    public init(_ health: PipelineHealth, camera: String, seconds: Double) {
        let stage = health.cameras[camera]
        let published = stage?.endToEnd.framesOut ?? 0
        let fields: [String] = [
            #""frames_in":\#(stage?.capture.framesIn ?? 0)"#,
            #""frames_published":\#(published)"#,
            #""frames_dropped":\#(stage?.capture.drops ?? 0)"#,
            #""inference_drops":\#(health.inference.drops)"#,
            #""decode_errors":\#(stage?.decode.errors ?? 0)"#,
            String(format: #""fps":%.2f"#, seconds > 0 ? Double(published) / seconds : 0),
            String(format: #""latency_p50_ms":%.2f"#, stage?.endToEnd.latencyP50Ms ?? 0),
            String(format: #""latency_p99_ms":%.2f"#, stage?.endToEnd.latencyP99Ms ?? 0),
        ] + (stage?.depth.map { [#""frames_with_depth":\#($0.framesWithDepth)"#, #""frames_missing_depth":\#($0.framesMissingDepth)"#] } ?? [])
        json = "{" + fields.joined(separator: ",") + "}"
    }
}
