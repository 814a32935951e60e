import AffordCore
@testable import AffordEngine
import AffordTestSupport
import Foundation
import Testing

/// Several images in one pass against the same images one by one. Every row-local step
/// quantizes and computes each row on its own, and attention stays within an image, so the
/// int8 engine must give the very same floats; OpenBLAS may block an fp32 GEMM differently
/// for another M, so fp32 gets a tolerance.
@Suite(.enabled(if: BackboneFixtures.available, BackboneFixtures.skipMessage), .serialized)
struct BatchedBackboneTests {
    /// The 224×224 reference inputs, and one of them mirrored so a batch holds a repeat too.
    static func inputs() throws -> [[Float]] {
        let references = try BackboneFixtures.referencePaths.map(BackboneFixtures.Reference.init(url:))
            .filter { $0.width == 224 && $0.height == 224 }
        try #require(references.count >= 2, "need two 224x224 reference inputs")
        return references.map(\.input) + [references[0].input.reversed()]
    }

    @Test(arguments: [Precision.int8, .fp32])
    func aBatchGivesTheTokensOfEachImageAlone(precision: Precision) throws {
        let backbone = try #require(precision == .int8 ? BackboneFixtures.int8 : BackboneFixtures.fp32)
        let inputs = try Self.inputs()
        let alone = try inputs.flatMap { try backbone.tokens(input: $0, height: 224, width: 224) }
        let batched = try backbone.tokens(batch: inputs, height: 224, width: 224)
        #expect(batched.count == alone.count)
        switch precision {
        case .int8:
            let differing = zip(batched, alone).filter { $0 != $1 }.count
            #expect(differing == 0, "\(differing) of \(alone.count) token values differ")
        case .fp32:
            let error = Compare.maxRelativeError(batched, alone)
            #expect(error < 1e-5, "max relative error \(error)")
        }
        // A smaller batch after a larger one uses its own buffers: still the same tokens.
        let pair = try backbone.tokens(batch: Array(inputs.prefix(2)), height: 224, width: 224)
        let firstTwo = Array(alone.prefix(pair.count))
        #expect(precision == .fp32 || pair == firstTwo)
    }

    @Test func theEngineGroundsABatchAsItGroundsEachImage() throws {
        let pool = try #require(BackboneFixtures.pool)
        let head = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models-default/affordd-default.head.safetensors").path
        try #require(FileManager.default.fileExists(atPath: head), "default head missing at \(head)")
        let engine = try GroundingEngine(
            backbone: try #require(BackboneFixtures.int8),
            head: AffordanceHead(path: head, precision: .int8, pool: pool))
        let images = try BackboneFixtures.referencePaths.map { try BackboneFixtures.Reference(url: $0).image }
        let actions = ["hold", "cut"]
        let alone = try images.map { try engine.ground($0, actions: actions) }
        let batched = try engine.ground(batch: images, actions: actions)
        #expect(batched.count == images.count)
        for (one, many) in zip(alone, batched) {
            #expect(one.map(\.action) == many.map(\.action))
            #expect(one.map(\.map) == many.map(\.map))
            #expect(one.map(\.presence) == many.map(\.presence))
        }
        #expect(try engine.ground(batch: [], actions: actions).isEmpty)

        // Zoom's `region_input`: a batch at another size grounds as an engine built for that size.
        let small = try GroundingEngine(backbone: try #require(BackboneFixtures.int8),
                                        head: AffordanceHead(path: head, precision: .int8, pool: pool), inputSize: 154)
        let smallAlone = try images.map { try small.ground($0, actions: actions) }
        let smallBatch = try engine.ground(batch: images, inputSize: 154, actions: actions)
        #expect(smallBatch.flatMap { $0.map(\.map) } == smallAlone.flatMap { $0.map(\.map) })
        #expect(smallBatch.first?.first.map { [$0.map.width, $0.map.height] } == [11, 11])
        #expect(throws: AffordError.self) { try engine.ground(batch: images, inputSize: 150, actions: actions) }
    }

    @Test func batchesOutsideTheBoundAreErrors() throws {
        let backbone = try #require(BackboneFixtures.int8)
        for batch in [0, Backbone.maximumBatch + 1] {
            #expect(throws: AffordError.self) {
                try backbone.run(height: 224, width: 224, batch: batch, fill: { _, _ in }, consume: { _ in })
            }
        }
    }
}
