/// Pixel layouts a frame can carry between stages.
public enum PixelFormat: String, Sendable, Codable, CaseIterable {
    /// Interleaved 8-bit R, G, B.
    case rgb8
    /// Interleaved 8-bit B, G, R.
    case bgr8
    /// One 8-bit luma channel.
    case mono8
    /// Packed 4:2:2 Y0 U Y1 V, as V4L2_PIX_FMT_YUYV.
    case yuyv
    /// A complete JPEG bitstream (MJPEG frames); `width`/`height` are the coded size.
    case mjpeg

    /// Bytes per pixel for uncompressed layouts; nil for compressed ones.
    public var bytesPerPixel: Int? {
        switch self {
        case .rgb8, .bgr8: 3
        case .mono8: 1
        case .yuyv: 2
        case .mjpeg: nil
        }
    }
}

/// One captured image and where and when it came from.
public struct Frame: Sendable {
    /// No camera produces a side longer than this: a larger one from a driver, a log or a
    /// calibration file is corrupt, and is refused before any area or buffer is sized from it.
    public static let maximumSide = 1 << 15

    public var pixels: [UInt8]
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    /// Bytes per row; 0 for compressed formats.
    public var stride: Int
    /// Capture time on CLOCK_MONOTONIC, in nanoseconds.
    public var captureMonotonicNs: UInt64
    /// The source's own frame counter; gaps mean dropped frames.
    public var sequence: UInt64
    /// The configured camera name this frame belongs to.
    public var camera: String
    /// Capture time on CLOCK_REALTIME when the source knows it (a log's recorded stamp);
    /// nil: the monotonic time plus this machine's offset.
    public var captureWallNs: UInt64?
    /// The optical frame the source named (a ROS header's `frame_id`); nil: the camera's configured one.
    public var frameID: String?
    /// The depth frame paired with this one (`DepthPairing`), aligned to it; nil for colour-only
    /// cameras and for frames whose depth did not arrive.
    public var depth: DepthImage?

    public init(
        pixels: [UInt8], width: Int, height: Int, format: PixelFormat, stride: Int? = nil,
        captureMonotonicNs: UInt64, sequence: UInt64, camera: String, captureWallNs: UInt64? = nil, frameID: String? = nil,
        depth: DepthImage? = nil
    ) {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.format = format
        self.stride = stride ?? (format.bytesPerPixel.map { $0 * width } ?? 0)
        self.captureMonotonicNs = captureMonotonicNs
        self.sequence = sequence
        self.camera = camera
        self.captureWallNs = captureWallNs
        self.frameID = frameID
        self.depth = depth
    }
}

/// A tightly packed RGB8 image: the engine's input.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `width * height * 3` bytes, row-major, no padding.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage needs width*height*3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
