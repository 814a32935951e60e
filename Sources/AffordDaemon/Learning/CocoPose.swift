import AffordCore

/// A person's 2D pose in COCO-17 order, in the interaction frame's pixels.
struct CocoPose: Sendable, Equatable {
    /// A keypoint below this score counts as missing.
    static let minScore: Double = 0.3
    static let names = [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ]

    struct Keypoint: Sendable, Equatable {
        var x: Double
        var y: Double
        var score: Double
    }

    let keypoints: [Keypoint]

    /// Takes `[[x, y, score] * 17]` in the pixels of a `frameWidth` x `frameHeight` frame.
    ///
    /// Scores must lie in [0, 1]. A keypoint scored at least `minScore` is used in
    /// arithmetic, so it must lie within one frame size of the frame (estimators place
    /// joints just outside it, an elbow past the edge); a lower-scored one counts as
    /// missing and only needs to be finite.
    init(triples: [[Double]], frameWidth: Int, frameHeight: Int) throws {
        guard triples.count == 17 else {
            throw AffordError(.invalidInput, "keypoints: need 17 [x, y, score] triples in COCO order, got \(triples.count)")
        }
        guard frameWidth > 0, frameHeight > 0 else {
            throw AffordError(.invalidInput, "keypoints: the frame is \(frameWidth)x\(frameHeight)")
        }
        let width = Double(frameWidth), height = Double(frameHeight)
        keypoints = try triples.enumerated().map { index, triple in
            let name = Self.names[index]
            guard triple.count == 3, triple.allSatisfy(\.isFinite) else {
                throw AffordError(.invalidInput, "keypoints[\(index)] (\(name)) must be 3 finite numbers [x, y, score]")
            }
            let (x, y, score) = (triple[0], triple[1], triple[2])
            guard (0...1).contains(score) else {
                throw AffordError(.invalidInput, "keypoints[\(index)] (\(name)): score \(score) is outside [0, 1]")
            }
            guard score < Self.minScore || ((-width...2 * width).contains(x) && (-height...2 * height).contains(y)) else {
                throw AffordError(.invalidInput,
                    "keypoints[\(index)] (\(name)): (\(x), \(y)) lies more than a frame size outside the \(frameWidth)x\(frameHeight) frame")
            }
            return Keypoint(x: x, y: y, score: score)
        }
    }

    /// The named point when its score is high enough.
    func point(_ name: String) -> SIMD2<Double>? {
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
    var scale: Double {
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
