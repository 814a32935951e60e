import AffordCore

/// What a camera is asked for: a size, a rate and the formats to try, in order.
public struct CaptureRequest: Sendable, Equatable {
    var width: Int
    var height: Int
    /// nil takes the fastest rate offered at that size.
    var fps: Int?
    var preference: [CaptureFormat]

    public init(width: Int, height: Int, fps: Int?, preference: [CaptureFormat] = CaptureFormat.defaultPreference) {
        self.width = width
        self.height = height
        self.fps = fps
        self.preference = preference
    }
}

/// The format, size and rate chosen for a device.
public struct NegotiatedFormat: Sendable, Equatable, CustomStringConvertible {
    /// How colour frames are labelled; nil for a depth node's Z16, which becomes a `DepthImage`.
    var format: CaptureFormat?
    var fourCC: FourCC
    var width: Int
    var height: Int
    /// nil when the device listed no intervals for this size.
    var interval: FrameInterval?
    var emulated: Bool

    public var description: String {
        let rate = interval.map { " @ \($0.fps) fps" } ?? " @ driver default rate"
        return "\(fourCC) \(width)x\(height)\(rate)\(emulated ? " (converted by libv4lconvert)" : "")"
    }
}

/// Picks a format from a device's table; pure, so tested over recorded tables.
enum FormatNegotiation {
    /// The first preferred format offering exactly the requested size and rate
    /// (within 1%, so 29.97 satisfies 30). Never substitutes another size or
    /// format: a mismatch is an error naming everything the device offers.
    static func negotiate(_ request: CaptureRequest, from table: [FormatDescription]) throws -> NegotiatedFormat {
        for format in request.preference {
            // Prefer what the hardware sends natively over a libv4lconvert emulation of it.
            let candidates = table.filter { format.fourCCs.contains($0.fourCC) }.sorted { !$0.emulated && $1.emulated }
            for description in candidates {
                guard let size = description.sizes.first(where: { $0.width == request.width && $0.height == request.height })
                else { continue }
                guard let rate = pickRate(size.intervals, fps: request.fps) else { continue }
                return NegotiatedFormat(format: format, fourCC: description.fourCC, width: size.width, height: size.height,
                                        interval: rate.interval, emulated: description.emulated)
            }
        }
        let rate = request.fps.map { "@\($0)" } ?? ""
        let wanted = request.preference.map(\.rawValue).joined(separator: ", ")
        throw AffordError(.unsupported,
            "the camera offers no \(wanted) at \(request.width)x\(request.height)\(rate); it offers: \(table.summary)")
    }

    /// A depth node's Z16 mode beside a colour stream of `width`x`height` at `fps`: the colour
    /// size if the node offers it at that rate, else, of the sizes offering the rate, the one
    /// nearest to it by the area the two do not share (uvcvideo's own rule when S_FMT asks for
    /// a size it lacks): what the driver gives when asked for the colour size. Registration, or
    /// the consumers' scaling of an aligned stream, takes care of a size that differs.
    static func negotiateDepth(width: Int, height: Int, fps: Int?, from table: [FormatDescription]) throws
        -> NegotiatedFormat
    {
        let unshared = { (size: FrameSizeOption) in
            size.width * size.height + width * height - 2 * min(size.width, width) * min(size.height, height)
        }
        let offers = table.filter { $0.fourCC == .z16 }.flatMap { description in
            description.sizes.compactMap { size in pickRate(size.intervals, fps: fps).map { (description, size, $0) } }
        }
        guard let (description, size, rate) = offers.min(by: { unshared($0.1) < unshared($1.1) }) else {
            let rate = fps.map { " at \($0) fps" } ?? ""
            throw AffordError(.unsupported, "the depth node offers no Z16\(rate); it offers: \(table.summary)")
        }
        return NegotiatedFormat(format: nil, fourCC: .z16, width: size.width, height: size.height,
                                interval: rate.interval, emulated: description.emulated)
    }

    /// A matching rate; `interval` is nil when the device listed none and no rate was asked for.
    private struct Rate { var interval: FrameInterval? }

    private static func pickRate(_ intervals: [FrameInterval], fps: Int?) -> Rate? {
        if intervals.isEmpty { return Rate(interval: fps.map { FrameInterval(fps: $0) }) }
        guard let fps else { return intervals.max { $0.fps < $1.fps }.map { Rate(interval: $0) } }
        return intervals.first { abs($0.fps - Double(fps)) <= 0.01 * Double(fps) }.map { Rate(interval: $0) }
    }
}
