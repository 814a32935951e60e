import Foundation
import AffordCore
import AffordEngine

/// What a demonstration leaves behind: the DINOv2 prototype of the contact region, and
/// the heatmap it gives on later frames (cosine affinity, as PIAL's transfer does).
struct DemonstrationPrototype: Sendable, Equatable, Codable {
    var action: String
    var kind: ContactKind
    /// Unit length, backbone width.
    var vector: [Float]

    /// Gaussian width around each anchor, as a share of the person's size (pose.py's value).
    static let sigmaOfScale = 0.12
    /// relu(cos)^4 (pial.py's AFFINITY_SHARPNESS): contact regions are small, so only close matches light up.
    static func sharpen(_ cosine: Float) -> Float {
        let c = max(0, cosine)
        return (c * c) * (c * c)
    }

    init(action: String, kind: ContactKind, vector: [Float]) {
        self.action = action
        self.kind = kind
        self.vector = vector
    }

    /// Pools `tokens` of the interaction frame over the contact region of `kind`.
    ///
    /// The region is Gaussians at the kind's anchors; tokens that look like the person's
    /// own limbs (forearms, upper arms, head) are weighted down, so the hand covering the
    /// part does not become the prototype.
    init(action: String, kind: ContactKind, pose: CocoPose, frameWidth: Int, frameHeight: Int,
                tokens: PatchTokens) throws {
        let region = try Self.contactWeights(pose: pose, kind: kind, frameWidth: frameWidth, frameHeight: frameHeight,
                                             side: tokens.side)
        let unit = Self.unitRows(tokens)
        let person = Self.personVector(pose: pose, frameWidth: frameWidth, frameHeight: frameHeight, unit: unit,
                                       side: tokens.side, dim: tokens.dim)
        var sum = [Float](repeating: 0, count: tokens.dim)
        for position in 0..<(tokens.side * tokens.side) where region[position] > 0 {
            let row = unit[(position * tokens.dim)..<((position + 1) * tokens.dim)]
            let likePerson = person.map { max(0, Self.dot(row, $0[...])) } ?? 0
            let weight = region[position] * max(0, 1 - likePerson)
            for (d, value) in row.enumerated() { sum[d] += weight * value }
        }
        let norm = Self.dot(sum[...], sum[...]).squareRoot()
        guard norm > 0 else {
            throw AffordError(.invalidInput, "demonstration for '\(action)': the \(kind.rawValue) contact region is empty")
        }
        self.init(action: action, kind: kind, vector: sum.map { $0 / norm })
    }

    /// The live heatmap: relu(cos(token, prototype))^4 on the token grid.
    func affinity(_ tokens: PatchTokens) throws -> Heatmap {
        guard tokens.dim == vector.count else {
            throw AffordError(.invalidModel, "demonstration '\(action)' has \(vector.count)-wide features, backbone makes \(tokens.dim)")
        }
        let unit = Self.unitRows(tokens)
        let count = tokens.side * tokens.side
        let values = (0..<count).map { position -> Float in
            let cosine = Self.dot(unit[(position * tokens.dim)..<((position + 1) * tokens.dim)], vector[...])
            return Self.sharpen(cosine)
        }
        return Heatmap(width: tokens.side, height: tokens.side, values: values)
    }

    /// Contact weights on the side x side grid of a frame squashed to the model's square input.
    static func contactWeights(pose: CocoPose, kind: ContactKind, frameWidth: Int, frameHeight: Int,
                                      side: Int) throws -> [Float] {
        let anchors = kind.anchors(pose)
        guard !anchors.isEmpty else {
            throw AffordError(.invalidInput, "keypoints: the \(kind.rawValue) contact needs keypoints that are missing or below score \(CocoPose.minScore)")
        }
        let scaleX = Double(side) / Double(frameWidth), scaleY = Double(side) / Double(frameHeight)
        let sigma = max(sigmaOfScale * pose.scale * (scaleX * scaleY).squareRoot(), 0.75)  // in patches
        var weights = [Float](repeating: 0, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let cx = Double(x) + 0.5, cy = Double(y) + 0.5
                let best = anchors.map { a -> Double in
                    let dx = cx - a.x * scaleX, dy = cy - a.y * scaleY
                    return (-(dx * dx + dy * dy) / (2 * sigma * sigma)).exp()
                }.max() ?? 0
                weights[y * side + x] = best > 0.05 ? Float(best) : 0
            }
        }
        return weights
    }

    /// Mean unit token along the person's visible limbs and head (nil when none are visible).
    static func personVector(pose: CocoPose, frameWidth: Int, frameHeight: Int, unit: [Float], side: Int,
                             dim: Int) -> [Float]? {
        let limbs = [("left_elbow", "left_wrist"), ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"),
                     ("right_shoulder", "right_elbow"), ("nose", "nose")]
        var sum = [Float](repeating: 0, count: dim)
        var used = 0
        for (p, q) in limbs {
            guard let a = pose.point(p), let b = pose.point(q) else { continue }
            let mid = (a + b) / 2
            // Range-checked as doubles: an Int conversion of an off-grid value would trap.
            let gridX = mid.x * Double(side) / Double(frameWidth), gridY = mid.y * Double(side) / Double(frameHeight)
            guard gridX >= 0, gridX < Double(side), gridY >= 0, gridY < Double(side) else { continue }
            let x = Int(gridX), y = Int(gridY)
            let start = (y * side + x) * dim
            for d in 0..<dim { sum[d] += unit[start + d] }
            used += 1
        }
        guard used > 0 else { return nil }
        let norm = dot(sum[...], sum[...]).squareRoot()
        return norm > 0 ? sum.map { $0 / norm } : nil
    }

    /// Tokens minus the frame's mean token, each scaled to unit length: centring removes what
    /// every patch of a frame shares (lighting, background), leaving what sets a part apart.
    static func unitRows(_ tokens: PatchTokens) -> [Float] {
        var out = tokens.values
        let rows = tokens.side * tokens.side
        var mean = [Float](repeating: 0, count: tokens.dim)
        for row in 0..<rows {
            for d in 0..<tokens.dim { mean[d] += out[row * tokens.dim + d] }
        }
        for row in 0..<rows {
            for d in 0..<tokens.dim { out[row * tokens.dim + d] -= mean[d] / Float(rows) }
        }
        for row in 0..<rows {
            let range = (row * tokens.dim)..<((row + 1) * tokens.dim)
            let norm = dot(out[range], out[range]).squareRoot()
            if norm > 0 { for i in range { out[i] /= norm } }
        }
        return out
    }

    static func dot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        var sum: Float = 0
        for (x, y) in zip(a, b) { sum += x * y }
        return sum
    }
}

private extension Double {
    func exp() -> Double { Foundation.exp(self) }
}
