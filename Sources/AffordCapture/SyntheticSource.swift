import AffordCore
import AffordImaging

/// A deterministic moving test pattern in any pixel format: frame N is the same
/// on every run, so tests and benchmarks need no camera and no files.
public final class SyntheticSource: FrameSource {
    public let cameraName: String
    let width: Int
    let height: Int
    let format: PixelFormat
    /// nil runs forever.
    let frameCount: Int?
    private var pacer: FramePacer
    private var sequence: UInt64 = 0
    private var isClosed = false
    private let encoder: JPEGEncoder?

    init(cameraName: String = "synthetic", width: Int = 640, height: Int = 480, format: PixelFormat = .mjpeg,
                fps: Double? = nil, frameCount: Int? = nil) throws {
        guard width >= 2, height >= 2, width % 2 == 0 || format != .yuyv else {
            throw AffordError(.invalidConfig, "synthetic \(format) source cannot be \(width)x\(height)")
        }
        self.cameraName = cameraName
        self.width = width
        self.height = height
        self.format = format
        self.frameCount = frameCount
        pacer = FramePacer(fps: fps)
        encoder = format == .mjpeg ? try JPEGEncoder() : nil
    }

    public func nextFrame() throws -> Frame? {
        if isClosed { return nil }
        if let frameCount, sequence >= UInt64(frameCount) { return nil }
        let image = Self.pattern(sequence: sequence, width: width, height: height)
        let pixels: [UInt8]
        switch format {
        case .rgb8: pixels = image.pixels
        case .bgr8: pixels = PixelConversion.toBGR(image)
        case .mono8: pixels = PixelConversion.toMono(image).pixels
        case .yuyv: pixels = Self.yuyv(image)
        case .mjpeg: pixels = try encoder?.encode(image, quality: 85) ?? []
        }
        let frame = Frame(pixels: pixels, width: width, height: height, format: format,
                          captureMonotonicNs: pacer.waitForNextFrame(), sequence: sequence, camera: cameraName)
        sequence += 1
        return frame
    }

    public func close() { isClosed = true }

    /// Diagonal colour ramps with a bright square that moves 4 px right and 2 px down per frame.
    public static func pattern(sequence: UInt64, width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let side = max(2, min(width, height) / 6)
        let left = Int((sequence * 4) % UInt64(max(1, width - side)))
        let top = Int((sequence * 2) % UInt64(max(1, height - side)))
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let inSquare = (left..<(left + side)).contains(x) && (top..<(top + side)).contains(y)
                pixels[i] = inSquare ? 250 : UInt8(truncatingIfNeeded: x * 255 / width)
                pixels[i + 1] = inSquare ? 240 : UInt8(truncatingIfNeeded: y * 255 / height)
                pixels[i + 2] = inSquare ? 30 : UInt8(truncatingIfNeeded: (x + y + Int(sequence)) & 0xFF)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// BT.601 limited-range YUYV of an RGB image (chroma averaged per pixel pair): the inverse of `YUYV.toRGB`.
    public static func yuyv(_ image: RGBImage) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: image.width * image.height * 2)
        let rgb = image.pixels
        for pair in 0..<(image.width * image.height / 2) {
            var u = 0, v = 0
            for half in 0..<2 {
                let p = (pair * 2 + half) * 3
                let (r, g, b) = (Int(rgb[p]), Int(rgb[p + 1]), Int(rgb[p + 2]))
                output[pair * 4 + half * 2] = UInt8(16 + ((66 * r + 129 * g + 25 * b + 128) >> 8))
                u += (-38 * r - 74 * g + 112 * b + 128) >> 8
                v += (112 * r - 94 * g - 18 * b + 128) >> 8
            }
            output[pair * 4 + 1] = UInt8(128 + u / 2)
            output[pair * 4 + 3] = UInt8(128 + v / 2)
        }
        return output
    }
}
