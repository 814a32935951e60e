@testable import AffordCapture

/// Format tables as `v4l2-ctl --list-formats-ext` prints them for real cameras,
/// plus the RGB3/BGR3 entries libv4l2 adds through libv4lconvert.
enum RecordedFormatTables {
    static func rates(_ fps: Int...) -> [FrameInterval] { fps.map { FrameInterval(fps: $0) } }

    /// A typical UVC webcam (Logitech C920 class): MJPEG at every size, YUYV fast only when small.
    static let uvcWebcam: [FormatDescription] = [
        FormatDescription(fourCC: .yuyv, name: "YUYV 4:2:2", sizes: [
            FrameSizeOption(width: 640, height: 480, intervals: rates(30, 24, 20, 15, 10, 5)),
            FrameSizeOption(width: 1280, height: 720, intervals: rates(10, 5)),
            FrameSizeOption(width: 1920, height: 1080, intervals: rates(5)),
        ]),
        FormatDescription(fourCC: .mjpeg, name: "Motion-JPEG", sizes: [
            FrameSizeOption(width: 640, height: 480, intervals: rates(30, 24, 20, 15, 10, 5)),
            FrameSizeOption(width: 1280, height: 720, intervals: rates(60, 30, 15)),
            FrameSizeOption(width: 1920, height: 1080, intervals: rates(30, 15)),
        ]),
        FormatDescription(fourCC: .rgb24, name: "RGB3", emulated: true, sizes: [
            FrameSizeOption(width: 640, height: 480, intervals: rates(30, 24, 20, 15, 10, 5)),
            FrameSizeOption(width: 1920, height: 1080, intervals: rates(30, 15)),
        ]),
    ]

    /// An industrial or older camera with raw YUYV only (NTSC-style 29.97 fps).
    static let yuyvOnly: [FormatDescription] = [
        FormatDescription(fourCC: .yuyv, name: "YUYV 4:2:2", sizes: [
            FrameSizeOption(width: 640, height: 480, intervals: [FrameInterval(numerator: 1001, denominator: 30000)]),
            FrameSizeOption(width: 320, height: 240, intervals: rates(60, 30)),
        ]),
    ]

    /// A camera libv4lconvert can only offer as RGB (a Bayer sensor; the raw format is unusable here).
    static let rgbOnly: [FormatDescription] = [
        FormatDescription(fourCC: FourCC("BA81"), name: "8-bit Bayer BGBG/GRGR", sizes: [
            FrameSizeOption(width: 1280, height: 960, intervals: rates(15)),
        ]),
        FormatDescription(fourCC: .rgb24, name: "RGB3", emulated: true, sizes: [
            FrameSizeOption(width: 1280, height: 960, intervals: rates(15)),
        ]),
    ]
}
