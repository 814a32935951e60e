import AffordCore
import AffordImaging
import Foundation

extension DaemonConfig {
    /// What `affordd replay` uses without a config: no recording, publishing on an ephemeral local port.
    public static func replayDefaults(model: ModelConfig) -> DaemonConfig {
        DaemonConfig(
            cameras: [], model: model, actions: [],
            postprocessing: PostprocessConfig(settings: .init(), heatmapEncoding: .mono8, tablePlane: nil),
            endpoints: EndpointConfig(publish: ["tcp://127.0.0.1:*"], control: nil, controller: nil),
            curve: .disabled, recording: nil, statusPeriod: 1)
    }
}

/// Decoders for replayed frames.
public enum ReplayDecoding {
    public static func decoder(inputSize: Int) -> @Sendable () throws -> (Frame) throws -> RGBImage {
        {
            let frameDecoder = try FrameDecoder(minimumWidth: inputSize, minimumHeight: inputSize)
            return { try frameDecoder.decode($0) }
        }
    }
}

/// A source that shows each frame to `tap` before handing it on.
public final class TappedSource: FrameSource {
    private let inner: FrameSource
    private let tap: ((Frame) -> Void)?
    public var cameraName: String { inner.cameraName }

    public init(_ inner: FrameSource, tap: ((Frame) -> Void)?) {
        self.inner = inner
        self.tap = tap
    }

    public func nextFrame() throws -> Frame? {
        let frame = try inner.nextFrame()
        if let frame { tap?(frame) }
        return frame
    }

    public func close() { inner.close() }
}

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
        ]
        json = "{" + fields.joined(separator: ",") + "}"
    }
}
