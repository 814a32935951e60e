import AffordCore

/// A V4L2 pixel format code such as "MJPG", as `v4l2_fourcc` builds it.
struct FourCC: Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt32

    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// From four ASCII characters; shorter strings are padded with spaces.
    init(_ code: String) {
        let bytes = Array(code.utf8.prefix(4)) + Array(repeating: UInt8(ascii: " "), count: max(0, 4 - code.utf8.count))
        rawValue = bytes.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    var description: String {
        String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: rawValue >> (8 * $0)) }, as: UTF8.self)
    }

    static let mjpeg = FourCC("MJPG")
    static let jpeg = FourCC("JPEG")
    static let yuyv = FourCC("YUYV")
    static let rgb24 = FourCC("RGB3")
    /// V4L2_PIX_FMT_Z16: 16-bit little-endian depth samples (RealSense, Orbbec and other UVC depth nodes).
    static let z16 = FourCC("Z16 ")
}

/// The capture formats affordd can negotiate, in the spirit of usb_cam's one-type-per-format.
public enum CaptureFormat: String, Sendable, CaseIterable, Codable {
    /// Motion JPEG, decoded with DCT scaling; the cheapest USB bandwidth.
    case mjpeg
    /// Packed 4:2:2, converted by `YUYV.toRGB`.
    case yuyv
    /// Packed RGB; usually produced by libv4lconvert from whatever the sensor sends.
    case rgb24

    /// The default preference: compressed first, then raw, then converted.
    public static let defaultPreference: [CaptureFormat] = [.mjpeg, .yuyv, .rgb24]

    /// Device codes that carry this format ("JPEG" is MJPEG on some older UVC cameras).
    var fourCCs: [FourCC] {
        switch self {
        case .mjpeg: [.mjpeg, .jpeg]
        case .yuyv: [.yuyv]
        case .rgb24: [.rgb24]
        }
    }

    /// How frames in this format are labelled downstream.
    var pixelFormat: PixelFormat {
        switch self {
        case .mjpeg: .mjpeg
        case .yuyv: .yuyv
        case .rgb24: .rgb8
        }
    }
}
