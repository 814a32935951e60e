/// Symmetric per-output-channel int8 weights, as docs/MODEL_FORMAT.md defines them.
enum Quantizer {
    /// `w ≈ scale[o] · q[o, …]` with q in [-127, 127]; an all-zero row gets scale 1.
    static func symmetricPerRow(_ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> (values: [Int8], scales: [Float]) {
        var values = [Int8](repeating: 0, count: rows * columns)
        var scales = [Float](repeating: 1, count: rows)
        for row in 0..<rows {
            let line = weights[(row * columns)..<((row + 1) * columns)]
            let largest = line.reduce(0) { max($0, abs($1)) }
            let scale = largest > 0 ? largest / 127 : 1
            scales[row] = scale
            for (j, w) in line.enumerated() {
                values[row * columns + j] = Int8(max(-127, min(127, (w / scale).rounded())))
            }
        }
        return (values, scales)
    }

    /// The fp32 weights an int8 tensor stands for.
    static func dequantize(_ values: UnsafeBufferPointer<Int8>, scales: [Float], columns: Int) -> [Float] {
        var rows = [Float](repeating: 0, count: values.count)
        for index in 0..<values.count { rows[index] = Float(values[index]) * scales[index / columns] }
        return rows
    }
}
