@testable import AffordEngine
import AffordTestSupport
import Foundation

/// Runs Tests/Scripts/head_reference.py (numpy) to make a random head and its reference maps.
enum HeadReference {
    struct Output {
        let directory: URL
        var fp32Path: String { directory.appendingPathComponent("head.fp32.safetensors").path }
        var int8Path: String { directory.appendingPathComponent("head.int8.safetensors").path }
        let features: [Float]
        /// `[K, rows, cols]` from the fp32 weights and from the dequantized int8 weights.
        let maps: [Float]
        let mapsDequantized: [Float]
        /// Per action, from the fp32 and the dequantized weights; nil without `--presence`.
        let presence: [Float]?
        let presenceDequantized: [Float]?
        let rows: Int
        let columns: Int
    }

    static func make(arguments: [String] = []) throws -> Output {
        let directory = try temporaryDirectory()
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Scripts/head_reference.py").path
        let venv = Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        let process = Process()
        if FileManager.default.isExecutableFile(atPath: venv) {
            process.executableURL = URL(fileURLWithPath: venv)
            process.arguments = [script, directory.path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, directory.path] + arguments
        }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "head_reference.py failed (\(process.terminationStatus))"])
        }
        let reference = try SafetensorsFile(path: directory.appendingPathComponent("reference.safetensors").path)
        let maps = try reference.info("maps")
        return Output(
            directory: directory,
            features: Array(try reference.floats("features")),
            maps: Array(try reference.floats("maps")),
            mapsDequantized: Array(try reference.floats("maps_dequantized")),
            presence: reference.contains("presence") ? Array(try reference.floats("presence")) : nil,
            presenceDequantized: reference.contains("presence_dequantized") ? Array(try reference.floats("presence_dequantized")) : nil,
            rows: maps.shape[1], columns: maps.shape[2])
    }

    /// Token-major `[P, K]` logits as channel-first `[K, P]`.
    static func channelFirst(_ logits: [Float], actions: Int) -> [Float] {
        let positions = logits.count / actions
        return (0..<actions).flatMap { k in (0..<positions).map { logits[$0 * actions + k] } }
    }
}
