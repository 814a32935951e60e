import AffordCore
import AffordTestSupport
import Testing
@testable import AffordPostprocess

/// The AGD20K protocol written independently in numpy + cv2.resize (INTER_LINEAR).
@Suite struct SaliencyMetricsTests {
    static let reference = """
    import json, sys, numpy as np, cv2
    eps = 1e-12
    out = []
    for case in json.load(sys.stdin):
        p = np.array(case["pred"], np.float64).reshape(case["ph"], case["pw"])
        g = np.array(case["gt"], np.float64).reshape(case["gh"], case["gw"])
        p = cv2.resize(p.astype(np.float32), (224, 224), interpolation=cv2.INTER_LINEAR).astype(np.float64)
        g = cv2.resize(g.astype(np.float32), (224, 224), interpolation=cv2.INTER_LINEAR).astype(np.float64) / 255
        if not g.any():
            out.append([0, 0, 0]); continue
        p = (p - p.min()) / (p.max() - p.min() + eps)
        g = (g - g.min()) / (g.max() - g.min() + eps)
        pn, gn = p / (p.sum() + eps), g / (g.sum() + eps)
        kld = np.sum(gn * np.log(gn / (pn + eps) + eps))
        sim = np.sum(np.minimum(pn, gn))
        z = (p - p.mean()) / (p.std() + eps)
        nss = z[g > 0.1].mean()
        out.append([kld, sim, nss])
    print(json.dumps(out))
    """

    struct Case: Encodable { var pred: [Float]; var pw: Int; var ph: Int; var gt: [Float]; var gw: Int; var gh: Int }

    @Test func matchesNumpyReferenceOnRandomMaps() throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        var generator = SeededGenerator(seed: 11)
        var cases: [Case] = []
        for index in 0..<8 {
            let pw = Int.random(in: 40...300, using: &generator), ph = Int.random(in: 40...300, using: &generator)
            let gw = Int.random(in: 40...300, using: &generator), gh = Int.random(in: 40...300, using: &generator)
            let pred = (0..<(pw * ph)).map { _ in Float(Int.random(in: 0...255, using: &generator)) }
            // Blob-like GT with a zero background, and one all-zero GT.
            let cx = Double.random(in: 0..<Double(gw), using: &generator), cy = Double.random(in: 0..<Double(gh), using: &generator)
            let gt: [Float] = (0..<(gw * gh)).map { i in
                guard index != 3 else { return 0 }
                let dx = Double(i % gw) - cx, dy = Double(i / gw) - cy
                return Float(max(0, 255 - (dx * dx + dy * dy).squareRoot() * 6).rounded())
            }
            cases.append(Case(pred: pred, pw: pw, ph: ph, gt: gt, gw: gw, gh: gh))
        }
        let expected = try PythonOracle.call(Self.reference, cases, as: [[Double]].self)
        for (c, want) in zip(cases, expected) {
            let got = SaliencyMetrics.score(prediction: Heatmap(width: c.pw, height: c.ph, values: c.pred),
                                            groundTruth: Heatmap(width: c.gw, height: c.gh, values: c.gt))
            #expect(abs(got.kld - want[0]) < 1e-4 && abs(got.sim - want[1]) < 1e-4 && abs(got.nss - want[2]) < 1e-4,
                    "got \(got), want \(want)")
        }
    }

    @Test func perfectPredictionScoresBest() {
        var gt = Heatmap(width: 224, height: 224)
        for y in 100..<130 { for x in 80..<140 { gt[x, y] = 255 } }
        let scores = SaliencyMetrics.score(prediction: gt, groundTruth: gt)
        #expect(abs(scores.kld) < 1e-6 && abs(scores.sim - 1) < 1e-6 && scores.nss > 1)
    }
}
