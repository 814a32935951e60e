import AffordCore
import CTurboJPEG

/// The coded size and layout of a JPEG, read without decoding pixels.
public struct JPEGHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// TurboJPEG's chroma subsampling (`TJSAMP_*`), -1 when unknown.
    var subsampling: Int32
}

/// A DCT scaling factor TurboJPEG can decode to directly (`numerator/denominator`).
struct JPEGScale: Sendable, Equatable, CustomStringConvertible {
    var numerator: Int
    var denominator: Int

    static let full = JPEGScale(numerator: 1, denominator: 1)

    /// The size of `dimension` after scaling, rounded up as libjpeg does (`TJSCALED`).
    func scaled(_ dimension: Int) -> Int {
        (dimension * numerator + denominator - 1) / denominator
    }

    var description: String { "\(numerator)/\(denominator)" }

    /// The reducing factors this libjpeg-turbo offers (never enlarging), largest first.
    static let available: [JPEGScale] = {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return [.full] }
        return UnsafeBufferPointer(start: factors, count: Int(count))
            .map { JPEGScale(numerator: Int($0.num), denominator: Int($0.denom)) }
            .filter { $0.numerator <= $0.denominator }
            .sorted { $0.numerator * $1.denominator > $1.numerator * $0.denominator }
    }()

    /// The smallest factor whose output still covers `minimumWidth` x `minimumHeight`;
    /// full size when the image is already smaller than that.
    static func smallest(
        covering minimumWidth: Int, _ minimumHeight: Int, from width: Int, _ height: Int,
        among factors: [JPEGScale] = available
    ) -> JPEGScale {
        factors
            .filter { $0.scaled(width) >= minimumWidth && $0.scaled(height) >= minimumHeight }
            .min { $0.numerator * $1.denominator < $1.numerator * $0.denominator } ?? .full
    }
}

/// Decodes JPEG (and MJPEG frames) to RGB through one reused TurboJPEG handle.
///
/// A TurboJPEG handle is not thread-safe, so neither is this type: give each
/// decoding thread its own decoder. It is deliberately not `Sendable`.
public final class JPEGDecoder {
    /// What to do when libjpeg reports a recoverable problem (e.g. a truncated scan).
    public enum WarningPolicy: Sendable {
        /// Throw `.decode`: a frame with damaged data is dropped and counted.
        case reject
        /// Keep the (partly grey) image and remember the warning in `lastWarning`.
        case accept
    }

    var warningPolicy: WarningPolicy
    public static let defaultMaximumPixels = DecodeLimits.maximumPixels
    /// JPEGs whose coded size is larger are refused before decoding, at any DCT scale:
    /// libjpeg entropy-decodes every coded block, and a progressive image buffers them all.
    public var maximumPixels = JPEGDecoder.defaultMaximumPixels
    /// A decode may cover this many full passes over `maximumPixels` across its scans
    /// (see `JPEGScanCost`). libjpeg's own progressive script makes 14 for 4:4:4 colour
    /// (its DC scans take all three components), 8 for 4:2:0; a baseline JPEG makes 3 at most.
    static let maximumScanPasses = 16
    /// TJFLAG_LIMITSCANS: libjpeg-turbo refuses a JPEG at its 501st scan.
    static let libjpegScanLimit = 500
    /// The most recent warning accepted under `.accept`.
    private(set) var lastWarning: String?
    /// How many warnings were accepted under `.accept`.
    private(set) var acceptedWarnings = 0

    private let handle: tjhandle

