import AffordCore
import AffordImaging
import AffordRecording

/// Decoders for replayed frames, and a replayed log's health.
public enum ReplayDecoding {
    /// A log with depth reports like a device: streaming, with the depth messages that did not
    /// decode as its depth errors. Nil without depth.
    public static func health(_ source: ReplaySource) -> (@Sendable () -> DeviceHealth)? {
        guard source.hasDepth else { return nil }
        let errors = source.depthErrors
        return {
            let (count, last) = errors.value
            return DeviceHealth(streaming: true, lastError: last, depthErrors: count)
        }
    }

    public static func decoder(inputSize: Int) -> @Sendable () throws -> (Frame) throws -> RGBImage {
        {
            let frameDecoder = try FrameDecoder(minimumWidth: inputSize, minimumHeight: inputSize)
            return { try frameDecoder.decode($0) }
        }
    }
}
