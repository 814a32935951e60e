import AffordCore
import AffordImaging

/// Decoders for replayed frames.
public enum ReplayDecoding {
    public static func decoder(inputSize: Int) -> @Sendable () throws -> (Frame) throws -> RGBImage {
        {
            let frameDecoder = try FrameDecoder(minimumWidth: inputSize, minimumHeight: inputSize)
            return { try frameDecoder.decode($0) }
        }
    }
}
