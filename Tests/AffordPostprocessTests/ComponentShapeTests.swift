@testable import AffordCore
import AffordTestSupport
import Foundation
import Testing
@testable import AffordPostprocess

/// Components' image-plane shape: known answers, the degenerate cases, and numpy's weighted
/// moments of the same maps, computed by the oracle in the test run.
@Suite struct ComponentShapeTests {
    static func components(_ map: Heatmap, frameWidth: Int? = nil, frameHeight: Int? = nil) -> [AffordanceComponent] {
        let settings = PostprocessSettings(maxComponents: 20, minPresence: 0, releasePresence: 0,
                                           outputWidth: map.width, outputHeight: map.height)
        return HeatmapPostprocessor(settings: settings).process(
            ActionMap(action: "hold", map: map), frameWidth: frameWidth ?? map.width,
            frameHeight: frameHeight ?? map.height).components
    }

    /// A map with `pixels` at score 1 and the rest 0.
    static func map(width: Int, height: Int, pixels: [(Int, Int)]) -> Heatmap {
        var map = Heatmap(width: width, height: height)
        for (x, y) in pixels { map[x, y] = 1 }
        return map
    }

    @Test func aSinglePixelHasNoExtentAndTheDefaultAxis() throws {
        let component = try #require(Self.components(Self.map(width: 20, height: 10, pixels: [(5, 7)])).first)
        let shape = try #require(component.shape)
        #expect(shape.isIsotropic && shape.axis == SIMD2(1, 0))
        #expect(shape.lengthPx == 0 && shape.widthPx == 0 && shape.elongation == 0)
    }

    @Test func aDiscIsIsotropic() throws {
        var pixels: [(Int, Int)] = []
        for y in 0..<31 { for x in 0..<31 where (x - 15) * (x - 15) + (y - 15) * (y - 15) <= 100 { pixels.append((x, y)) } }
        let shape = try #require(Self.components(Self.map(width: 31, height: 31, pixels: pixels)).first?.shape)
        #expect(shape.isIsotropic && shape.axis == SIMD2(1, 0) && shape.elongation == 0)
        #expect(shape.lengthPx == shape.widthPx && shape.lengthPx > 15)
    }

    /// A line of L pixels has variance (L² − 1) / 12 along it and none across.
    @Test(arguments: [
        ("horizontal", SIMD2(1.0, 0.0)), ("vertical", SIMD2(0.0, 1.0)),
        ("down-right", SIMD2(1.0, 1.0)), ("up-right", SIMD2(1.0, -1.0)),
    ])
    func aLineRunsAlongItsAxis(_ name: String, _ step: SIMD2<Double>) throws {
        let count = 21
        let pixels = (0..<count).map { (30 + Int(step.x) * $0, 30 + Int(step.y) * $0) }
        let shape = try #require(Self.components(Self.map(width: 64, height: 64, pixels: pixels)).first?.shape)
        let unit = step / (step * step).sum().squareRoot()
        #expect(abs(shape.axis.x - unit.x) < 1e-12 && abs(shape.axis.y - unit.y) < 1e-12, "\(name): \(shape.axis)")
        let stepLength = (step * step).sum().squareRoot()
        let expected = 4 * (Double(count * count - 1) / 12).squareRoot() * stepLength
        #expect(abs(shape.lengthPx - expected) < 1e-9 && shape.widthPx < 1e-5 && shape.elongation > 0.999_999)
    }

    @Test func scalingToTheFrameScalesTheCovariance() throws {
        let shape = ComponentShape(varianceU: 4, varianceV: 1, covarianceUV: 1)
        let scaled = shape.scaled(sx: 2, sy: 3)
        #expect(scaled == ComponentShape(varianceU: 16, varianceV: 9, covarianceUV: 6))
        #expect(ComponentShape(mass: 0, sumU: 0, sumV: 0, sumUU: 0, sumVV: 0, sumUV: 0) == nil)
        #expect(ComponentShape(mass: 1, sumU: .nan, sumV: 0, sumUU: 0, sumVV: 0, sumUV: 0) == nil)
    }

