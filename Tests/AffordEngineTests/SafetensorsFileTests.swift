import AffordCore
@testable import AffordEngine
import Foundation
import Testing

/// Loader validation: every malformed file is a clear `invalidModel` error, never a crash.
@Suite struct SafetensorsFileTests {
    func sample() -> SafetensorsWriter {
        var writer = SafetensorsWriter()
        writer.metadata = ["format": "test", "sizes": "[1,2.5]"]
        writer.add("weight", floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        writer.add("quantized", int8s: [-127, 0, 127], shape: [3])
        return writer
    }

    func expectInvalid(_ bytes: [UInt8], mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = try temporaryDirectory().appendingPathComponent("model.safetensors")
        try Data(bytes).write(to: url)
        do {
            _ = try SafetensorsFile(path: url.path)
            Issue.record("expected a load error mentioning \(words)", sourceLocation: sourceLocation)
        } catch let error as AffordError {
            #expect(error.code == .invalidModel, sourceLocation: sourceLocation)
            #expect(error.message.contains(url.path), "\(error)", sourceLocation: sourceLocation)
            for word in words { #expect(error.message.contains(word), "\(error)", sourceLocation: sourceLocation) }
        }
    }

    @Test func readsTensorsAndMetadata() throws {
        let url = try sample().write(to: temporaryDirectory().appendingPathComponent("ok.safetensors"))
        let file = try SafetensorsFile(path: url.path)
        #expect(Array(try file.floats("weight", shape: [2, 3])) == [1, 2, 3, 4, 5, 6])
        #expect(Array(try file.int8s("quantized", shape: [3])) == [-127, 0, 127])
        #expect(try file.metadata("format") == "test")
        #expect(try file.metadataFloats("sizes") == [1, 2.5])
        #expect(file.tensors.count == 2)
    }

    @Test func unalignedTensorsAreCopiedNotMisread() throws {
        var writer = SafetensorsWriter()
        writer.add("byte", int8s: [7], shape: [1])
        writer.add("weight", floats: [1.5, -2.5], shape: [2])
        let url = try writer.write(to: temporaryDirectory().appendingPathComponent("unaligned.safetensors"))
        let file = try SafetensorsFile(path: url.path)
        #expect(Array(try file.floats("weight")) == [1.5, -2.5])
    }

    @Test func missingTensorWrongShapeAndWrongDtypeNameTheTensor() throws {
        let url = try sample().write(to: temporaryDirectory().appendingPathComponent("ok.safetensors"))
        let file = try SafetensorsFile(path: url.path)
        #expect(throws: AffordError(.invalidModel, "\(url.path): missing tensor 'bias'")) { try file.floats("bias") }
        #expect(throws: AffordError(.invalidModel, "\(url.path): tensor 'weight' has shape [2, 3], expected [3, 2]")) {
            try file.floats("weight", shape: [3, 2])
        }
        #expect(throws: AffordError(.invalidModel, "\(url.path): tensor 'quantized' is I8, expected F32")) {
            try file.floats("quantized")
        }
        #expect(throws: AffordError(.invalidModel, "\(url.path): metadata key 'depth' is missing")) { try file.metadataInt("depth") }
    }

    @Test func truncatedFilesAreRejected() throws {
        let (header, data) = sample().encode()
        let whole = SafetensorsWriter.fileBytes(header: header, data: data)
        try expectInvalid(Array(whole.dropLast(3)), mentioning: ["truncated", "quantized"])
        try expectInvalid(Array(whole.prefix(20)), mentioning: ["truncated"])
        try expectInvalid(Array(whole.prefix(5)), mentioning: ["too short"])
    }

    @Test func corruptHeadersAreRejected() throws {
        try expectInvalid(SafetensorsWriter.fileBytes(header: "{not json", data: []), mentioning: ["not valid JSON"])
        try expectInvalid(Array("PNG\r\n\u{1a}\n and then some binary".utf8), mentioning: ["not a safetensors file"])
        let badDtype = #"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: badDtype, data: [0, 0, 0, 0]), mentioning: ["'w'", "F33"])
        let badLength = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: badLength, data: [0, 0, 0, 0]), mentioning: ["'w'", "needs 8 bytes"])
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: overlap, data: [UInt8](repeating: 0, count: 8)), mentioning: ["overlap"])
        let backwards = #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: backwards, data: [0, 0, 0, 0]), mentioning: ["backwards"])
        let noShape = #"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: noShape, data: [0, 0, 0, 0]), mentioning: ["'w'"])
    }

    /// Headers that once reached a trap: a byte count past Int.max, deep nesting, fractional sizes.
    @Test func headersThatWouldOverflowOrTrapAreRejected() throws {
        let overflowing = #"{"w":{"dtype":"F64","shape":[549755813887,16777215],"data_offsets":[0,8]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: overflowing, data: [UInt8](repeating: 0, count: 8)),
                          mentioning: ["'w'", "too large"])
        let deep = #"{"w":"# + String(repeating: "[", count: 600) + "}"
        try expectInvalid(SafetensorsWriter.fileBytes(header: deep, data: []), mentioning: ["nesting deeper"])
        let fractional = #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: fractional, data: [0, 0, 0, 0]), mentioning: ["bad dimension"])
        let huge = #"{"w":{"dtype":"F32","shape":[1e30],"data_offsets":[0,4]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: huge, data: [0, 0, 0, 0]), mentioning: ["bad dimension"])
        let manyDims = #"{"w":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}}"#
        try expectInvalid(SafetensorsWriter.fileBytes(header: manyDims, data: [0]), mentioning: ["9 dimensions"])
    }

    @Test func architectureMetadataIsBounded() throws {
        var writer = sample()
        writer.metadata["depth"] = "100000000000"
        let file = try SafetensorsFile(path: try writer.write(to: temporaryDirectory().appendingPathComponent("m.safetensors")).path)
        #expect(throws: AffordError.self) { try file.metadataInt("depth", in: 1...128) }
        #expect(throws: AffordError.self) { try file.metadataInt("depth") }  // past Int32 even without a named range
        writer.metadata["depth"] = "12"
        let sane = try SafetensorsFile(path: try writer.write(to: temporaryDirectory().appendingPathComponent("n.safetensors")).path)
        #expect(try sane.metadataInt("depth", in: 1...128) == 12)
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: AffordError.self) { try SafetensorsFile(path: "/nonexistent/model.safetensors") }
    }
}
