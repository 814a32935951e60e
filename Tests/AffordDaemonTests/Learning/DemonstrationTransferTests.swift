import AffordCore
import AffordEngine
import AffordImaging
import AffordTestSupport
import Foundation
import Testing

@testable import AffordDaemon

/// End to end on the real int8 backbone: a rendered person holds a mug by its handle;
/// after `demonstrate`, the published "hold" map peaks on the handle of other mugs,
/// placed, scaled and mirrored differently, with no person in view.
@Suite struct DemonstrationTransferTests {
    struct Scenes: Decodable {
        var demo: String
        var keypoints: [[Double]]
        var head: String
        var objects: [String]
        /// Per object: the handle's mask on the 16x16 token grid (share of each cell covered).
        var handles: [[Double]]
    }

    static func render(into folder: URL, models: URL) throws -> Scenes {
        let script = """
        import json, sys
        request = json.load(sys.stdin)
        sys.path.insert(0, request["toolchain"])
        from pathlib import Path
        import numpy as np
        import torch
        from safetensors import safe_open
        from affordtools.calfixture import interaction_scene
        from affordtools.export import export_head
        from affordtools.head import LocateHead
        from affordtools.synthfixture import render
        out = Path(request["out"])
        rng = np.random.default_rng(11)
        image, mask, kp = interaction_scene("mug", "hold", rng)
        image.save(out / "demo.jpg", quality=92)
        objects, handles = [], []
        for i in range(6):
            scene = render("mug", rng)
            scene.image.save(out / f"mug_{i}.jpg", quality=92)
            objects.append(str(out / f"mug_{i}.jpg"))
            cells = scene.masks["handle"].reshape(16, 14, 16, 14).mean(axis=(1, 3))
            handles.append([float(v) for v in cells.flatten()])
        with safe_open(request["backbone"], "numpy") as f:
            sha = f.metadata()["source_sha256"]
        torch.manual_seed(0)
        export_head(LocateHead(["hold", "cut"], 384, 16, exo_branch=False), out / "random.head.safetensors",
                    input_size=224, backbone_sha256=sha, recipe={"mode": "test"}, model_id="random")
        print(json.dumps({"demo": str(out / "demo.jpg"), "keypoints": kp.tolist(),
                          "head": str(out / "random.head.safetensors"), "objects": objects, "handles": handles}))
        """
        let request = [
            "toolchain": Fixtures.repositoryRoot.appendingPathComponent("toolchain").path, "out": folder.path,
            "backbone": models.appendingPathComponent("dinov2_vits14.int8.safetensors").path,
        ]
        return try PythonOracle.call(script, request, as: Scenes.self)
    }

    @Test func demonstratedHoldPeaksOnTheHandleOfOtherMugs() throws {
        let backbone = Fixtures.models.appendingPathComponent("dinov2_vits14.int8.safetensors")
        guard FileManager.default.fileExists(atPath: backbone.path) else {
            print("skipped: \(backbone.path) missing (run `make models`)")
            return
        }
        guard PythonOracle.has("torch"), PythonOracle.has("cv2") else {
            print("skipped: the tool-chain's Python (torch, cv2) is missing (run `make setup`)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenes = try Self.render(into: folder, models: Fixtures.models)

        let engine = try GroundingEngine(backbonePath: backbone.path, headPath: scenes.head, precision: .int8, threads: 2)
        let store = folder.appendingPathComponent("state/demonstrations.json").path
        let grounder = LearningGrounder(base: engine, book: try DemonstrationBook(path: store, backboneHash: engine.backboneHash))
        let decoder = try JPEGDecoder()
        let demo = try decoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: scenes.demo))))
        let prototype = try grounder.demonstrate(action: "hold", image: demo, pose: try CocoPose(triples: scenes.keypoints,
                                                                                                      frameWidth: demo.width, frameHeight: demo.height))
        #expect(prototype.kind == .hands)

        var hits = 0
        for (path, handle) in zip(scenes.objects, scenes.handles) {
            let image = try decoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let maps = try grounder.ground(image, actions: ["cut"])
            #expect(maps.map(\.action) == ["cut", "hold"])  // demonstrated actions ride along
            let hold = try #require(maps.last).map
            let peak = try #require(hold.values.indices.max { hold.values[$0] < hold.values[$1] })
            if handle[peak] > 0 { hits += 1 }
            let inside = zip(hold.values, handle).filter { $0.1 > 0.5 }.map { Double($0.0) }
            let outside = zip(hold.values, handle).filter { $0.1 == 0 }.map { Double($0.0) }
            let meanIn = inside.reduce(0, +) / Double(max(inside.count, 1))
            let meanOut = outside.reduce(0, +) / Double(max(outside.count, 1))
            print("\(URL(fileURLWithPath: path).lastPathComponent): peak on handle \(handle[peak] > 0), mean affinity handle \(meanIn) elsewhere \(meanOut)")
            #expect(meanIn > 5 * meanOut, "\(path)")
        }
        #expect(hits == scenes.objects.count, "the peak fell on the handle in \(hits) of \(scenes.objects.count) mugs")

        // Persisted: a fresh book from the state file knows the prototype; clearing forgets it.
        let reloaded = try DemonstrationBook(path: store, backboneHash: engine.backboneHash)
        #expect(reloaded.prototype(for: "hold") == prototype)
        #expect(try reloaded.clear() == ["hold"])
        #expect(try DemonstrationBook(path: store, backboneHash: engine.backboneHash).actions.isEmpty)
    }
}
