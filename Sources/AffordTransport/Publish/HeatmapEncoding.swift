import AffordCore

/// How heatmap pixels travel on the wire (ROS `sensor_msgs/Image` encoding names).
public enum HeatmapEncoding: String, Sendable, Codable, CaseIterable {
    /// One byte per pixel: rint(clamp(value, 0, 1) × 255), rounding halves to even; NaN is 0
    /// (`Heatmap.writeMono8`).
    case mono8
    /// One little-endian IEEE-754 float per pixel, the [0, 1] value as is.
    case float32 = "32FC1"

    var bytesPerPixel: Int {
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
            heatmap.writeMono8(into: output)
        case .float32:
            heatmap.values.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(output).copyMemory(from: source)
            }
        }
    }
}
