@testable import AffordCore

/// Frame results with values Tests/ZMQPeers/expected.py recomputes independently.
enum SyntheticResults {
    static func heatmap(width: Int, height: Int, actionIndex: Int, seq: Int) -> Heatmap {
        var map = Heatmap(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                map[x, y] = Float((x + 3 * y + 17 * actionIndex + seq) % 256) / 255
            }
        }
        // Out-of-range and NaN values check the mono8 clamping.
        map[0, 0] = -0.25
        map[1, 0] = 1.5
        map[2, 0] = .nan
        return map
    }

    static func component(actionIndex: Int, seq: Int) -> AffordanceComponent {
        let first = actionIndex == 0
        return AffordanceComponent(
            u: 10.5 + Double(actionIndex), v: 20.25 + Double(seq % 5), area: 100 + actionIndex, peak: 0.75, mean: 0.5,
            rayCamera: first ? SIMD3(0, 0.6, 0.8) : nil, rayBase: nil, tablePoint: first ? SIMD3(1, 2, 3) : nil,
            shape: first ? ComponentShape(varianceU: 9, varianceV: 4, covarianceUV: 0) : nil,
            grasp: first ? Grasp(source: .depth, position: SIMD3(1, 2, 3.5), yaw: 0.5, widthM: 0.25, lengthM: 0.75,
                                 frame: GraspPose(position: SIMD3(1, 2, 3.5), orientation: SIMD4(0, 1, 0, 0))) : nil,
            depth: first ? ComponentDepth(validFraction: 0.75, pointCamera: SIMD3(0, 0.3, 0.4), pointBase: SIMD3(1, 2, 3.5),
                                          normalCamera: SIMD3(0, -0.6, -0.8), normalBase: SIMD3(0, 0, 1)) : nil)
    }

    /// The first action has none (a model without a presence output); the others a value exact in binary.
    static func presence(actionIndex: Int, seq: Int) -> Float? {
        actionIndex == 0 ? nil : Float((seq + actionIndex) % 8) / 8
    }

    static func result(camera: String, actions: [String], width: Int, height: Int, seq: Int) -> FrameResult {
        FrameResult(
            camera: camera, sequence: UInt64(seq), captureMonotonicNs: MonotonicClock.nowNs(), frameWidth: width,
            frameHeight: height, modelID: "test-model",
            actions: actions.enumerated().map { index, action in
                ActionResult(
                    action: action, heatmap: heatmap(width: width, height: height, actionIndex: index, seq: seq),
                    components: [component(actionIndex: index, seq: seq)],
                    presence: presence(actionIndex: index, seq: seq))
            })
    }
}

/// A fresh ipc endpoint under /tmp, unique per call.
func temporaryIPCEndpoint(_ name: String) -> String {
    "ipc:///tmp/affordd-test-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
}

#if canImport(Glibc)
import Glibc
#endif
