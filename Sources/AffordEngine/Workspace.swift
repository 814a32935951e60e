/// Every activation buffer one input size and batch need, allocated once and reused each frame.
///
/// A batch of `batch` images is `rows = batch·tokens` rows, image after image, so every
/// row-local step (LayerNorm, the GEMMs, GELU) runs once over all of them; only the patch
/// im2col and attention look at one image at a time.
final class Workspace: @unchecked Sendable {
    let gridRows: Int
    let gridColumns: Int
    /// Tokens of one image (class token + patches).
    let tokens: Int
    /// Images per pass.
    let batch: Int
    /// `batch · tokens`: the M of every GEMM.
    let rows: Int
    /// The preprocessed inputs, CHW, image after image.
    let input: Buffer<Float>
    /// im2col of the inputs: one row of `3·p·p` pixels per patch, image after image.
    let patches: Buffer<Float>
    /// Position table resampled to this grid, `[tokens, dim]` (one image's).
    let positions: Buffer<Float>
    /// The residual stream, `[rows, dim]`.
    let hidden: Buffer<Float>
    let normed: Buffer<Float>
    let qkv: Buffer<Float>
    let context: Buffer<Float>
    let projected: Buffer<Float>
    let mlp: Buffer<Float>
    /// The final LayerNorm's output: the backbone's result.
    let output: Buffer<Float>
    /// Attention scores, one `[attentionRows, scoreStride]` slab per thread.
    let scores: Buffer<Float>
    /// Floats from one score row to the next: `tokens` rounded up to whole 64-byte lines, so
    /// QKᵀ's stores and the softmax's loads never straddle two (257 tokens: 272).
    let scoreStride: Int
    let activations: ActivationScratch
    let attention: AttentionScratch

    /// Query rows per attention task (see `attentionRows(tokens:)`).
    let attentionRows: Int

    /// `attentionRows` overrides the row-block rule, for tests.
    init(config: BackboneConfig, height: Int, width: Int, threads: Int, positions: [Float], batch: Int = 1,
         attentionRows: Int? = nil) {
        precondition(batch >= 1, "a batch holds at least one image")
        gridRows = height / config.patchSize
        gridColumns = width / config.patchSize
        let tokens = 1 + gridRows * gridColumns
        self.tokens = tokens
        self.batch = batch
        let rows = batch * tokens
        self.rows = rows
        self.attentionRows = attentionRows.map { min(max($0, 1), tokens) } ?? Self.attentionRows(tokens: tokens)
        let dim = config.embedDim
        let patchInputs = 3 * config.patchSize * config.patchSize
        self.positions = Buffer(copying: positions)
        input = Buffer(batch * 3 * height * width)
        patches = Buffer(batch * gridRows * gridColumns * patchInputs)
        hidden = Buffer(rows * dim)
        normed = Buffer(rows * dim)
        qkv = Buffer(rows * 3 * dim)
        context = Buffer(rows * dim)
        projected = Buffer(rows * dim)
        mlp = Buffer(rows * config.mlpHidden)
        output = Buffer(rows * dim)
        scoreStride = (tokens + 15) / 16 * 16
        scores = Buffer(threads * self.attentionRows * scoreStride)
        activations = ActivationScratch(rows: rows, columns: max(config.mlpHidden, patchInputs, dim))
        attention = AttentionScratch(tokens: tokens, dim: dim, heads: config.numHeads, threads: threads,
                                     blockRows: self.attentionRows, batch: batch)
    }
}

extension Workspace {
    /// Query rows per attention task. QKᵀ writes each thread's score slab (rows × tokens floats)
    /// and the softmax and PV read it back, so the slab is kept within 512 KiB, about a core's
    /// share of L2: a whole head at 224×224 (257 tokens), 112 rows at 448×448 (1025 tokens), where
    /// whole heads (4 MiB slabs) took the int8 attention 42–54 ms a frame against 31 ms.
    static func attentionRows(tokens: Int) -> Int {
        let fitting = 512 * 1024 / (MemoryLayout<Float>.stride * tokens)
        return tokens <= fitting ? tokens : max(16, fitting / 16 * 16)
    }
}

/// A fixed-size, 64-byte-aligned heap array that outlives any one call.
final class Buffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(_ count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Element>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Element.self, capacity: max(1, count))
    }

    convenience init(copying values: [Element]) {
        self.init(values.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: count).initialize(from: values)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
