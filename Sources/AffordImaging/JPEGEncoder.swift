import AffordCore
import CTurboJPEG

/// Encodes RGB or mono images to JPEG through one reused TurboJPEG handle.
///
/// Like `JPEGDecoder`, one encoder per thread; deliberately not `Sendable`.
public final class JPEGEncoder {
    private let handle: tjhandle

    public init() throws {
        guard let handle = tjInitCompress() else {
            throw AffordError(.decode, "tjInitCompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// A baseline JPEG of `image` with 4:2:0 chroma (what UVC webcams send).
    public func encode(_ image: RGBImage, quality: Int = 90) throws -> [UInt8] {
        try encode(image.pixels, width: image.width, height: image.height,
                   format: TJPF_RGB, subsampling: TJSAMP_420, quality: quality)
    }

    /// A greyscale JPEG of `width * height` luma bytes.
    func encodeMono(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws -> [UInt8] {
        try encode(pixels, width: width, height: height,
                   format: TJPF_GRAY, subsampling: TJSAMP_GRAY, quality: quality)
    }

    private func encode(
        _ pixels: [UInt8], width: Int, height: Int, format: TJPF, subsampling: TJSAMP, quality: Int
    ) throws -> [UInt8] {
        let channels = format == TJPF_GRAY ? 1 : 3
        guard width > 0, height > 0, pixels.count == width * height * channels else {
            throw AffordError(.invalidInput, "cannot encode \(pixels.count) bytes as a \(width)x\(height) image")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { if let output { tjFree(output) } }
        let status = pixels.withUnsafeBufferPointer { input in
            tjCompress2(
                handle, input.baseAddress, Int32(width), Int32(width * channels), Int32(height),
                Int32(format.rawValue), &output, &size, Int32(subsampling.rawValue),
                Int32(min(max(quality, 1), 100)), TJFLAG_FASTDCT)
        }
        guard status == 0, let output else {
            throw AffordError(.decode, "encoding \(width)x\(height) JPEG: TurboJPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}

@available(*, unavailable, message: "a TurboJPEG handle is single-threaded; make one encoder per thread")
extension JPEGEncoder: Sendable {}
