import AffordCore

/// How heatmap pixels travel on the wire (ROS `sensor_msgs/Image` encoding names).
public enum HeatmapEncoding: String, Sendable, Codable, CaseIterable {
    /// One byte per pixel: rint(clamp(value, 0, 1) × 255), rounding halves to even; NaN is 0.
    case mono8
    /// One little-endian IEEE-754 float per pixel, the [0, 1] value as is.
    case float32 = "32FC1"

    public var bytesPerPixel: Int {
        switch self {
        case .mono8: 1
        case .float32: 4
        }
    }

    /// Bytes the encoded `heatmap` occupies.
    func byteCount(of heatmap: Heatmap) -> Int { heatmap.width * heatmap.height * bytesPerPixel }

    /// Writes `heatmap` into `output` (exactly `byteCount` bytes), row-major, no padding.
    func encode(_ heatmap: Heatmap, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == byteCount(of: heatmap), "heatmap output buffer has the wrong size")
        switch self {
        case .mono8:
            heatmap.values.withUnsafeBufferPointer { values in
                for index in values.indices {
                    // NaN fails both comparisons and becomes 0.
                    let value = values[index]
                    let clamped = value > 0 ? (value < 1 ? value : 1) : 0
                    // Adding 2^23 rounds to the nearest integer (ties to even, as rint) and leaves
                    // it in the low mantissa bits: no trapping conversion, so the loop vectorises.
                    output[index] = UInt8(truncatingIfNeeded: (clamped * 255 + 8_388_608).bitPattern)
                }
            }
        case .float32:
            heatmap.values.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(output).copyMemory(from: source)
            }
        }
    }
}
