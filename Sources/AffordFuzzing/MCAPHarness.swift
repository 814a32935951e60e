import AffordRecording

/// A whole MCAP file: every record the reader yields (chunks, CRCs, summary), then replay.
enum MCAPHarness {
    /// A bound on records per input, so a log of many tiny records stays fast.
    static let maxRecords = 4_096

    static func run(_ input: [UInt8]) {
        _ = ScratchFile.with(input, suffix: ".mcap") { path in
            if let reader = try? MCAPReader(path: path) {
                defer { reader.close() }
                for _ in 0..<maxRecords {
                    guard let record = try? reader.next() else { break }
                    _ = record
                }
            }
            ReplayDrain.run(path: path)
        }
    }
}
