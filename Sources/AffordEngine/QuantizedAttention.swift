import CAffordKernels
import CAffordMath

/// Self-attention on the int8 kernels: QKᵀ and PV as u8×s8 GEMMs (K per token and V per
/// channel quantized symmetric to s8, Q and the softmax rows per row to u8), softmax in fp32
/// and written straight to u8.
/// Like onnxruntime's dynamic quantization of the same MatMuls.
enum QuantizedAttention {
    /// Attends within each image of the batch: image `b`'s rows are `b·tokens ..< (b+1)·tokens`.
    static func forward(_ workspace: Workspace, dim: Int, heads: Int, pool: ComputePool) {
        let tokens = workspace.tokens
        let headDim = dim / heads
        let qkv = workspace.qkv.pointer
        let scratch = workspace.attention
        let isa = pool.isa

        let blockRows = workspace.attentionRows
        let blocks = (tokens + blockRows - 1) / blockRows
        // Keys and values become this frame's packed "weights", one pair per (image, head),
        // quantized straight into the scratch's own slots: no allocation per frame.
        func pack(_ slot: Int) {
            let pair = slot / 2  // image · heads + head
            let image = pair / heads, head = pair % heads
            let imageQKV = qkv + image * tokens * 3 * dim
            if slot % 2 == 0 {
                scratch.packed.pointer[slot] = afk_pack_quantized_rows(
                    isa, imageQKV + dim + head * headDim, Int32(tokens), Int32(headDim), Int32(3 * dim),
                    scratch.keyScales.pointer + pair * tokens, scratch.packedSlot(slot), scratch.packedSlotBytes)
            } else {
                scratch.packed.pointer[slot] = afk_pack_quantized_columns(
                    isa, imageQKV + 2 * dim + head * headDim, Int32(tokens), Int32(headDim), Int32(3 * dim),
                    scratch.valueScales.pointer + pair * headDim, scratch.packedSlot(slot), scratch.packedSlotBytes)
            }
        }
        // A head in one task packs its own K and V (no phase and barrier of their own, and they
        // are still in L1 for QKᵀ); a head split across tasks needs them packed by all first.
        let packsInTask = blocks == 1
        if !packsInTask { pool.parallelFor(2 * heads * workspace.batch) { slot, _ in pack(slot) } }

        let scale = 1 / Float(headDim).squareRoot()
        pool.parallelFor(heads * blocks * workspace.batch) { task, thread in
            let pair = task / blocks
            let head = pair % heads
            let imageRow = (pair / heads) * tokens
            let first = (task % blocks) * blockRows
            let rows = Int32(min(blockRows, tokens - first))
            if packsInTask {
                pack(2 * pair)
                pack(2 * pair + 1)
            }
            guard let keys = scratch.packed.pointer[2 * pair], let values = scratch.packed.pointer[2 * pair + 1] else { return }
            let queryCodes = scratch.queryCodes.pointer + thread * blockRows * headDim
            let probabilityCodes = scratch.probabilityCodes.pointer + thread * blockRows * scratch.codeStride
            let rowScale = scratch.rowScales.pointer + thread * blockRows
            let rowZero = scratch.rowZeros.pointer + thread * blockRows
            let scores = workspace.scores.pointer + thread * blockRows * workspace.scoreStride

            afk_quantize_rows_u8(isa, qkv + (imageRow + first) * 3 * dim + head * headDim, rows, Int32(headDim), Int32(3 * dim),
                                 queryCodes, Int32(headDim), rowScale, rowZero)
            afk_gemm_u8s8_f32(isa, rows, 0, Int32(tokens), queryCodes, Int32(headDim), rowScale, rowZero,
                              keys, scratch.keyScales.pointer + pair * tokens, nil, scores, Int32(workspace.scoreStride))
            afm_softmax_u8_rows(VectorMath.level, scores, rows, Int32(tokens), Int32(workspace.scoreStride), scale,
                                probabilityCodes, Int32(scratch.codeStride), rowScale)
            rowZero.update(repeating: 0, count: Int(rows))
            afk_gemm_u8s8_f32(isa, rows, 0, Int32(headDim), probabilityCodes, Int32(scratch.codeStride), rowScale, rowZero,
                              values, scratch.valueScales.pointer + pair * headDim, nil,
                              workspace.context.pointer + (imageRow + first) * dim + head * headDim, Int32(dim))
        }
    }
}

/// Buffers for `QuantizedAttention`, sized for one token count and batch: packed K and V slots
/// and their scales per (image, head), the per-thread query and probability rows shared by all images.
final class AttentionScratch: @unchecked Sendable {
    let keyScales, valueScales: Buffer<Float>
    let packed: Buffer<OpaquePointer?>
    /// One 64-byte-aligned slot per packed K or V, big enough for either shape.
    let packedSlotBytes: Int
    private let packedSlots: Buffer<UInt8>
    let queryCodes, probabilityCodes: Buffer<UInt8>
    /// Bytes from one row of probability codes to the next: whole 64-byte lines, which the
    /// softmax stores whole.
    let codeStride: Int
    let rowScales: Buffer<Float>
    let rowZeros: Buffer<Int32>

    init(tokens: Int, dim: Int, heads: Int, threads: Int, blockRows: Int, batch: Int = 1) {
        keyScales = Buffer(batch * heads * tokens)
        valueScales = Buffer(batch * dim)
        packed = Buffer(2 * heads * batch)
        let headDim = dim / heads
        let largest = max(afk_packed_weights_size(Int32(tokens), Int32(headDim)), afk_packed_weights_size(Int32(headDim), Int32(tokens)))
        packedSlotBytes = (largest + 63) / 64 * 64
        packedSlots = Buffer(2 * heads * batch * packedSlotBytes)
        queryCodes = Buffer(threads * blockRows * (dim / heads))
        codeStride = (tokens + 63) / 64 * 64
        probabilityCodes = Buffer(threads * blockRows * codeStride)
        rowScales = Buffer(threads * blockRows)
        rowZeros = Buffer(threads * blockRows)
    }

    func packedSlot(_ index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(packedSlots.pointer + index * packedSlotBytes) }
}
