import AffordCore
@testable import AffordEngine
import Foundation
import Testing

/// The Swift backbone against onnxruntime on the original graph, and int8 against fp32.
@Suite(.enabled(if: BackboneFixtures.available, BackboneFixtures.skipMessage), .serialized)
struct BackboneParityTests {
    @Test func preprocessingMatchesTheReferenceInput() throws {
        for url in BackboneFixtures.referencePaths {
            let reference = try BackboneFixtures.Reference(url: url)
            let preprocessor = Preprocessor(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
            let ours = preprocessor.preprocess(reference.image, width: reference.width, height: reference.height)
            let worst = zip(ours, reference.input).map { abs($0 - $1) }.max() ?? 0
            print("preprocess \(reference.name): max abs error \(worst)")
            #expect(worst < 1e-4, "\(reference.name): max abs error \(worst)")
        }
    }

    /// The bicubic position table against the one onnxruntime's Resize produced, when the fixture carries it.
    @Test func positionTableMatchesOnnxRuntimeResize() throws {
        let model = try SafetensorsFile(path: BackboneFixtures.fp32Path)
        let config = try BackboneConfig(file: model)
        let table = try model.floats("embeddings.position_embeddings")
        for url in BackboneFixtures.referencePaths {
            let reference = try SafetensorsFile(path: url.path)
            guard reference.contains("pos_embed") else { continue }
            let input = try reference.info("input")
            let ours = PositionEmbedding.interpolate(
                table, grid: config.positionGrid, dim: config.embedDim,
                rows: input.shape[2] / config.patchSize, columns: input.shape[3] / config.patchSize)
            let theirs = Array(try reference.floats("pos_embed"))
            let relative = Compare.maxRelativeError(ours, theirs)
            print("position table \(url.lastPathComponent): max|a-b|/max|b| = \(relative)")
            #expect(relative <= 1e-5, "\(url.lastPathComponent): \(relative)")
        }
    }

    @Test func fp32MatchesOnnxRuntime() throws {
        let backbone = try #require(BackboneFixtures.fp32)
        for url in BackboneFixtures.referencePaths {
            let reference = try BackboneFixtures.Reference(url: url)
            let tokens = try backbone.tokens(input: reference.input, height: reference.height, width: reference.width)
            #expect(tokens.count == reference.tokens.count)
            let relative = Compare.maxRelativeError(tokens, reference.tokens)
            let elementwise = Compare.elementwiseRelative(tokens, reference.tokens)
            print("fp32 vs ORT \(reference.name): max|a-b|/max|b| = \(relative), elementwise |a-b|/(|b|+0.01) p99.9 \(elementwise.p999) worst \(elementwise.worst)")
            #expect(relative <= 1e-3, "\(reference.name): max relative error \(relative)")
        }
    }

    @Test func int8StaysCloseToFp32() throws {
        let fp32 = try #require(BackboneFixtures.fp32)
        let int8 = try #require(BackboneFixtures.int8)
        let dim = fp32.config.embedDim
        for url in BackboneFixtures.referencePaths {
            let reference = try BackboneFixtures.Reference(url: url)
            let exact = try fp32.tokens(input: reference.input, height: reference.height, width: reference.width)
            let quantized = try int8.tokens(input: reference.input, height: reference.height, width: reference.width)
            let cosines = Compare.rowCosines(quantized, exact, dim: dim)
            let mean = cosines.reduce(0, +) / Double(cosines.count)
            let worst = cosines.min() ?? 0
            print("int8 vs fp32 \(reference.name): mean token cosine \(mean), worst \(worst)")
            #expect(mean >= 0.99, "\(reference.name): mean cosine \(mean)")
            #expect(worst >= 0.95, "\(reference.name): worst cosine \(worst)")
        }
    }

    @Test func badInputSizesAreRejected() throws {
        let backbone = try #require(BackboneFixtures.fp32)
        #expect(throws: AffordError.self) { try backbone.tokens(input: [Float](repeating: 0, count: 3 * 20 * 28), height: 20, width: 28) }
    }
}
