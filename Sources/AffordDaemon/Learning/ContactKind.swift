/// PIAL's six body-part contact kinds, and where each touches things given a pose.
///
/// The anchors follow the tool-chain's `affordtools/pose.py`, so a demonstration and a
/// PIAL-trained head agree on what "the hand's contact" means.
enum ContactKind: String, Sendable, CaseIterable, Codable {
    case back, hips, hands, feet, mouth, outside

    static let handReach = 0.35
    static let outsideReach = [1.0, 1.6, 2.4, 3.2]
    static let footReach = 0.25

    /// The usual kind for an action name (CAL's affordances and common robot verbs); hands otherwise.
    static func forAction(_ action: String) -> ContactKind {
        switch action.lowercased().replacingOccurrences(of: "_", with: " ") {
        case "kick", "jump": .feet
        case "sit on", "sit", "ride": .hips
        case "lie on", "lie": .back
        case "drink with", "drink", "blowing", "blow": .mouth
        case "cut", "cut with", "brush with", "hit", "write", "stick", "mix", "pour", "type on", "roll dough": .outside
        default: .hands
        }
    }

    /// Image points where this body part makes contact (empty when the pose lacks them).
    func anchors(_ pose: CocoPose) -> [SIMD2<Double>] {
        let sides = ["left", "right"]
        switch self {
        case .hands:
            return sides.compactMap { pose.extend("\($0)_wrist", from: "\($0)_elbow", by: Self.handReach) }
        case .outside:
            return sides.flatMap { side in
                Self.outsideReach.compactMap { pose.extend("\(side)_wrist", from: "\(side)_elbow", by: $0) }
            }
        case .feet:
            return sides.compactMap { pose.extend("\($0)_ankle", from: "\($0)_knee", by: Self.footReach) }
        case .hips:
            let hips = sides.compactMap { pose.point("\($0)_hip") }
            return hips + (hips.count == 2 ? [(hips[0] + hips[1]) / 2] : [])
        case .back:
            guard let shoulders = Self.mean(sides.compactMap { pose.point("\($0)_shoulder") }) else { return [] }
            guard let hips = Self.mean(sides.compactMap { pose.point("\($0)_hip") }) else { return [shoulders] }
            return [0, 0.33, 0.67, 1].map { shoulders + $0 * (hips - shoulders) }
        case .mouth:
            guard let nose = pose.point("nose") else { return [] }
            guard let eyes = Self.mean(sides.compactMap { pose.point("\($0)_eye") }) else { return [nose] }
            return [nose + 0.6 * (nose - eyes)]
        }
    }

    private static func mean(_ points: [SIMD2<Double>]) -> SIMD2<Double>? {
        points.isEmpty ? nil : points.reduce(SIMD2(0, 0), +) / Double(points.count)
    }
}
