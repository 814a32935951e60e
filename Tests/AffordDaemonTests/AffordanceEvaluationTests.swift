import AffordCore
import AffordTestSupport
import Foundation
import Testing
@testable import AffordDaemon

/// `affordd eval` against the AGD20K protocol written in numpy + cv2 over PNG trees Pillow wrote.
@Suite struct AffordanceEvaluationTests {
    static let treeScript = """
    import json, sys, os, numpy as np, cv2
    from PIL import Image
    root = json.load(sys.stdin)
    rng = np.random.default_rng(5)
    eps = 1e-12
    rows = []
    for aff, obj, n in [("hold", "cup", 3), ("cut", "knife", 2), ("pour", "cup", 2)]:
        for i in range(n):
            rel = f"{aff}/{obj}/{obj}_{i:06d}"
            h, w = rng.integers(60, 200, 2)
            yy, xx = np.mgrid[0:h, 0:w]
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            gt = np.clip(255 - np.hypot(xx - cx, yy - cy) * 4, 0, 255).astype(np.uint8)
            if aff == "pour" and i == 1: gt[:] = 0
            ph, pw = rng.integers(40, 300, 2)
            pred = (rng.random((ph, pw)) * 255).astype(np.uint8)
            img = (rng.random((h, w, 3)) * 255).astype(np.uint8)
            for sub, arr in (("GT", gt), ("pred", pred)):
                os.makedirs(f"{root}/{sub}/{aff}/{obj}", exist_ok=True)
                Image.fromarray(arr).save(f"{root}/{sub}/{rel}.png")
            os.makedirs(f"{root}/testset/egocentric/{aff}/{obj}", exist_ok=True)
            os.makedirs(f"{root}/testset/GT/{aff}/{obj}", exist_ok=True)
            Image.fromarray(img).save(f"{root}/testset/egocentric/{rel}.jpg", quality=95)
            Image.fromarray(gt).save(f"{root}/testset/GT/{rel}.png")
            p = cv2.resize(pred.astype(np.float32), (224, 224), interpolation=cv2.INTER_LINEAR).astype(np.float64)
            g = cv2.resize(gt.astype(np.float32), (224, 224), interpolation=cv2.INTER_LINEAR).astype(np.float64) / 255
            if not g.any():
                rows.append([0, 0, 0]); continue
            p = (p - p.min()) / (p.max() - p.min() + eps)
            g = (g - g.min()) / (g.max() - g.min() + eps)
            pn, gn = p / (p.sum() + eps), g / (g.sum() + eps)
            z = (p - p.mean()) / (p.std() + eps)
            rows.append([np.sum(gn * np.log(gn / (pn + eps) + eps)), np.sum(np.minimum(pn, gn)), z[g > 0.1].mean()])
    m = np.mean(rows, axis=0)
    print(json.dumps({"KLD": m[0], "SIM": m[1], "NSS": m[2], "count": len(rows)}))
    """

    struct Expected: Decodable { var KLD: Double; var SIM: Double; var NSS: Double; var count: Int }

    static func makeTrees() throws -> (URL, Expected)? {
        guard PythonOracle.has("cv2"), PythonOracle.has("PIL") else { return nil }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-eval-\(UUID().uuidString)")
        let expected = try PythonOracle.call(treeScript, root.path, as: Expected.self)
        return (root, expected)
    }

    @Test func predVersusGTMatchesTheProtocol() throws {
        guard let (root, expected) = try Self.makeTrees() else {
            Issue.record("opencv-python-headless or Pillow is not installed; run make setup")
            return
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let evaluation = try AffordanceEvaluation.compare(predictions: root.appendingPathComponent("pred").path,
                                                          groundTruth: root.appendingPathComponent("GT").path)
        let overall = evaluation.overall
        #expect(overall.count == expected.count)
        #expect(abs(overall.kld - expected.KLD) < 1e-4 && abs(overall.sim - expected.SIM) < 1e-4
                && abs(overall.nss - expected.NSS) < 1e-4, "got \(overall), want \(expected)")
        #expect(evaluation.report.count == 3 && evaluation.report[0].hasPrefix("cut"))
        let json = try JSONSerialization.jsonObject(with: Data(overall.json.utf8)) as? [String: Double]
        #expect(json?["count"] == Double(expected.count))
    }

    @Test func missingPredictionIsAClearError() throws {
        guard let (root, _) = try Self.makeTrees() else {
            Issue.record("opencv-python-headless or Pillow is not installed; run make setup")
            return
        }
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("pred/cut/knife/knife_000001.png"))
        #expect(throws: AffordError(.invalidInput, "no prediction for cut/knife/knife_000001.png under \(root.path)/pred")) {
            _ = try AffordanceEvaluation.compare(predictions: root.appendingPathComponent("pred").path,
                                                 groundTruth: root.appendingPathComponent("GT").path)
        }
    }

    @Test func testsetRunSavesPredictionsThatScoreTheSame() throws {
        guard let (root, _) = try Self.makeTrees() else {
            Issue.record("opencv-python-headless or Pillow is not installed; run make setup")
            return
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let saved = root.appendingPathComponent("saved").path
        let grounder = FakeGrounder()
        let run = try AffordanceEvaluation.run(testset: root.appendingPathComponent("testset").path,
                                               grounder: grounder, savePredictions: saved)
        #expect(run.overall.count == 7)
        #expect(grounder.recordedCalls.count == 7)
        let rescored = try AffordanceEvaluation.compare(predictions: saved,
                                                        groundTruth: root.appendingPathComponent("testset/GT").path)
        #expect(abs(run.overall.kld - rescored.overall.kld) < 1e-9 && abs(run.overall.nss - rescored.overall.nss) < 1e-9)
        // Saved maps are at the image's size.
        let image = try ImageFiles.loadRGB(root.appendingPathComponent("testset/egocentric/hold/cup/cup_000000.jpg").path).image
        let map = try ImageFiles.loadGray(saved + "/hold/cup/cup_000000.png")
        #expect(map.width == image.width && map.height == image.height)
    }
}
