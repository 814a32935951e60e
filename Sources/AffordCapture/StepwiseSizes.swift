import AffordCore
import CV4L2

/// Stepwise and continuous ranges (common on CSI and virtual cameras) turned into the
/// discrete sizes and rates negotiation works with.
enum StepwiseSizes {
    static let commonSizes = [(160, 120), (320, 240), (640, 480), (800, 600), (1024, 768),
                              (1280, 720), (1280, 960), (1920, 1080), (2560, 1440), (3840, 2160)]
    static let commonRates: [UInt32] = [5, 10, 15, 20, 25, 30, 50, 60, 90, 120]
    /// Sizes past `Frame.maximumSide` are a driver's placeholder (stepwise ranges up to
    /// UInt32.max exist), not a mode.
    static func plausible(width: Int, height: Int) -> Bool {
        (1...Frame.maximumSide).contains(width) && (1...Frame.maximumSide).contains(height)
    }

    static func expand(_ range: v4l2_frmsize_stepwise) -> [(Int, Int)] {
        let fits = { (value: Int, minimum: UInt32, maximum: UInt32, step: UInt32) in
            value >= Int(minimum) && value <= Int(maximum) && (value - Int(minimum)) % Int(max(step, 1)) == 0
        }
        var sizes = commonSizes.filter { width, height in
            fits(width, range.min_width, range.max_width, range.step_width)
                && fits(height, range.min_height, range.max_height, range.step_height)
        }
        sizes.append((Int(range.max_width), Int(range.max_height)))
        return sizes
    }

    static func expand(_ range: v4l2_frmival_stepwise) -> [FrameInterval] {
        let fastest = FrameInterval(numerator: range.min.numerator, denominator: range.min.denominator)
        let slowest = FrameInterval(numerator: range.max.numerator, denominator: range.max.denominator)
        return [fastest] + commonRates.map { FrameInterval(numerator: 1, denominator: $0) }
            .filter { $0.fps < fastest.fps && $0.fps > slowest.fps }
    }
}
