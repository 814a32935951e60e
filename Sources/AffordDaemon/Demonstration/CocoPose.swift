import AffordCore

/// A person's 2D pose in COCO-17 order, in the interaction frame's pixels.
public struct CocoPose: Sendable, Equatable {
    /// A keypoint below this score counts as missing.
    public static let minScore: Double = 0.3
    public static let names = [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ]

    public struct Keypoint: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var score: Double
    }

    public let keypoints: [Keypoint]

    /// Takes `[[x, y, score] * 17]`; anything else is an `invalidInput` error saying what is wrong.
    public init(triples: [[Double]]) throws {
        guard triples.count == 17 else {
            throw AffordError(.invalidInput, "keypoints: need 17 [x, y, score] triples in COCO order, got \(triples.count)")
        }
        keypoints = try triples.enumerated().map { index, triple in
            guard triple.count == 3, triple.allSatisfy(\.isFinite) else {
                throw AffordError(.invalidInput, "keypoints[\(index)] (\(Self.names[index])) must be 3 finite numbers [x, y, score]")
            }
            return Keypoint(x: triple[0], y: triple[1], score: triple[2])
        }
    }

    /// The named point when its score is high enough.
    public func point(_ name: String) -> SIMD2<Double>? {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        let k = keypoints[index]
        return k.score >= Self.minScore ? SIMD2(k.x, k.y) : nil
    }

    /// `joint + reach * (joint - parent)`: a point past a joint along its limb.
    func extend(_ joint: String, from parent: String, by reach: Double) -> SIMD2<Double>? {
        guard let a = point(joint), let b = point(parent) else { return nil }
        return a + reach * (a - b)
    }

    /// The longest visible limb or torso segment, a length for the person in pixels.
    public var scale: Double {
        let pairs = [("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"), ("left_elbow", "left_wrist"),
                     ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow"),
                     ("left_knee", "left_ankle"), ("right_knee", "right_ankle")]
        return pairs.compactMap { p, q -> Double? in
            guard let a = point(p), let b = point(q) else { return nil }
            let d = a - b
            return (d * d).sum().squareRoot()
        }.max() ?? 0
    }
}
