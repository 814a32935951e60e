import AffordImaging
import AffordRecording

/// Replays a log's image channel as `affordd replay` does and decodes every frame to RGB.
enum ReplayDrain {
    /// Enough to pass every message of a seed; a mutated log can claim many more.
    static let maxFrames = 64

    static func run(path: String) {
        guard let source = try? ReplaySource(path: path, options: .init(pacing: .asFastAsPossible)),
              let decoder = try? FrameDecoder(minimumWidth: 224, minimumHeight: 224) else { return }
        defer { source.close() }
        for _ in 0..<maxFrames {
            guard let frame = try? source.nextFrame() else { return }
            _ = try? decoder.decode(frame)
        }
    }
}
