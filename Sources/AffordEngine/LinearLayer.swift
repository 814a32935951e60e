import AffordCore
import CAffordKernels
import COpenBLAS

/// `y = x Wᵀ + b` held for one precision: fp32 rows for sgemm, or packed s8 rows with scales.
///
/// Convolutions use it too, on im2col rows (`[out, in, kh, kw]` flattens to `[out, in·kh·kw]`).
final class LinearLayer: @unchecked Sendable {
    enum Storage {
        case fp32(Buffer<Float>)
        case int8(packed: OpaquePointer, scale: Buffer<Float>)
    }

    /// Row splits land on multiples of the int8 kernel's 6-row register tile.
    static let rowBlock = 6

    let name: String
    let outFeatures: Int
    let inFeatures: Int
    let storage: Storage
    let biasBuffer: Buffer<Float>

    var precision: Precision {
        if case .fp32 = storage { return .fp32 }
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
        biasBuffer = Buffer(copying: bias)
        if precision == .fp32 {
            storage = .fp32(Buffer(copying: rows))
        } else {
            guard let packed = afk_pack_weights(quantized, Int32(bias.count), Int32(inFeatures)) else {
                throw AffordError(.invalidModel, "\(file.path): could not pack '\(name)' (out of memory)")
            }
            storage = .int8(packed: packed, scale: Buffer(copying: scales))
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
        if case .int8(let packed, _) = storage { afk_packed_weights_free(packed) }
    }

    /// `output[0..<rows] = input · Wᵀ + b`, then `epilogue`, split by rows across the pool.
    /// `scratch` holds the quantized activations (int8 only).
    func forward(
        _ input: UnsafePointer<Float>, rows: Int, ldInput: Int,
        into output: UnsafeMutablePointer<Float>, ldOutput: Int,
        scratch: ActivationScratch, pool: ComputePool, epilogue: Epilogue = .none
    ) {
        let isa = pool.isa
        pool.parallelRanges(rows, alignment: Self.rowBlock) { range, _ in
            forward(rows: range, input, ldInput: ldInput, into: output, ldOutput: ldOutput,
                    scratch: scratch, isa: isa, epilogue: epilogue)
        }
    }

    /// The same for one range of rows on the calling thread, so callers can fuse
    /// several row-local steps into one parallel task. Rows index `input`, `output` and `scratch` alike.
    func forward(
        rows range: Range<Int>, _ input: UnsafePointer<Float>, ldInput: Int,
        into output: UnsafeMutablePointer<Float>, ldOutput: Int,
        scratch: ActivationScratch, isa: afk_isa, epilogue: Epilogue = .none
    ) {
        precondition(range.upperBound <= scratch.rows && inFeatures <= scratch.columns, "\(name): scratch too small")
        let first = range.lowerBound
        switch storage {
        case .fp32(let matrix):
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(range.count), Int32(outFeatures), Int32(inFeatures),
                1, input + first * ldInput, Int32(ldInput), matrix.pointer, Int32(inFeatures),
                0, output + first * ldOutput, Int32(ldOutput))
            Epilogue.addBias(biasBuffer.pointer, to: output, rows: range, ld: ldOutput, columns: outFeatures)
        case .int8(let packed, let scale):
            let ldq = scratch.columns
            afk_quantize_rows_u8(
                isa, input + first * ldInput, Int32(range.count), Int32(inFeatures), Int32(ldInput),
                scratch.quantized + first * ldq, Int32(ldq), scratch.scale + first, scratch.zero + first)
            let codes = scratch.quantized + first * ldq
            if case .scaledResidual(let residual, let ldResidual, let layerScale) = epilogue {
                // Added straight into the residual in the GEMM's epilogue; `output` stays unwritten.
                afk_gemm_u8s8_f32_accumulate(
                    isa, Int32(range.count), 0, Int32(outFeatures), codes, Int32(ldq), scratch.scale + first,
                    scratch.zero + first, packed, scale.pointer, biasBuffer.pointer, layerScale,
                    residual + first * ldResidual, Int32(ldResidual))
                return
            }
            afk_gemm_u8s8_f32(
                isa, Int32(range.count), 0, Int32(outFeatures), codes, Int32(ldq),
                scratch.scale + first, scratch.zero + first, packed, scale.pointer, biasBuffer.pointer,
                output + first * ldOutput, Int32(ldOutput))
        }
        epilogue.apply(output, rows: range, ld: ldOutput, columns: 0..<outFeatures)
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
