import AffordCore
@testable import AffordEngine
import Foundation
import Testing

/// The LOCATE head against a direct numpy convolution, in both file dtypes and both precisions.
@Suite struct AffordanceHeadTests {
    static let pool = try? ComputePool(threads: 2)

    @Test func fp32HeadMatchesNumpy() throws {
        let reference = try HeadReference.make()
        let head = try AffordanceHead(path: reference.fp32Path, precision: .fp32, pool: #require(Self.pool))
        let logits = head.logits(features: reference.features, rows: reference.rows, columns: reference.columns).maps
        let maps = HeadReference.channelFirst(logits, actions: head.config.actions.count)
        let error = Compare.maxRelativeError(maps, reference.maps)
        #expect(error <= 1e-4, "max relative error \(error)")
        #expect(head.config.actions == ["hold", "cut", "pour"])
    }

    @Test func int8FileDequantizedMatchesNumpy() throws {
        let reference = try HeadReference.make()
        let head = try AffordanceHead(path: reference.int8Path, precision: .fp32, pool: #require(Self.pool))
        let logits = head.logits(features: reference.features, rows: reference.rows, columns: reference.columns).maps
        let error = Compare.maxRelativeError(HeadReference.channelFirst(logits, actions: 3), reference.mapsDequantized)
        #expect(error <= 1e-4, "max relative error \(error)")
    }

    @Test func int8PrecisionTracksFp32() throws {
        let reference = try HeadReference.make()
        let head = try AffordanceHead(path: reference.int8Path, precision: .int8, pool: #require(Self.pool))
        let logits = head.logits(features: reference.features, rows: reference.rows, columns: reference.columns).maps
        let maps = HeadReference.channelFirst(logits, actions: 3)
        let positions = reference.rows * reference.columns
        let cosines = Compare.rowCosines(maps, reference.maps, dim: positions)
        #expect(cosines.allSatisfy { $0 >= 0.99 }, "per-map cosines \(cosines)")
    }

    @Test func presenceLayerMatchesNumpyInEveryPrecision() throws {
        let reference = try HeadReference.make(arguments: ["--presence"])
        let expected = try #require(reference.presence)
        let dequantized = try #require(reference.presenceDequantized)
        for (path, precision, want, tolerance) in [
            (reference.fp32Path, Precision.fp32, expected, Float(1e-5)),
            (reference.int8Path, .fp32, dequantized, 1e-5),
            (reference.int8Path, .int8, dequantized, 0.02),
        ] {
            let head = try AffordanceHead(path: path, precision: precision, pool: #require(Self.pool))
            let presence = try #require(head.logits(features: reference.features, rows: reference.rows, columns: reference.columns).presence)
            let error = zip(presence, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(presence.count == 3 && error <= tolerance, "\(path) at \(precision): \(presence) against \(want)")
        }
        let plain = try HeadReference.make()
        let head = try AffordanceHead(path: plain.fp32Path, precision: .fp32, pool: #require(Self.pool))
        #expect(head.logits(features: plain.features, rows: plain.rows, columns: plain.columns).presence == nil)
    }

    @Test func headsWithMissingTensorsOrWrongShapesAreRejected() throws {
        let reference = try HeadReference.make()
        let source = try SafetensorsFile(path: reference.fp32Path)
        var writer = SafetensorsWriter()
        writer.metadata = source.metadata
        for info in source.tensors.values.sorted(by: { $0.name < $1.name }) where info.name != "conv2.bias" {
            writer.add(info.name, floats: Array(try source.floats(info.name)), shape: info.shape)
        }
        let broken = try writer.write(to: reference.directory.appendingPathComponent("broken.safetensors"))
        #expect(throws: AffordError(.invalidModel, "\(broken.path): missing tensor 'conv2.bias'")) {
            try AffordanceHead(path: broken.path, precision: .fp32, pool: #require(Self.pool))
        }
    }

    @Test func anUnknownPresenceReadoutIsRejected() throws {
        let reference = try HeadReference.make()
        let source = try SafetensorsFile(path: reference.fp32Path)
        var writer = SafetensorsWriter()
        writer.metadata = source.metadata
        writer.metadata["presence"] = "softmax_of_mean"
        for info in source.tensors.values.sorted(by: { $0.name < $1.name }) {
            writer.add(info.name, floats: Array(try source.floats(info.name)), shape: info.shape)
        }
        let odd = try writer.write(to: reference.directory.appendingPathComponent("odd.safetensors"))
        #expect(throws: AffordError(.invalidModel, "\(odd.path): unknown presence readout 'softmax_of_mean'; this build reads 'max_pooled_linear'")) {
            try AffordanceHead(path: odd.path, precision: .fp32, pool: #require(Self.pool))
        }
    }
}

/// Backbone + head end to end: the engine's maps from pixels against numpy's head on ORT's tokens.
@Suite(.enabled(if: BackboneFixtures.available, BackboneFixtures.skipMessage), .serialized)
struct GroundingEngineTests {
    static let coffee = BackboneFixtures.referencePaths.first { $0.lastPathComponent == "backbone_coffee.safetensors" }

    func engine(precision: Precision, head: String, inputSize: Int? = nil) throws -> GroundingEngine {
        let pool = try #require(BackboneFixtures.pool)
        let backbonePath = precision == .int8 ? BackboneFixtures.int8Path : BackboneFixtures.fp32Path
        return try GroundingEngine(
            backbone: Backbone(path: backbonePath, precision: precision, pool: pool),
            head: AffordanceHead(path: head, precision: precision, pool: pool), inputSize: inputSize)
    }

    func reference() throws -> (HeadReference.Output, BackboneFixtures.Reference) {
        let url = try #require(Self.coffee)
        let fixture = try BackboneFixtures.Reference(url: url)
        let sha = try SafetensorsFile(path: BackboneFixtures.fp32Path).metadata("source_sha256")
        return (try HeadReference.make(arguments: ["--tokens", url.path, "--sha", sha, "--hidden", "32"]), fixture)
    }

    @Test func fp32MapsMatchNumpyHeadOnOnnxRuntimeTokens() throws {
        let (head, fixture) = try reference()
        let engine = try engine(precision: .fp32, head: head.fp32Path)
        #expect(engine.vocabulary == ["hold", "cut", "pour"])
        let maps = try engine.ground(fixture.image, actions: ["pour", "hold"])
        #expect(maps.map(\.action) == ["pour", "hold"])
        #expect(maps.allSatisfy { $0.map.width == 16 && $0.map.height == 16 })
        let positions = 16 * 16
        let expected = Array(head.maps[(2 * positions)..<(3 * positions)]) + Array(head.maps[0..<positions])
        let error = Compare.maxRelativeError(maps.flatMap(\.map.values), expected)
        #expect(error <= 1e-3, "max relative error \(error)")
    }

    @Test func int8MapsTrackNumpy() throws {
        let (head, fixture) = try reference()
        let engine = try engine(precision: .int8, head: head.int8Path)
        let maps = try engine.ground(fixture.image, actions: [])
        let cosines = Compare.rowCosines(maps.flatMap(\.map.values), head.maps, dim: 256)
        print("int8 grounding vs numpy head on ORT tokens: per-map cosine \(cosines)")
        #expect(cosines.allSatisfy { $0 >= 0.98 }, "\(cosines)")
    }

    @Test func aLargerInputSizeGivesAFinerGrid() throws {
        let (head, fixture) = try reference()
        let engine = try engine(precision: .int8, head: head.int8Path, inputSize: 448)
        #expect(engine.inputSize == 448)
        let maps = try engine.ground(fixture.image, actions: ["hold"])
        #expect(maps.allSatisfy { $0.map.width == 32 && $0.map.height == 32 })
        #expect(throws: AffordError.self) { try self.engine(precision: .int8, head: head.int8Path, inputSize: 450) }
    }

    @Test func presenceFollowsTheRequestedActionsAndIsNilWithoutAPresenceLayer() throws {
        let (plain, fixture) = try reference()
        let url = try #require(Self.coffee)
        let sha = try SafetensorsFile(path: BackboneFixtures.fp32Path).metadata("source_sha256")
        let withPresence = try HeadReference.make(arguments: ["--tokens", url.path, "--sha", sha, "--hidden", "32", "--presence"])
        let expected = try #require(withPresence.presence)
        let maps = try engine(precision: .fp32, head: withPresence.fp32Path).ground(fixture.image, actions: ["pour", "hold"])
        let presence = maps.compactMap(\.presence)
        #expect(presence.count == 2)
        for (got, want) in zip(presence, [expected[2], expected[0]]) {
            #expect(abs(got - want) <= 1e-3, "presence \(got), numpy on ORT tokens \(want)")
        }
        let without = try engine(precision: .fp32, head: plain.fp32Path).ground(fixture.image, actions: ["hold"])
        #expect(without.allSatisfy { $0.presence == nil })
    }

    @Test func unknownActionsAndForeignHeadsAreErrors() throws {
        let (head, fixture) = try reference()
        let engine = try engine(precision: .fp32, head: head.fp32Path)
        #expect(throws: AffordError.self) { try engine.ground(fixture.image, actions: ["hold", "juggle"]) }
        let foreign = try HeadReference.make(arguments: ["--dim", "384", "--rows", "16", "--cols", "16", "--sha", "other"])
        #expect(throws: AffordError.self) { try self.engine(precision: .fp32, head: foreign.fp32Path) }
    }
}
