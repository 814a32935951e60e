import CAffordMath

extension Heatmap {
    static let mono8Level = afm_best_level()

    /// Writes one byte per value into `output` (exactly `width * height` bytes):
    /// rint(clamp(value, 0, 1) × 255), halves to even; NaN is 0. The one mono8 quantisation
    /// that the publisher, the recorder and the tool-chain's references agree on
    /// (`afm_mono8`, the widest SIMD level this CPU has).
    public func writeMono8(into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == values.count, "mono8 output buffer has the wrong size")
        values.withUnsafeBufferPointer { values in
            guard let source = values.baseAddress, let target = output.baseAddress else { return }
            let chunk = 1 << 30  // the kernel counts in Int32
            for start in stride(from: 0, to: values.count, by: chunk) {
                afm_mono8(Self.mono8Level, source + start, target + start, Int32(min(chunk, values.count - start)))
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
