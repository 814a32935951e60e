extension Heatmap {
    /// Writes one byte per value into `output` (exactly `width * height` bytes):
    /// rint(clamp(value, 0, 1) × 255), halves to even; NaN is 0. The one mono8 quantisation
    /// that the publisher, the recorder and the tool-chain's references agree on.
    public func writeMono8(into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == values.count, "mono8 output buffer has the wrong size")
        values.withUnsafeBufferPointer { values in
            for index in values.indices {
                // NaN fails both comparisons and becomes 0.
                let value = values[index]
                let clamped = value > 0 ? (value < 1 ? value : 1) : 0
                // Adding 2^23 rounds to the nearest integer (ties to even, as rint) and leaves
                // it in the low mantissa bits: no trapping conversion, so the loop vectorises.
                output[index] = UInt8(truncatingIfNeeded: (clamped * 255 + 8_388_608).bitPattern)
            }
        }
    }

    /// `writeMono8` into a new array, row-major, no padding.
    public func mono8Bytes() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count) { output, count in
            writeMono8(into: output)
            count = values.count
        }
    }
}
