import AffordCore
import CAffordKernels
import COpenBLAS

/// `y = x Wᵀ + b` held for one precision: fp32 rows for sgemm, or packed s8 rows with scales.
///
/// Convolutions use it too, on im2col rows (`[out, in, kh, kw]` flattens to `[out, in·kh·kw]`).
final class LinearLayer: @unchecked Sendable {
    enum Weights {
        case fp32([Float])
        case int8(packed: OpaquePointer, scale: [Float])
    }

    /// Column splits land on the AVX-512 kernel's 64-column blocks.
    static let columnBlock = 64

    let name: String
    let outFeatures: Int
    let inFeatures: Int
    let weights: Weights
    let bias: [Float]

    var precision: Precision {
        if case .fp32 = weights { return .fp32 }
        return .int8
    }

    /// Loads `<part>.weight`/`.bias` for each of `parts` and stacks them along the output axis
    /// (so q, k and v become one GEMM). F32 weights are quantized for int8 and I8 weights
    /// dequantized for fp32, so either file serves either precision.
    ///
    /// `kernelSize` > 1 marks a `[out, in, k, k]` convolution: its columns are reordered to
    /// `(ky, kx, in)` so im2col can copy whole channel rows.
    init(file: SafetensorsFile, parts: [String], inFeatures: Int, precision: Precision, kernelSize: Int = 1) throws {
        var rows: [Float] = []
        var quantized: [Int8] = []
        var scales: [Float] = []
        var bias: [Float] = []
        for part in parts {
            let info = try file.info(part + ".weight")
            guard info.shape.count >= 2, info.shape.dropFirst().reduce(1, *) == inFeatures else {
                throw AffordError(.invalidModel, "\(file.path): tensor '\(info.name)' has shape \(info.shape), expected [out, \(inFeatures)…]")
            }
            let out = info.shape[0]
            switch (info.dtype, precision) {
            case (.f32, .fp32):
                rows += try file.floats(info.name)
            case (.f32, .int8):
                let quant = Quantizer.symmetricPerRow(try file.floats(info.name), rows: out, columns: inFeatures)
                quantized += quant.values
                scales += quant.scales
            case (.i8, _):
                let values = try file.int8s(info.name)
                let scale = try file.floats(info.name + "_scale", shape: [out])
                if precision == .int8 {
                    quantized += values
                    scales += scale
                } else {
                    rows += Quantizer.dequantize(values, scales: Array(scale), columns: inFeatures)
                }
            default:
                throw AffordError(.invalidModel, "\(file.path): tensor '\(info.name)' is \(info.dtype.rawValue), expected F32 or I8")
            }
            bias += try file.floats(part + ".bias", shape: [out])
        }
        if kernelSize > 1 {
            let channels = inFeatures / (kernelSize * kernelSize)
            rows = Self.channelsLast(rows, columns: inFeatures, channels: channels)
            quantized = Self.channelsLast(quantized, columns: inFeatures, channels: channels)
        }
        self.name = parts.joined(separator: "+")
        self.inFeatures = inFeatures
        self.outFeatures = bias.count
        self.bias = bias
        if precision == .fp32 {
            weights = .fp32(rows)
        } else {
            guard let packed = afk_pack_weights(quantized, Int32(bias.count), Int32(inFeatures)) else {
                throw AffordError(.invalidModel, "\(file.path): could not pack '\(name)' (out of memory)")
            }
            weights = .int8(packed: packed, scale: scales)
        }
    }

    /// `[out][in][taps]` → `[out][taps][in]`.
    private static func channelsLast<T>(_ values: [T], columns: Int, channels: Int) -> [T] {
        guard !values.isEmpty else { return values }
        let taps = columns / channels
        var result = values
        for row in 0..<(values.count / columns) {
            let base = row * columns
            for channel in 0..<channels {
                for tap in 0..<taps { result[base + tap * channels + channel] = values[base + channel * taps + tap] }
            }
        }
        return result
    }

    deinit {
        if case .int8(let packed, _) = weights { afk_packed_weights_free(packed) }
    }

    /// `output[0..<rows] = input · Wᵀ + b`, then `epilogue` on each finished column block
    /// while it is still in cache. `scratch` holds the quantized activations (int8 only).
    func forward(
        _ input: UnsafePointer<Float>, rows: Int, ldInput: Int,
        into output: UnsafeMutablePointer<Float>, ldOutput: Int,
        scratch: ActivationScratch, pool: ComputePool, epilogue: Epilogue = .none
    ) {
        precondition(rows <= scratch.rows && inFeatures <= scratch.columns, "\(name): scratch too small")
        switch weights {
        case .fp32(let matrix):
            matrix.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    pool.parallelRanges(outFeatures, alignment: Self.columnBlock, tasksPerThread: 3) { columns, _ in
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns.count), Int32(inFeatures),
                            1, input, Int32(ldInput), w.baseAddress! + columns.lowerBound * inFeatures, Int32(inFeatures),
                            0, output + columns.lowerBound, Int32(ldOutput))
                        Epilogue.addBias(b.baseAddress!, to: output, rows: rows, ld: ldOutput, columns: columns)
                        epilogue.apply(output, rows: rows, ld: ldOutput, columns: columns)
                    }
                }
            }
        case .int8(let packed, let scale):
            let isa = pool.isa
            let q = scratch.quantized, aScale = scratch.scale, aZero = scratch.zero
            let ldq = scratch.columns
            pool.parallelRanges(rows) { range, _ in
                afk_quantize_rows_u8(
                    isa, input + range.lowerBound * ldInput, Int32(range.count), Int32(inFeatures), Int32(ldInput),
                    q + range.lowerBound * ldq, Int32(ldq), aScale + range.lowerBound, aZero + range.lowerBound)
            }
            scale.withUnsafeBufferPointer { s in
                bias.withUnsafeBufferPointer { b in
                    pool.parallelRanges(outFeatures, alignment: Self.columnBlock, tasksPerThread: 3) { columns, _ in
                        afk_gemm_u8s8_f32(
                            isa, Int32(rows), Int32(columns.lowerBound), Int32(columns.upperBound),
                            q, Int32(ldq), aScale, aZero, packed, s.baseAddress, b.baseAddress, output, Int32(ldOutput))
                        epilogue.apply(output, rows: rows, ld: ldOutput, columns: columns)
                    }
                }
            }
        }
    }
}

/// Per-token u8 activations for the int8 GEMMs, sized for the largest layer.
final class ActivationScratch: @unchecked Sendable {
    let rows: Int
    let columns: Int
    let quantized: UnsafeMutablePointer<UInt8>
    let scale: UnsafeMutablePointer<Float>
    let zero: UnsafeMutablePointer<Int32>

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        quantized = .allocate(capacity: rows * columns)
        scale = .allocate(capacity: rows)
        zero = .allocate(capacity: rows)
    }

    deinit {
        quantized.deallocate()
        scale.deallocate()
        zero.deallocate()
    }
}
