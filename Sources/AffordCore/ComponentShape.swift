import Foundation

/// A component's image-plane shape: the score-weighted second central moments of its pixels
/// and the oriented extent they give (docs/PROTOCOL.md, "Centroid objects").
///
/// Moments are of discrete pixel centres, as numpy's or OpenCV's image moments are: a
/// single pixel has zero variance. The covariance is what is stored, so that a change of
/// pixel scale (heatmap size -> frame size) is exact; the shape is derived from it.
public struct ComponentShape: Sendable, Equatable, Codable {
    /// Score-weighted variance along x (`u`), frame pixels squared; never negative.
    var varianceU: Double
    /// Score-weighted variance along y (`v`), frame pixels squared; never negative.
    var varianceV: Double
    /// Score-weighted covariance of x and y, frame pixels squared.
    var covarianceUV: Double

    /// Clamps the variances at 0: sums of squares minus squared means can round below it.
    init(varianceU: Double, varianceV: Double, covarianceUV: Double) {
        self.varianceU = max(0, varianceU)
        self.varianceV = max(0, varianceV)
        self.covarianceUV = covarianceUV
    }

    /// From raw score-weighted sums (Σw, Σw·x, Σw·y, Σw·x², Σw·y², Σw·x·y); nil for no mass or
    /// a non-finite sum, so a shape is always finite.
    public init?(mass: Double, sumU: Double, sumV: Double, sumUU: Double, sumVV: Double, sumUV: Double) {
        guard mass > 0, [mass, sumU, sumV, sumUU, sumVV, sumUV].allSatisfy(\.isFinite) else { return nil }
        let u = sumU / mass, v = sumV / mass
        self.init(varianceU: sumUU / mass - u * u, varianceV: sumVV / mass - v * v, covarianceUV: sumUV / mass - u * v)
        guard varianceU.isFinite, varianceV.isFinite, covarianceUV.isFinite else { return nil }
    }

    /// The covariance after scaling x by `sx` and y by `sy` (heatmap pixels -> frame pixels).
    public func scaled(sx: Double, sy: Double) -> ComponentShape {
        ComponentShape(varianceU: varianceU * sx * sx, varianceV: varianceV * sy * sy, covarianceUV: covarianceUV * sx * sy)
    }

    /// Half the difference of the eigenvalues: 0 exactly when the covariance is isotropic.
    private var halfSpread: Double {
        let halfDifference = (varianceU - varianceV) / 2
        return (halfDifference * halfDifference + covarianceUV * covarianceUV).squareRoot()
    }

    /// The covariance's eigenvalues, major first; both at least 0.
    var principalVariances: (major: Double, minor: Double) {
        let mean = (varianceU + varianceV) / 2
        return (mean + halfSpread, max(0, mean - halfSpread))
    }

    /// Whether the major axis is undefined: a single pixel, or equal spread in every direction
    /// (within rounding of the sums).
    public var isIsotropic: Bool { halfSpread <= 1e-12 * max(varianceU + varianceV, .leastNormalMagnitude) }

    /// Unit major axis `[dx, dy]`, frame pixels (x right, y down). Its angle is in (-90°, 90°],
    /// so `dx >= 0` (a vertical axis is `[0, 1]`); `[1, 0]` when `isIsotropic`, where
    /// `elongation` is 0 and the direction means nothing.
    public var axis: SIMD2<Double> {
        guard !isIsotropic else { return SIMD2(1, 0) }
        let angle = 0.5 * atan2(2 * covarianceUV, varianceU - varianceV)
        return angle >= .pi / 2 ? SIMD2(0, 1) : SIMD2(cos(angle), sin(angle))
    }

    /// The unit minor axis: `axis` turned a quarter towards +y, `[-dy, dx]`.
    public var minorAxis: SIMD2<Double> { SIMD2(-axis.y, axis.x) }

    /// Extent along the major axis, ±2σ: `4·sqrt(λ_major)` (4·(L²−1)^½/√12 ≈ 1.15·L for a line of L pixels).
    public var lengthPx: Double { 4 * principalVariances.major.squareRoot() }

    /// Extent along the minor axis, ±2σ: `4·sqrt(λ_minor)`.
    public var widthPx: Double { 4 * principalVariances.minor.squareRoot() }

    /// `1 − width/length` in [0, 1): 0 for a round blob (or a single pixel), towards 1 for a line.
    public var elongation: Double {
        let length = lengthPx
        return length > 0 ? max(0, 1 - widthPx / length) : 0
    }
}
