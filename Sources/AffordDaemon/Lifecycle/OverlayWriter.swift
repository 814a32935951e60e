import AffordCore
import AffordImaging
import Foundation

/// Writes a heatmap overlay PNG per published frame (replay's `--overlay-dir`).
///
/// It sees raw frames through the capture tap and keeps only the last few, so it
/// decodes just the frames that were published; memory stays bounded.
public final class OverlayWriter: ResultSink, Sendable {
    private let directory: String
    private let recent = Shared<[String: [Frame]]>([:])
    /// Raw frames kept per camera: enough to cover a second of capture-to-publish latency at 60 fps.
    private let keep = 64

    public init(directory: String) { self.directory = directory }

    /// Remembers a raw frame (called on capture threads).
    public func remember(_ frame: Frame) {
        recent.withLock { recent in
            recent[frame.camera, default: []].append(frame)
            if recent[frame.camera, default: []].count > keep { recent[frame.camera]?.removeFirst() }
        }
    }

    /// `<dir>/<camera>/<seq>_<action>.png` for the first action, all centroids and axes marked.
    public func consume(_ result: FrameResult) throws {
        let frame = recent.withLock { $0[result.camera]?.first { $0.sequence == result.sequence } }
        guard let frame, let first = result.actions.first else { return }
        // A decoder per overlay: it is single-threaded, and its set-up is small beside the PNG encode.
        let image = try FrameDecoder().decode(frame)
        // Regions, centroids and axes are in frame pixels; the overlay decodes the frame at full size.
        let overlay = HeatmapOverlay.render(image, heatmap: first.heatmap, components: result.actions.flatMap(\.components),
                                            regions: result.regions)
        let name = String(format: "%06llu_%@.png", result.sequence, first.action)
        try ImageFiles.write(try PNGCodec.encode(overlay),
                             to: "\(directory)/\(result.camera)/\(name)")
    }
}
