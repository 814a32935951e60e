/// A frame interval (seconds per frame) as V4L2 reports it.
public struct FrameInterval: Hashable, Sendable {
    public var numerator: UInt32
    public var denominator: UInt32

    public init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The interval for `fps` frames per second.
    public init(fps: Int) { self.init(numerator: 1, denominator: UInt32(max(fps, 1))) }

    public var fps: Double { numerator == 0 ? 0 : Double(denominator) / Double(numerator) }
}

/// One frame size a device offers for a format, with its frame intervals.
public struct FrameSizeOption: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// Empty when the device did not list intervals (then any rate is asked for, and S_PARM says what it got).
    public var intervals: [FrameInterval]

    public init(width: Int, height: Int, intervals: [FrameInterval]) {
        self.width = width
        self.height = height
        self.intervals = intervals
    }
}

/// One pixel format a device offers: what VIDIOC_ENUM_FMT and friends reported.
public struct FormatDescription: Hashable, Sendable {
    public var fourCC: FourCC
    public var name: String
    /// True when libv4lconvert synthesises it from another format (V4L2_FMT_FLAG_EMULATED).
    public var emulated: Bool
    /// Discrete sizes; stepwise ranges are expanded to their common sizes by the device layer.
    public var sizes: [FrameSizeOption]

    public init(fourCC: FourCC, name: String, emulated: Bool = false, sizes: [FrameSizeOption]) {
        self.fourCC = fourCC
        self.name = name
        self.emulated = emulated
        self.sizes = sizes
    }
}

extension [FormatDescription] {
    /// "MJPG 1280x720@30,15 640x480@30; YUYV 640x480@30": for error messages and logs.
    public var summary: String {
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
