extension Heatmap {
    /// Writes one byte per value into `output` (exactly `width * height` bytes):
    /// rint(clamp(value, 0, 1) × 255), halves to even; NaN is 0. The one mono8 quantisation
    /// that the publisher, the recorder and the tool-chain's references agree on.
    public func writeMono8(into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == values.count, "mono8 output buffer has the wrong size")
        values.withUnsafeBufferPointer { values in
            guard let source = values.baseAddress, let target = output.baseAddress else { return }
            // Adding 2^23 rounds to the nearest integer (ties to even, as rint) and leaves it in
            // the low mantissa bits: no trapping conversion. 16 lanes, then the same per value.
            let whole = values.count / 16 * 16
            for start in stride(from: 0, to: whole, by: 16) {
                let value = UnsafeRawPointer(source + start).loadUnaligned(as: SIMD16<Float>.self)
                // NaN fails `.> 0` and becomes 0.
                let belowOne = value.replacing(with: 1, where: .!(value .< 1))
                let clamped = SIMD16<Float>(repeating: 0).replacing(with: belowOne, where: value .> 0)
                let bits = unsafeBitCast(clamped * 255 + 8_388_608, to: SIMD16<UInt32>.self)
                UnsafeMutableRawPointer(target + start).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: bits), as: SIMD16<UInt8>.self)
            }
            for index in whole..<values.count {
                let value = values[index]
                let clamped = value > 0 ? (value < 1 ? value : 1) : 0
                target[index] = UInt8(truncatingIfNeeded: (clamped * 255 + 8_388_608).bitPattern)
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
