/// The 14×14 stride-14 patch convolution, run as im2col + one GEMM, plus the
/// class token and the resampled position table.
struct PatchEmbedding {
    let projection: LinearLayer
    let classToken: [Float]
    let patchSize: Int

    /// Every image's patches go through one projection GEMM (`batch · patches` rows) into
    /// `projected`, then land behind each image's class token with the position table added.
    func forward(_ workspace: Workspace, width: Int, height: Int, pool: ComputePool) {
        let p = patchSize
        let columns = workspace.gridColumns
        let patchCount = workspace.gridRows * columns
        let rowLength = 3 * p * p
        let imageFloats = 3 * height * width
        let input = workspace.input.pointer
        let patches = workspace.patches.pointer
        // Row layout (channel, ky, kx) matches the conv weight [out, 3, p, p] flattened.
        pool.parallelRanges(workspace.batch * patchCount) { range, _ in
            for row in range {
                let image = input + (row / patchCount) * imageFloats
                let patch = row % patchCount
                let top = (patch / columns) * p
                let left = (patch % columns) * p
                var target = patches + row * rowLength
                for channel in 0..<3 {
                    for ky in 0..<p {
                        (target).update(from: image + (channel * height + top + ky) * width + left, count: p)
                        target += p
                    }
                }
            }
        }
        let dim = projection.outFeatures
        let tokens = workspace.tokens
        let hidden = workspace.hidden.pointer
        let staged = workspace.projected.pointer
        projection.forward(
            patches, rows: workspace.batch * patchCount, ldInput: rowLength, into: staged, ldOutput: dim,
            scratch: workspace.activations, pool: pool)
        let positions = workspace.positions.pointer
        pool.parallelRanges(workspace.rows) { range, _ in
            for row in range {
                let image = row / tokens, token = row % tokens
                let target = hidden + row * dim
                let position = positions + token * dim
                if token == 0 {
                    for c in 0..<dim { target[c] = classToken[c] + position[c] }
                } else {
                    let source = staged + (image * patchCount + token - 1) * dim
                    for c in 0..<dim { target[c] = source[c] + position[c] }
                }
            }
        }
    }
}
