@testable import AffordEngine
import Testing

/// Attention in row blocks (what 448×448 inputs get) against whole heads: each row's
/// quantization, scores and softmax are its own, so the int8 results must be identical.
@Suite(.enabled(if: BackboneFixtures.available, BackboneFixtures.skipMessage))
struct AttentionBlockTests {
    /// The context rows attention writes for one fixed set of Q, K and V at 224×224 (257 tokens).
    private func context(rows: Int?, precision: Precision, qkv: [Float]) throws -> [Float] {
        let config = try #require(BackboneFixtures.int8?.config)
        let pool = try #require(BackboneFixtures.pool)
        let workspace = Workspace(config: config, height: 224, width: 224, threads: pool.threads, positions: [], attentionRows: rows)
        #expect(workspace.attentionRows == rows ?? workspace.tokens)
        #expect(qkv.count == workspace.qkv.count)
        workspace.qkv.pointer.update(from: qkv, count: qkv.count)
        switch precision {
        case .int8: QuantizedAttention.forward(workspace, dim: config.embedDim, heads: config.numHeads, pool: pool)
        case .fp32: Attention.forward(workspace, dim: config.embedDim, heads: config.numHeads, pool: pool)
        }
        return Array(UnsafeBufferPointer(start: workspace.context.pointer, count: workspace.tokens * config.embedDim))
    }

    @Test func rowBlocksGiveWholeHeadsResults() throws {
        let config = try #require(BackboneFixtures.int8?.config)
        var random = KernelRandom(seed: 11)
        let qkv = random.floats(257 * 3 * config.embedDim, in: -3..<3)
        // 48 rows: five full blocks and a last one of 17.
        let whole = try context(rows: nil, precision: .int8, qkv: qkv)
        let blocked = try context(rows: 48, precision: .int8, qkv: qkv)
        let differing = zip(whole, blocked).filter { $0 != $1 }.count
        #expect(whole.count == blocked.count && differing == 0, "\(differing) of \(whole.count) context values differ")
        let spread = (whole.max() ?? 0) - (whole.min() ?? 0)
        #expect(spread > 0.1, "attention wrote a constant")

        let exact = try context(rows: nil, precision: .fp32, qkv: qkv)
        let exactBlocked = try context(rows: 48, precision: .fp32, qkv: qkv)
        #expect(Compare.maxRelativeError(exactBlocked, exact) < 1e-5)
        let cosines = Compare.rowCosines(blocked, exact, dim: config.embedDim)
        #expect((cosines.min() ?? 0) > 0.99, "int8 blocks against fp32: worst row cosine \(cosines.min() ?? 0)")
    }

    @Test func scoreSlabsStayWithinTheirBudget() {
        #expect(Workspace.attentionRows(tokens: 257) == 257)
        let rows = Workspace.attentionRows(tokens: 1025)
        #expect(rows < 1025 && rows % 16 == 0 && rows * 1025 * MemoryLayout<Float>.stride <= 512 * 1024)
    }
}
