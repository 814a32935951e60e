import CAffordKernels
import COpenBLAS

/// One pre-norm DINOv2 block: `x += ls1·proj(attn(norm1 x))`, `x += ls2·fc2(gelu(fc1(norm2 x)))`.
struct TransformerBlock {
    let norm1: LayerNormWeights
    /// q, k and v stacked into one `[3·dim, dim]` GEMM.
    let qkv: LinearLayer
    let projection: LinearLayer
    let layerScale1: Buffer<Float>
    let norm2: LayerNormWeights
    let fc1: LinearLayer
    let fc2: LinearLayer
    let layerScale2: Buffer<Float>
    let numHeads: Int

    /// The row-local step that follows a block's last phase, run on each row range while it is in cache.
    enum Continuation {
        /// The next block's norm1 and q/k/v GEMM, so that block starts with its attention.
        case block(TransformerBlock)
        /// The backbone's final LayerNorm into `output`.
        case finalNorm(LayerNormWeights, output: UnsafeMutablePointer<Float>)
    }

    /// Parallel phases with a barrier between each; everything row-local is fused into one task
    /// per row range (norm → quantize → GEMM → epilogue → …) so it stays in cache, across blocks
    /// too: the last phase ends with `continuation`. Only the first block (`computesQKV`) norms
    /// its own input. Row-local steps run over the whole batch (`workspace.rows`); attention
    /// stays per image.
    func forward(_ workspace: Workspace, pool: ComputePool, timer: StageTimer?, computesQKV: Bool,
                 then continuation: Continuation) {
        let rowCount = workspace.rows
        let dim = qkv.inFeatures
        let hidden = workspace.hidden.pointer
        let normed = workspace.normed.pointer
        let scratch = workspace.activations
        let isa = pool.isa

        if computesQKV {
            timer.measure(.normQKV) {
                pool.parallelRanges(rowCount, alignment: LinearLayer.rowBlock) { rows, _ in
                    normQKV(rows: rows, workspace, isa: isa)
                }
            }
        }
        timer.measure(.attention) {
            if qkv.precision == .int8 {
                QuantizedAttention.forward(workspace, dim: dim, heads: numHeads, pool: pool)
            } else {
                Attention.forward(workspace, dim: dim, heads: numHeads, pool: pool)
            }
        }
        timer.measure(.projectionMLP) {
            let hiddenWidth = fc1.outFeatures
            let mlp = workspace.mlp.pointer, projected = workspace.projected.pointer
            pool.parallelRanges(rowCount, alignment: LinearLayer.rowBlock) { rows, _ in
                projection.forward(
                    rows: rows, workspace.context.pointer, ldInput: dim, into: projected, ldOutput: dim,
                    scratch: scratch, isa: isa,
                    epilogue: .scaledResidual(residual: hidden, ldResidual: dim, scale: layerScale1.pointer))
                norm2.apply(rows: rows, hidden, into: normed, dim: dim)
                fc1.forward(rows: rows, normed, ldInput: dim, into: mlp, ldOutput: hiddenWidth,
                            scratch: scratch, isa: isa, epilogue: .gelu)
                fc2.forward(
                    rows: rows, mlp, ldInput: hiddenWidth, into: projected, ldOutput: dim,
                    scratch: scratch, isa: isa,
                    epilogue: .scaledResidual(residual: hidden, ldResidual: dim, scale: layerScale2.pointer))
                switch continuation {
                case .block(let next): next.normQKV(rows: rows, workspace, isa: isa)
                case .finalNorm(let norm, let output): norm.apply(rows: rows, hidden, into: output, dim: dim)
                }
            }
        }
    }

    /// norm1 and the q/k/v GEMM of one row range.
    private func normQKV(rows: Range<Int>, _ workspace: Workspace, isa: afk_isa) {
        let dim = qkv.inFeatures
        norm1.apply(rows: rows, workspace.hidden.pointer, into: workspace.normed.pointer, dim: dim)
        qkv.forward(rows: rows, workspace.normed.pointer, ldInput: dim, into: workspace.qkv.pointer, ldOutput: 3 * dim,
                    scratch: workspace.activations, isa: isa)
    }
}

/// LayerNorm's affine parameters.
struct LayerNormWeights {
    let weight: Buffer<Float>
    let bias: Buffer<Float>
    let eps: Float

    init(file: SafetensorsFile, prefix: String, dim: Int, eps: Float) throws {
        weight = Buffer(copying: Array(try file.floats(prefix + ".weight", shape: [dim])))
        bias = Buffer(copying: Array(try file.floats(prefix + ".bias", shape: [dim])))
        self.eps = eps
    }

    /// One range of rows on the calling thread.
    func apply(rows: Range<Int>, _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, dim: Int) {
        VectorMath.layerNorm(input + rows.lowerBound * dim, output + rows.lowerBound * dim, rows: rows.count, count: dim,
                             weight: weight.pointer, bias: bias.pointer, eps: eps)
    }
}

/// Multi-head self-attention in fp32: per (image, head, row block) tasks of two small sgemms and a softmax.
enum Attention {
    static func forward(_ workspace: Workspace, dim: Int, heads: Int, pool: ComputePool) {
        let tokens = workspace.tokens
        let headDim = dim / heads
        let blockRows = workspace.attentionRows
        let blocks = (tokens + blockRows - 1) / blockRows
        let qkvBase = workspace.qkv.pointer
        let contextBase = workspace.context.pointer
        let scoresBase = workspace.scores.pointer, stride = workspace.scoreStride
        let scale = 1 / Float(headDim).squareRoot()
        let ld = Int32(3 * dim)
        pool.parallelFor(heads * blocks * workspace.batch) { task, thread in
            let pair = task / blocks
            let head = pair % heads
            let imageRow = (pair / heads) * tokens
            let qkv = qkvBase + imageRow * 3 * dim
            let context = contextBase + imageRow * dim
            let first = (task % blocks) * blockRows
            let rows = min(blockRows, tokens - first)
            let scores = scoresBase + thread * blockRows * stride
            let query = qkv + first * 3 * dim + head * headDim
            let key = qkv + dim + head * headDim
            let value = qkv + 2 * dim + head * headDim
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(tokens), Int32(headDim),
                        1, query, ld, key, ld, 0, scores, Int32(stride))
            for row in 0..<rows { VectorMath.softmax(scores + row * stride, count: tokens, scale: scale) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(headDim), Int32(tokens),
                        1, scores, Int32(stride), value, ld, 0, context + first * dim + head * headDim, Int32(dim))
        }
    }
}
