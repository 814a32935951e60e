/// A depth map from a depth camera, aligned to its colour frame or registered into it
/// (`DepthRegistration`): Z along the colour camera's optical axis, metres.
public struct DepthImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Row-major, no padding. 0 or a non-finite value: the sensor had no reading there.
    public var metres: [Float]
    /// When the depth frame was taken, on the same clock as the colour frame it pairs with
    /// (a log's recorded stamp, or CLOCK_MONOTONIC for a camera), nanoseconds.
    public var stampNs: UInt64

    public init(width: Int, height: Int, metres: [Float], stampNs: UInt64) {
        precondition(width > 0 && height > 0 && metres.count == width * height, "DepthImage needs width*height values")
        self.width = width
        self.height = height
        self.metres = metres
        self.stampNs = stampNs
    }

    /// The farthest reading kept; beyond it a value is treated as no reading. Depth cameras
    /// report at most tens of metres, and 16-bit millimetres end at 65.5 m.
    public static let maximumMetres: Float = 100

    /// Whether `value` is a reading: finite, positive and within `maximumMetres`.
    @inline(__always)
    public static func isValid(_ value: Float) -> Bool { value > 0 && value <= maximumMetres }

    /// From 16-bit samples (V4L2 Z16, ROS `16UC1`), `metresPerUnit` each (0.001 for millimetres).
    /// `bytes` holds `height` rows of `stride` bytes; rows may be padded.
    public init(unsigned16 bytes: [UInt8], width: Int, height: Int, stride: Int, bigEndian: Bool = false,
                metresPerUnit: Float = 0.001, stampNs: UInt64, context: String) throws {
        try Self.checkLayout(bytes.count, width: width, height: height, stride: stride, bytesPerSample: 2, context: context)
        guard metresPerUnit.isFinite, metresPerUnit > 0, metresPerUnit <= 1 else {
            throw AffordError(.invalidInput, "\(context): depth scale \(metresPerUnit) m per unit is out of range (0, 1]")
        }
        var metres = [Float](repeating: 0, count: width * height)
        bytes.withUnsafeBytes { raw in
            for y in 0..<height {
                for x in 0..<width {
                    let offset = y * stride + 2 * x
                    let low = UInt16(raw[offset]), high = UInt16(raw[offset + 1])
                    let value = bigEndian ? (low << 8 | high) : (high << 8 | low)
                    metres[y * width + x] = Float(value) * metresPerUnit
                }
            }
        }
        self.init(width: width, height: height, metres: metres, stampNs: stampNs)
    }

    /// From 32-bit float metres (ROS `32FC1`); NaN and non-positive values mean no reading.
    public init(float32 bytes: [UInt8], width: Int, height: Int, stride: Int, bigEndian: Bool = false,
                stampNs: UInt64, context: String) throws {
        try Self.checkLayout(bytes.count, width: width, height: height, stride: stride, bytesPerSample: 4, context: context)
        var metres = [Float](repeating: 0, count: width * height)
        bytes.withUnsafeBytes { raw in
            for y in 0..<height {
                for x in 0..<width {
                    let bits = raw.loadUnaligned(fromByteOffset: y * stride + 4 * x, as: UInt32.self)
                    let value = Float(bitPattern: bigEndian ? bits.byteSwapped : bits)
                    metres[y * width + x] = Self.isValid(value) ? value : 0
                }
            }
        }
        self.init(width: width, height: height, metres: metres, stampNs: stampNs)
    }

    /// 16-bit millimetres, little endian, 0 where there is no reading: how recordings store depth.
    public func millimetres16() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 2 * metres.count)
        for (index, value) in metres.enumerated() where Self.isValid(value) {
            let millimetres = UInt16(min(65535, (value * 1000).rounded()))
            bytes[2 * index] = UInt8(truncatingIfNeeded: millimetres)
            bytes[2 * index + 1] = UInt8(truncatingIfNeeded: millimetres >> 8)
        }
        return bytes
    }

    private static func checkLayout(_ count: Int, width: Int, height: Int, stride: Int, bytesPerSample: Int,
                                    context: String) throws {
        guard (1...16384).contains(width), (1...16384).contains(height) else {
            throw AffordError(.invalidInput, "\(context): depth size \(width)x\(height) is out of range 1...16384")
        }
        guard stride >= width * bytesPerSample, stride <= 4 * width * bytesPerSample else {
            throw AffordError(.invalidInput,
                              "\(context): depth row step \(stride) does not fit \(width) samples of \(bytesPerSample) bytes")
        }
        guard count >= stride * (height - 1) + width * bytesPerSample else {
            throw AffordError(.invalidInput,
                              "\(context): depth data has \(count) bytes, \(width)x\(height) with step \(stride) needs \(stride * height)")
        }
    }
}
