import AffordCore
import AffordImaging
import AffordRecording

/// Decoders for replayed frames, and a replayed log's health.
public enum ReplayDecoding {
    /// A log reports like a device: streaming, with the depth messages that did not decode as
    /// its depth errors.
    public static func health(_ source: ReplaySource) -> @Sendable () -> DeviceHealth {
        let errors = source.depthErrors
        let description = "log \(source.path)"
        return {
            let (count, last) = errors.value
            return DeviceHealth(streaming: true, lastError: last, depthErrors: count, source: description)
        }
    }

    public static func decoder(inputSize: Int) -> @Sendable () throws -> (Frame) throws -> RGBImage {
        {
            let frameDecoder = try FrameDecoder(minimumWidth: inputSize, minimumHeight: inputSize)
            return { try frameDecoder.decode($0) }
        }
    }
}
