import AffordCore
import CPNG

/// PNG decode and encode through libpng's simplified `png_image` API,
/// which reports errors in the struct instead of longjmp-ing through Swift frames.
public enum PNGCodec {
    /// Decodes any PNG (palette, grey, alpha, 16-bit) to 8-bit RGB; alpha is dropped.
    public static func decodeRGB(_ data: [UInt8]) throws -> RGBImage {
        let (width, height, pixels) = try decode(data, format: UInt32(PNG_FORMAT_RGB), channels: 3)
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Decodes any PNG to 8-bit luma (libpng's sRGB-aware grey conversion).
    public static func decodeMono(_ data: [UInt8]) throws -> MonoImage {
        let (width, height, pixels) = try decode(data, format: UInt32(PNG_FORMAT_GRAY), channels: 1)
        return MonoImage(width: width, height: height, pixels: pixels)
    }

    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        try encode(image.pixels, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_RGB), channels: 3)
    }

    public static func encode(_ image: MonoImage) throws -> [UInt8] {
        try encode(image.pixels, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_GRAY), channels: 1)
    }

    private static func decode(_ data: [UInt8], format: UInt32, channels: Int) throws -> (Int, Int, [UInt8]) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let opened = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard opened != 0 else { throw failure(&image, "reading PNG header") }
        let width = Int(image.width), height = Int(image.height)
        // Bound the allocation a hostile header can ask for: a few bytes can claim 10^6 x 10^6.
        guard width > 0, height > 0, width * height <= DecodeLimits.maximumPixels else {
            throw AffordError(.decode,
                "PNG is \(width)x\(height), over the \(DecodeLimits.maximumPixels)-pixel limit")
        }
        image.format = format
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * channels), nil)
        }
        guard finished != 0 else { throw failure(&image, "decoding \(width)x\(height) PNG") }
        return (width, height, pixels)
    }

    private static func encode(_ pixels: [UInt8], width: Int, height: Int, format: UInt32, channels: Int) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        defer { png_image_free(&image) }
        var size = 0
        // The first call measures, the second writes.
        let measured = pixels.withUnsafeBytes {
            png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, Int32(width * channels), nil)
        }
        guard measured != 0 else { throw failure(&image, "sizing \(width)x\(height) PNG") }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes {
                png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, Int32(width * channels), nil)
            }
        }
        guard written != 0 else { throw failure(&image, "encoding \(width)x\(height) PNG") }
        return Array(output.prefix(size))
    }

    private static func failure(_ image: inout png_image, _ action: String) -> AffordError {
        let message = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return AffordError(.decode, "\(action): libpng: \(message)")
    }
}
