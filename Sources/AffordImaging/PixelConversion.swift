import AffordCore

/// Conversions of uncompressed frame layouts to the engine's packed RGB8.
public enum PixelConversion {
    /// Packs `rgb8`, `bgr8`, `mono8` or `yuyv` pixels (rows `stride` bytes apart) into RGB8.
    static func toRGB(
        _ pixels: [UInt8], width: Int, height: Int, stride: Int, format: PixelFormat
    ) throws -> RGBImage {
        guard let bytesPerPixel = format.bytesPerPixel else {
            throw AffordError(.unsupported, "\(format) is compressed; decode it with JPEGDecoder")
        }
        let rowBytes = width * bytesPerPixel
        guard width > 0, height > 0, stride >= rowBytes, pixels.count >= stride * (height - 1) + rowBytes else {
            throw AffordError(.invalidInput,
                "\(format) frame of \(pixels.count) bytes is too small for \(width)x\(height) with stride \(stride)")
        }
        if format == .yuyv && width % 2 != 0 {
            throw AffordError(.invalidInput, "YUYV frame width \(width) is odd")
        }
        var output = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                switch format {
                case .yuyv:
                    YUYV.toRGB(input, width: width, height: height, stride: stride, into: out)
                case .rgb8, .bgr8, .mono8:
                    for row in 0..<height {
                        let source = UnsafeRawBufferPointer(rebasing: input[(row * stride)..<(row * stride + rowBytes)])
                        let target = UnsafeMutableRawBufferPointer(rebasing: out[(row * width * 3)..<((row + 1) * width * 3)])
                        convertRow(source, into: target, format: format, width: width)
                    }
                case .mjpeg:
                    break  // rejected above
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }

    private static func convertRow(
        _ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer, format: PixelFormat, width: Int
    ) {
        switch format {
        case .rgb8:
            target.copyMemory(from: source)
        case .bgr8:
            for x in 0..<width {
                target[x * 3] = source[x * 3 + 2]
                target[x * 3 + 1] = source[x * 3 + 1]
                target[x * 3 + 2] = source[x * 3]
            }
        case .mono8:
            for x in 0..<width {
                let luma = source[x]
                target[x * 3] = luma
                target[x * 3 + 1] = luma
                target[x * 3 + 2] = luma
            }
        case .yuyv, .mjpeg:
            break
        }
    }

    /// ITU-R BT.601 luma of an RGB image, rounded: the grey Pillow's `convert("L")` gives.
    public static func toMono(_ image: RGBImage) -> MonoImage {
        var luma = [UInt8](repeating: 0, count: image.width * image.height)
        image.pixels.withUnsafeBufferPointer { rgb in
            for i in 0..<luma.count {
                let weighted = 19595 * UInt32(rgb[i * 3]) + 38470 * UInt32(rgb[i * 3 + 1]) + 7471 * UInt32(rgb[i * 3 + 2])
                luma[i] = UInt8((weighted + 0x8000) >> 16)
            }
        }
        return MonoImage(width: image.width, height: image.height, pixels: luma)
    }

    /// The same pixels in B, G, R order (for sinks that want OpenCV's layout).
    public static func toBGR(_ image: RGBImage) -> [UInt8] {
        var bgr = image.pixels
        for i in Swift.stride(from: 0, to: bgr.count, by: 3) { bgr.swapAt(i, i + 2) }
        return bgr
    }
}
