import AffordCore

/// Turns any `Frame` into an `RGBImage` that covers at least a requested size,
/// taking the cheapest route per format (DCT-scaled JPEG decode for MJPEG).
///
/// Owns a `JPEGDecoder`, so it is single-threaded like one: one per pipeline thread.
public final class FrameDecoder {
    let minimumWidth: Int
    let minimumHeight: Int
    /// Frames that could not be decoded (corrupt JPEG, short buffer).
    private(set) var failures = 0
    /// The last decode error, for the status message.
    private(set) var lastError: AffordError?

    private let jpeg: JPEGDecoder

    /// The last libjpeg warning accepted under `.accept` (a truncated or damaged scan).
    public var lastWarning: String? { jpeg.lastWarning }

    /// `minimumWidth`/`minimumHeight` of 0 mean full size; larger JPEGs than `maximumPixels` are refused.
    public init(minimumWidth: Int = 0, minimumHeight: Int = 0,
                warningPolicy: JPEGDecoder.WarningPolicy = .reject,
                maximumPixels: Int = JPEGDecoder.defaultMaximumPixels) throws {
        self.minimumWidth = minimumWidth
        self.minimumHeight = minimumHeight
        self.jpeg = try JPEGDecoder(warningPolicy: warningPolicy)
        jpeg.maximumPixels = maximumPixels
    }

    /// Decodes `frame`; a failure is counted, remembered and rethrown so the caller drops the frame.
    public func decode(_ frame: Frame) throws -> RGBImage {
        do {
            switch frame.format {
            case .mjpeg:
                return try frame.pixels.withUnsafeBytes {
                    minimumWidth <= 0 && minimumHeight <= 0
                        ? try jpeg.decode($0)
                        : try jpeg.decode($0, minimumWidth: minimumWidth, minimumHeight: minimumHeight)
                }
            case .rgb8, .bgr8, .mono8, .yuyv:
                return try PixelConversion.toRGB(
                    frame.pixels, width: frame.width, height: frame.height, stride: frame.stride, format: frame.format)
            }
        } catch let error as AffordError {
            failures += 1
            lastError = AffordError(error.code, "\(frame.camera) frame \(frame.sequence): \(error.message)")
            throw lastError ?? error
        }
    }
}

@available(*, unavailable, message: "owns a single-threaded JPEGDecoder; make one FrameDecoder per thread")
extension FrameDecoder: Sendable {}
