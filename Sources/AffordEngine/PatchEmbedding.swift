/// The 14×14 stride-14 patch convolution, run as im2col + one GEMM, plus the
/// class token and the resampled position table.
struct PatchEmbedding {
    let projection: LinearLayer
    let classToken: [Float]
    let patchSize: Int

    func forward(_ workspace: Workspace, width: Int, height: Int, pool: ComputePool) {
        let p = patchSize
        let columns = workspace.gridColumns
        let patchCount = workspace.gridRows * columns
        let rowLength = 3 * p * p
        let input = workspace.input.pointer
        let patches = workspace.patches.pointer
        // Row layout (channel, ky, kx) matches the conv weight [out, 3, p, p] flattened.
        pool.parallelRanges(patchCount) { range, _ in
            for patch in range {
                let top = (patch / columns) * p
                let left = (patch % columns) * p
                var target = patches + patch * rowLength
                for channel in 0..<3 {
                    for ky in 0..<p {
                        (target).update(from: input + (channel * height + top + ky) * width + left, count: p)
                        target += p
                    }
                }
            }
        }
        let dim = projection.outFeatures
        let hidden = workspace.hidden.pointer
        projection.forward(
            patches, rows: patchCount, ldInput: rowLength, into: hidden + dim, ldOutput: dim,
            scratch: workspace.activations, pool: pool)
        workspace.positions.withUnsafeBufferPointer { positions in
            for c in 0..<dim { hidden[c] = classToken[c] + positions[c] }
            pool.parallelRanges(workspace.tokens * dim) { range, _ in
                for i in range where i >= dim { hidden[i] += positions[i] }
            }
        }
    }
}
