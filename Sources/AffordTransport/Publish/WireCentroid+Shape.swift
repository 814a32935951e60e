import AffordCore

extension WireCentroid {
    /// `axis`, `length_px`, `width_px`, `elongation` and `grasp`: null when their inputs are
    /// missing, never absent.
    func encodeShapeAndGrasp(into c: inout KeyedEncodingContainer<CodingKeys>) throws {
        let shape = component.shape
        try c.encode(shape.flatMap { Self.array($0.axis) }, forKey: .axis)
        try c.encode(shape.flatMap { WireFormat.finite($0.lengthPx) }, forKey: .lengthPx)
        try c.encode(shape.flatMap { WireFormat.finite($0.widthPx) }, forKey: .widthPx)
        try c.encode(shape.flatMap { WireFormat.finite($0.elongation) }, forKey: .elongation)
        try c.encode(component.grasp.flatMap { $0.isFinite ? $0 : nil }, forKey: .grasp)
    }

    /// [x, y], or nil when either is not finite.
    static func array(_ vector: SIMD2<Double>) -> [Double]? {
        vector.x.isFinite && vector.y.isFinite ? [vector.x, vector.y] : nil
    }
}
