import CAffordKernels
import CAffordMath

/// Self-attention on the int8 kernels: QKᵀ and PV as u8×s8 GEMMs (K per token and V per
/// channel quantized symmetric to s8, Q and the softmax rows per row to u8), softmax in fp32
/// and written straight to u8.
/// Like onnxruntime's dynamic quantization of the same MatMuls.
enum QuantizedAttention {
    static func forward(_ workspace: Workspace, dim: Int, heads: Int, pool: ComputePool) {
        let tokens = workspace.tokens
        let headDim = dim / heads
        let qkv = workspace.qkv.pointer
        let scratch = workspace.attention
        let isa = pool.isa

        // Keys and values become this frame's packed "weights", one pair per head.
        pool.parallelFor(2 * heads) { task, _ in
            let head = task / 2
            if task % 2 == 0 {
                let codes = scratch.keyCodes.pointer + head * tokens * headDim
                afm_quantize_s8_rows(VectorMath.level, qkv + dim + head * headDim, Int32(tokens), Int32(headDim), Int32(3 * dim),
                                     codes, Int32(headDim), scratch.keyScales.pointer + head * tokens)
                scratch.packed.pointer[task] = afk_pack_weights(codes, Int32(tokens), Int32(headDim))
            } else {
                let codes = scratch.valueCodes.pointer + head * headDim * tokens
                afm_quantize_s8_columns(VectorMath.level, qkv + 2 * dim + head * headDim, Int32(tokens), Int32(headDim), Int32(3 * dim),
                                        codes, Int32(tokens), scratch.valueScales.pointer + head * headDim)
                scratch.packed.pointer[task] = afk_pack_weights(codes, Int32(headDim), Int32(tokens))
            }
        }
        defer { for slot in 0..<(2 * heads) { afk_packed_weights_free(scratch.packed.pointer[slot]) } }

        let blockRows = workspace.attentionRows
        let blocks = (tokens + blockRows - 1) / blockRows
        let scale = 1 / Float(headDim).squareRoot()
        pool.parallelFor(heads * blocks) { task, thread in
            let head = task / blocks
            let first = (task % blocks) * blockRows
            let rows = Int32(min(blockRows, tokens - first))
            guard let keys = scratch.packed.pointer[2 * head], let values = scratch.packed.pointer[2 * head + 1] else { return }
            let queryCodes = scratch.queryCodes.pointer + thread * blockRows * headDim
            let probabilityCodes = scratch.probabilityCodes.pointer + thread * blockRows * tokens
            let rowScale = scratch.rowScales.pointer + thread * blockRows
            let rowZero = scratch.rowZeros.pointer + thread * blockRows
            let scores = workspace.scores.pointer + thread * blockRows * tokens

            afk_quantize_rows_u8(isa, qkv + first * 3 * dim + head * headDim, rows, Int32(headDim), Int32(3 * dim),
                                 queryCodes, Int32(headDim), rowScale, rowZero)
            afk_gemm_u8s8_f32(isa, rows, 0, Int32(tokens), queryCodes, Int32(headDim), rowScale, rowZero,
                              keys, scratch.keyScales.pointer + head * tokens, nil, scores, Int32(tokens))
            for row in 0..<Int(rows) {
                afm_softmax_u8(VectorMath.level, scores + row * tokens, Int32(tokens), scale,
                               probabilityCodes + row * tokens, rowScale + row)
                rowZero[row] = 0
            }
            afk_gemm_u8s8_f32(isa, rows, 0, Int32(headDim), probabilityCodes, Int32(tokens), rowScale, rowZero,
                              values, scratch.valueScales.pointer + head * headDim, nil,
                              workspace.context.pointer + first * dim + head * headDim, Int32(dim))
        }
    }
}

/// Buffers for `QuantizedAttention`, sized for one token count.
final class AttentionScratch: @unchecked Sendable {
    let keyCodes, valueCodes: Buffer<Int8>
    let keyScales, valueScales: Buffer<Float>
    let packed: Buffer<OpaquePointer?>
    let queryCodes, probabilityCodes: Buffer<UInt8>
    let rowScales: Buffer<Float>
    let rowZeros: Buffer<Int32>

    init(tokens: Int, dim: Int, heads: Int, threads: Int, blockRows: Int) {
        keyCodes = Buffer(tokens * dim)
        valueCodes = Buffer(tokens * dim)
        keyScales = Buffer(heads * tokens)
        valueScales = Buffer(dim)
        packed = Buffer(2 * heads)
        queryCodes = Buffer(threads * blockRows * (dim / heads))
        probabilityCodes = Buffer(threads * blockRows * tokens)
        rowScales = Buffer(threads * blockRows)
        rowZeros = Buffer(threads * blockRows)
    }
}
