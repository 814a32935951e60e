import AffordCore
import AffordImaging
import AffordRecording

/// Replays a log's image channel as `affordd replay` does and decodes every frame to RGB.
enum ReplayDrain {
    /// Enough to pass every message of a seed; a mutated log can claim many more.
    static let maxFrames = 64

    /// The frames replayed (for tests that check a seed reaches past the decoder).
    @discardableResult
    static func run(path: String, depthTopic: String? = nil) -> [Frame] {
        guard let source = try? ReplaySource(path: path, options: .init(pacing: .asFastAsPossible, depthTopic: depthTopic)),
              let decoder = try? FrameDecoder(minimumWidth: 224, minimumHeight: 224) else { return [] }
        defer { source.close() }
        var frames: [Frame] = []
        for _ in 0..<maxFrames {
            guard let frame = try? source.nextFrame() else { break }
            _ = try? decoder.decode(frame)
            frames.append(frame)
        }
        return frames
    }
}