    /// Rotated anisotropic Gaussians, a near-round one and a thin one, well apart; one pixel 0
    /// and the peak 1 so that normalising changes nothing.
    static func blobs(width: Int, height: Int) -> Heatmap {
        let scale = Double(width) / 320
        let blobs: [(cx: Double, cy: Double, major: Double, minor: Double, angle: Double)] = [
            (60, 60, 18, 6, 0.3), (200, 70, 25, 10, -1.1), (90, 170, 9, 8.5, 2.0),
            (250, 180, 30, 2.5, 1.5707963), (160, 120, 12, 4, -0.05),
        ]
        var map = Heatmap(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var best = 0.0
                for b in blobs {
                    let dx = Double(x) - b.cx * scale, dy = Double(y) - b.cy * scale
                    let along = dx * cos(b.angle) + dy * sin(b.angle), across = -dx * sin(b.angle) + dy * cos(b.angle)
                    let sa = b.major * scale, sc = b.minor * scale
                    best = max(best, exp(-0.5 * (along * along / (sa * sa) + across * across / (sc * sc))))
                }
                map[x, y] = Float(best)
            }
        }
        map[0, 0] = 0
        let peak = map.values.max() ?? 1
        for i in map.values.indices { map.values[i] /= peak }
        return map
    }

    struct OracleInput: Encodable {
        var width: Int, height: Int, frame_width: Int, frame_height: Int, threshold: Float, values: [Float]
    }

    struct OracleComponent: Decodable {
        var u: Double, v: Double, area: Int, axis: [Double], length: Double, width: Double
    }

    /// numpy: the same normalisation and threshold in float32, OpenCV's 8-connected labels, then
    /// `np.cov(aweights=score)` of the pixel centres mapped to frame pixels and `np.linalg.eigh`.
    static let numpyMoments = """
    import json, sys, numpy as np, cv2
    d = json.load(sys.stdin)
    w, h = d["width"], d["height"]
    raw = np.array(d["values"], np.float32).reshape(h, w)
    low, high = raw.min(), raw.max()
    m = (raw - low) * (np.float32(1) / (high - low + np.float32(1e-12)))
    mask = ((m >= np.float32(d["threshold"]) * m.max()) & (m > 0)).astype(np.uint8)
    n, labels = cv2.connectedComponents(mask, connectivity=8)
    ys, xs = np.mgrid[0:h, 0:w]
    X = (xs + 0.5) * (d["frame_width"] / w) - 0.5
    Y = (ys + 0.5) * (d["frame_height"] / h) - 0.5
    out = []
    for k in range(1, n):
        sel = labels == k
        wgt = m[sel].astype(np.float64)
        x, y = X[sel], Y[sel]
        cov = np.cov(np.vstack([x, y]), aweights=wgt, bias=True)
        evals, evecs = np.linalg.eigh(cov)
        major = evecs[:, 1] if evecs[0, 1] >= 0 else -evecs[:, 1]
        out.append({"u": float(np.average(x, weights=wgt)), "v": float(np.average(y, weights=wgt)),
                    "area": int(sel.sum()), "axis": major.tolist(),
                    "length": 4 * float(np.sqrt(evals[1])), "width": 4 * float(np.sqrt(max(evals[0], 0)))})
    print(json.dumps(out))
    """

    /// At the frame size, and on a heatmap half the frame's size (the covariance scaled to frame pixels).
    @Test(arguments: [(640, 480), (320, 240)])
    func shapesMatchNumpyMoments(_ width: Int, _ height: Int) throws {
        guard PythonOracle.has("cv2") else {
            Issue.record("opencv-python-headless is not installed; run make setup")
            return
        }
        let map = Self.blobs(width: width, height: height)
        let ours = Self.components(map, frameWidth: 640, frameHeight: 480)
        let input = OracleInput(width: width, height: height, frame_width: 640, frame_height: 480,
                                threshold: PostprocessSettings().relativeThreshold, values: map.values)
        let reference = try PythonOracle.call(Self.numpyMoments, input, as: [OracleComponent].self)
        #expect(ours.count == 5 && reference.count == 5)
        for expected in reference {
            let match = ours.min { hypot($0.u - expected.u, $0.v - expected.v) < hypot($1.u - expected.u, $1.v - expected.v) }
            let component = try #require(match)
            let shape = try #require(component.shape)
            #expect(component.area == expected.area)
            #expect(abs(component.u - expected.u) < 1e-9 && abs(component.v - expected.v) < 1e-9)
            #expect(abs(shape.lengthPx - expected.length) < 1e-7 * expected.length, "\(shape.lengthPx) vs \(expected.length)")
            #expect(abs(shape.widthPx - expected.width) < 1e-7 * expected.length, "\(shape.widthPx) vs \(expected.width)")
            // The near-round blob's axis is well defined too, if weakly: compare it unsigned
            // only where numpy's sign is ambiguous (a vertical axis).
            let dot = shape.axis.x * expected.axis[0] + shape.axis.y * expected.axis[1]
            let tolerance = abs(expected.axis[0]) < 1e-6 ? abs(dot) : dot
            #expect(tolerance > 1 - 1e-9, "axis \(shape.axis) vs \(expected.axis)")
            #expect(shape.axis.x >= 0)
            #expect(abs(shape.elongation - (1 - expected.width / expected.length)) < 1e-7)
        }
    }
}
