/// Pairs a camera's colour frames with its depth frames by stamp, for a source that reads
/// both streams (a log with a depth topic, a V4L2 colour node beside a Z16 node). Pure: the
/// source feeds it what it reads and forwards what it releases.
///
/// Rules (stamps ascend within each stream):
/// - A colour frame takes the buffered depth frame closest to its stamp, if one is within
///   `toleranceNs`.
/// - A colour frame with no such depth is held until a depth frame pairs with it, until a
///   message stamped past its stamp plus the tolerance shows that none will, or until
///   `expire`/`finish`; then it goes out without depth. One frame is held at most.
/// - Depth frames too old to pair with any later colour frame are dropped, and the buffer is
///   bounded by `capacity`.
public struct DepthPairing: Sendable {
    public let toleranceNs: UInt64
    public let capacity: Int
    /// Buffered depth frames, ascending stamps.
    private(set) var depths: [DepthImage] = []
    /// The colour frame waiting for its depth, with the stamp it is paired by.
    private(set) var held: (frame: Frame, stampNs: UInt64)?
    /// Depth frames dropped without pairing.
    public private(set) var unpairedDepths: UInt64 = 0

    /// A 30 fps stream's frames are 33 ms apart: 20 ms pairs a frame with its own depth only.
    public static let defaultToleranceNs: UInt64 = 20_000_000

    public init(toleranceNs: UInt64, capacity: Int = 8) {
        self.toleranceNs = toleranceNs
        self.capacity = max(1, capacity)
    }

    /// A colour frame arrived; returns the frames that leave, in order (at most two).
    public mutating func receive(colour frame: Frame, stampNs: UInt64) -> [Frame] {
        var released = held.map { [$0.frame] } ?? []
        held = nil
        discardDepths(olderThan: stampNs)
        if let depth = takeClosestDepth(to: stampNs) {
            var paired = frame
            paired.depth = depth
            released.append(paired)
        } else {
            held = (frame, stampNs)
        }
        return released
    }

    /// A depth frame arrived; returns the held frame when this pairs with it or shows that
    /// nothing will.
    public mutating func receive(depth: DepthImage) -> [Frame] {
        if let last = depths.last, depth.stampNs < last.stampNs {
            unpairedDepths += 1  // out of order: the stream's stamps went backwards
            return []
        }
        depths.append(depth)
        if depths.count > capacity {
            depths.removeFirst()
            unpairedDepths += 1
        }
        guard let waiting = held else { return [] }
        if let match = takeClosestDepth(to: waiting.stampNs) {
            held = nil
            var paired = waiting.frame
            paired.depth = match
            return [paired]
        }
        return expire(nowNs: depth.stampNs)
    }

    /// Releases the held frame, without depth, once `nowNs` (a stamp on the same clock) is
    /// past its stamp plus the tolerance: what a live source calls when no depth came in time.
    public mutating func expire(nowNs: UInt64) -> [Frame] {
        guard let waiting = held, nowNs > waiting.stampNs &+ toleranceNs else { return [] }
        held = nil
        return [waiting.frame]
    }

    /// Both streams ended: the held frame leaves, without depth.
    public mutating func finish() -> [Frame] {
        defer { held = nil }
        return held.map { [$0.frame] } ?? []
    }

    /// Removes and returns the buffered depth closest to `stampNs`, if within the tolerance:
    /// a depth frame pairs once.
    private mutating func takeClosestDepth(to stampNs: UInt64) -> DepthImage? {
        let distance = { (depth: DepthImage) in depth.stampNs > stampNs ? depth.stampNs - stampNs : stampNs - depth.stampNs }
        guard let best = depths.indices.min(by: { distance(depths[$0]) < distance(depths[$1]) }),
              distance(depths[best]) <= toleranceNs else { return nil }
        return depths.remove(at: best)
    }

    /// Colour stamps ascend, so a depth older than this one minus the tolerance pairs with nothing later.
    private mutating func discardDepths(olderThan stampNs: UInt64) {
        let floor = stampNs > toleranceNs ? stampNs - toleranceNs : 0
        let stale = depths.prefix { $0.stampNs < floor }.count
        depths.removeFirst(stale)
        unpairedDepths += UInt64(stale)
    }
}
