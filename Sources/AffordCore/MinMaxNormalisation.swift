/// Min-max normalisation, `(v - low) / (high - low + epsilon)`, computed as one subtraction
/// and one multiplication by the reciprocal. The plain pass over a map and the fused resize
/// (`Bilinear.Separable.resizeNormalised`) both apply it through here, so they give the same values.
public struct MinMaxNormalisation: Sendable, Equatable {
    public static let epsilon: Float = 1e-12
    /// Leaves every value as it is, NaN and signed zeros included: `(v - 0) * 1 == v`.
    static let identity = MinMaxNormalisation(low: 0, scale: 1)

    public let low: Float
    public let scale: Float

    public init(low: Float, high: Float) {
        self.init(low: low, scale: 1 / (high - low + Self.epsilon))
    }

    private init(low: Float, scale: Float) {
        self.low = low
        self.scale = scale
    }

    @inline(__always) func apply(_ value: Float) -> Float { (value - low) * scale }
    @inline(__always) func apply(_ values: SIMD16<Float>) -> SIMD16<Float> { (values - low) * scale }

    /// Normalises `values` in place by their own extremes; empty stays empty.
    public static func normalise(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let (low, high) = extremes(UnsafeBufferPointer(values)), let base = values.baseAddress else { return }
        let normalisation = MinMaxNormalisation(low: low, high: high)
        // 16 lanes with the scalar tail's arithmetic, so it vectorises.
        let whole = values.count / 16 * 16
        for start in stride(from: 0, to: whole, by: 16) {
            let value = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(base + start).storeBytes(of: normalisation.apply(value), as: SIMD16<Float>.self)
        }
        for index in whole..<values.count { values[index] = normalisation.apply(values[index]) }
    }

    /// The smallest and largest value, as a sequential `min`/`max` fold finds them (a NaN
    /// counts only in the first place), in 16 lanes so that it vectorises.
    public static func extremes(_ values: UnsafeBufferPointer<Float>) -> (low: Float, high: Float)? {
        guard let first = values.first, let base = values.baseAddress else { return nil }
        var low = SIMD16<Float>(repeating: first), high = low
        let whole = values.count / 16 * 16
        for start in stride(from: 0, to: whole, by: 16) {
            let value = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<Float>.self)
            low = low.replacing(with: value, where: value .< low)
            high = high.replacing(with: value, where: value .> high)
        }
        var lowest = low[0], highest = high[0]
        for lane in 1..<16 {
            lowest = min(lowest, low[lane])
            highest = max(highest, high[lane])
        }
        for value in values[whole...] {
            lowest = min(lowest, value)
            highest = max(highest, value)
        }
        return (lowest, highest)
    }
}
