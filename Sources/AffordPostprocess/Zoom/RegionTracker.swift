import AffordCore

/// Which regions a stream's next frame is grounded in: the state behind `redetect_every`.
/// A plain value, fed in frame order, one per camera; no I/O.
///
/// Every zoomed frame runs the whole-frame pass, so it always yields fresh proposals. With
/// `redetectEvery` 0 a frame's crops are its own proposals (two passes: whole frame, then the
/// crops). With k ≥ 1 a frame is grounded on the regions kept from an earlier frame, in one
/// batch with its whole frame, and its own proposals replace them every k frames, or at once
/// when the strongest proposal lies outside every kept region (the scene changed).
public struct RegionTracker: Sendable, Equatable {
    public enum Plan: Sendable, Equatable {
        /// Run the whole frame first; its proposals are this frame's regions.
        case detectFirst
        /// Ground these regions together with the whole frame, in one batch.
        case reuse([RegionBox])
    }

    private(set) var regions: [RegionBox] = []
    /// Frames grounded on `regions` since they were proposed.
    private(set) var age = 0
    private var frameSize: SIMD2<Int>?

    public init() {}

    /// The plan for the next frame of this size.
    public mutating func next(frameWidth: Int, frameHeight: Int, redetectEvery: Int) -> Plan {
        let size = SIMD2(frameWidth, frameHeight)
        if frameSize != size || redetectEvery <= 0 || regions.isEmpty {
            frameSize = size
            regions = []
            age = 0
            return .detectFirst
        }
        age += 1
        return .reuse(regions)
    }

    /// This frame's proposals, from its whole-frame pass: kept when the plan was `detectFirst`,
    /// when the kept regions are `redetectEvery` frames old, or when the scene changed.
    public mutating func observe(proposals: [RegionBox], redetectEvery: Int) {
        let sceneChanged = proposals.first.map { strongest in
            !regions.contains { RegionProposer.overlap(strongest, $0) >= 0.5 }
        } ?? !regions.isEmpty
        if regions.isEmpty || age >= max(1, redetectEvery) || sceneChanged {
            regions = proposals
            age = 0
        }
    }
}
