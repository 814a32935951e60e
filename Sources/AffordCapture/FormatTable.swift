/// A frame interval (seconds per frame) as V4L2 reports it.
struct FrameInterval: Hashable, Sendable {
    var numerator: UInt32
    var denominator: UInt32

    init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The interval for `fps` frames per second.
    init(fps: Int) { self.init(numerator: 1, denominator: UInt32(max(fps, 1))) }

    var fps: Double { numerator == 0 ? 0 : Double(denominator) / Double(numerator) }
}

/// One frame size a device offers for a format, with its frame intervals.
struct FrameSizeOption: Hashable, Sendable {
    var width: Int
    var height: Int
    /// Empty when the device did not list intervals (then any rate is asked for, and S_PARM says what it got).
    var intervals: [FrameInterval]

    init(width: Int, height: Int, intervals: [FrameInterval]) {
        self.width = width
        self.height = height
        self.intervals = intervals
    }
}

/// One pixel format a device offers: what VIDIOC_ENUM_FMT and friends reported.
public struct FormatDescription: Hashable, Sendable {
    var fourCC: FourCC
    var name: String
    /// True when libv4lconvert synthesises it from another format (V4L2_FMT_FLAG_EMULATED).
    var emulated: Bool
    /// Discrete sizes; stepwise ranges are expanded to their common sizes by the device layer.
    var sizes: [FrameSizeOption]

    init(fourCC: FourCC, name: String, emulated: Bool = false, sizes: [FrameSizeOption]) {
        self.fourCC = fourCC
        self.name = name
        self.emulated = emulated
        self.sizes = sizes
    }
}

extension [FormatDescription] {
    /// "MJPG 1280x720@30,15 640x480@30; YUYV 640x480@30": for error messages and logs.
    var summary: String {
        if isEmpty { return "no capture formats" }
        return map { format in
            let sizes = format.sizes.map { size in
                let rates = size.intervals.map { rate in
                    rate.fps == rate.fps.rounded() ? String(Int(rate.fps)) : String(rate.fps)
                }
                return "\(size.width)x\(size.height)" + (rates.isEmpty ? "" : "@" + rates.joined(separator: ","))
            }
            return "\(format.fourCC)\(format.emulated ? " (libv4lconvert)" : "") " + sizes.joined(separator: " ")
        }.joined(separator: "; ")
    }
}