    public init(warningPolicy: WarningPolicy = .reject) throws {
        guard let handle = tjInitDecompress() else {
            throw AffordError(.decode, "tjInitDecompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        self.handle = handle
        self.warningPolicy = warningPolicy
    }

    deinit { tjDestroy(handle) }

    /// Reads the coded size without decoding.
    public func header(_ jpeg: UnsafeRawBufferPointer) throws -> JPEGHeader {
        guard let base = jpeg.baseAddress, !jpeg.isEmpty else {
            throw AffordError(.decode, "empty JPEG buffer")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = -1, colorspace: Int32 = 0
        let status = tjDecompressHeader3(
            handle, base.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
            &width, &height, &subsampling, &colorspace)
        if status != 0 { throw failure("reading JPEG header") }
        return JPEGHeader(width: Int(width), height: Int(height), subsampling: subsampling)
    }

    /// Decodes at full size.
    func decode(_ jpeg: UnsafeRawBufferPointer) throws -> RGBImage {
        try decode(jpeg, scale: .full)
    }

    /// Decodes straight to the smallest DCT scale that still covers the requested size,
    /// so a 640x480 frame for a 224-pixel model is decoded at 320x240, never at full size.
    func decode(
        _ jpeg: UnsafeRawBufferPointer, minimumWidth: Int, minimumHeight: Int
    ) throws -> RGBImage {
        let coded = try header(jpeg)
        let scale = JPEGScale.smallest(
            covering: minimumWidth, minimumHeight, from: coded.width, coded.height)
        return try decode(jpeg, scale: scale, header: coded)
    }

    /// Decodes at one of `JPEGScale.available`.
    func decode(_ jpeg: UnsafeRawBufferPointer, scale: JPEGScale) throws -> RGBImage {
        try decode(jpeg, scale: scale, header: try header(jpeg))
    }

    /// Full-size decode of a byte array.
    public func decode(_ jpeg: [UInt8]) throws -> RGBImage {
        try jpeg.withUnsafeBytes { try decode($0) }
    }

    /// DCT-scaled decode of a byte array.
    public func decode(_ jpeg: [UInt8], minimumWidth: Int, minimumHeight: Int) throws -> RGBImage {
        try jpeg.withUnsafeBytes { try decode($0, minimumWidth: minimumWidth, minimumHeight: minimumHeight) }
    }

    private func decode(_ jpeg: UnsafeRawBufferPointer, scale: JPEGScale, header: JPEGHeader) throws -> RGBImage {
        guard let base = jpeg.baseAddress else { throw AffordError(.decode, "empty JPEG buffer") }
        let width = scale.scaled(header.width)
        let height = scale.scaled(header.height)
        guard width > 0, height > 0 else {
            throw AffordError(.decode, "JPEG header declares an empty \(header.width)x\(header.height) image")
        }
        guard header.width * header.height <= maximumPixels else {
            throw AffordError(.decode,
                "JPEG is \(header.width)x\(header.height), over the \(maximumPixels)-pixel limit (at any scale)")
        }
        try checkScanCost(jpeg, header: header)
        // The accurate DCT keeps us bit-exact with Pillow, which the Python tool-chain
        // trains and evaluates with; TJFLAG_FASTDCT would save only a few percent.
        // LIMITSCANS refuses progressive files of over 500 scans, whose decode time
        // grows without bound; cameras send baseline JPEG, so it costs nothing.
        var flags: Int32 = TJFLAG_LIMITSCANS
        if warningPolicy == .reject { flags |= TJFLAG_STOPONWARNING }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let status = pixels.withUnsafeMutableBufferPointer { output in
            tjDecompress2(
                handle, base.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
                output.baseAddress, Int32(width), Int32(width * 3), Int32(height),
                Int32(TJPF_RGB.rawValue), flags)
        }
        if status != 0 {
            let isWarning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
            if !isWarning || warningPolicy == .reject {
                throw failure("decoding \(header.width)x\(header.height) JPEG at scale \(scale)")
            }
            lastWarning = message()
            acceptedWarnings += 1
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Refuses a JPEG whose scans would cover more than `maximumScanPasses` passes over the
    /// pixel limit. Skipped when even `libjpegScanLimit` scans of four components (a scan's
    /// most) fit: images up to 268 K pixels at the default limit.
    private func checkScanCost(_ jpeg: UnsafeRawBufferPointer, header: JPEGHeader) throws {
        let budget = min(maximumPixels, Int.max / 64) * Self.maximumScanPasses
        func padded(_ size: Int) -> Int { (size + 7) / 8 * 8 }
        let worstCase = padded(header.width) * padded(header.height) * 4 * Self.libjpegScanLimit
        guard worstCase > budget else { return }
        let cost = JPEGScanCost(jpeg, stoppingAbove: budget)
        guard cost.samples <= budget else {
            throw AffordError(.decode,
                "\(header.width)x\(header.height) JPEG: its first \(cost.scans) scans cover \(cost.samples) samples, "
                + "over the budget of \(Self.maximumScanPasses) passes over the \(maximumPixels)-pixel limit")
        }
    }

    private func message() -> String { String(cString: tjGetErrorStr2(handle)) }

    private func failure(_ action: String) -> AffordError {
        let kind = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) ? "warning" : "error"
        return AffordError(.decode, "\(action): TurboJPEG \(kind): \(message())")
    }
}

@available(*, unavailable, message: "a TurboJPEG handle is single-threaded; make one decoder per thread")
extension JPEGDecoder: Sendable {}
