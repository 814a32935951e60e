/// How object-centric zoom grounds a frame: a whole-frame pass proposes regions, each region is
/// grounded at the network input size, and the maps are merged back into frame pixels.
public struct ZoomSettings: Sendable, Equatable {
    /// Off: one whole-frame pass, exactly as without zoom.
    public var enabled: Bool
    /// At most this many regions per frame (all of them one batched backbone pass).
    public var maxRegions: Int
    /// A region's side is this many times the longer side of the object it was proposed for.
    public var margin: Double
    /// Regions are at least this many frame pixels a side (at most the frame's shorter side):
    /// a tiny crop would be upsampled far past what its pixels hold.
    public var minRegionPixels: Int
    /// On streams: 0 proposes every frame's regions from its own whole-frame pass, then grounds
    /// them (two passes). k ≥ 1 grounds the regions of an earlier frame together with the whole
    /// frame in one batch and refreshes them every k frames, or at once when the scene changes.
    public var redetectEvery: Int
    /// The whole-frame map's weight in the merge, everywhere: `max(region maps, weight · whole)`.
    /// Zero outside the boxes is bad for KLD (a box that misses the part leaves nothing there),
    /// but its faint mass over the whole frame costs too. The better the regions cover the
    /// objects, the lower it can go: 0.1 with regions grown over whole objects ("Objects by
    /// hysteresis" in docs/DEFAULT_MODEL.md), 0.07 once the whole vocabulary proposes them.
    public var outsideWeight: Float
    /// The side each region's crop is resized to, a multiple of the patch size (nil: the
    /// model's input size, as the whole frame). Smaller is cheaper: 154 brings 3 regions from
    /// about 4× to 2.2× a frame without zoom, at some accuracy (`fast`).
    public var regionInputSize: Int?
    /// Inside the regions, the merged map keeps `foregroundFloor + (1 - foregroundFloor) · contrast`
    /// of itself, contrast being how far a pixel's colour is from the region's border colours
    /// (`RegionContrast`); 1 turns it off.
    public var foregroundFloor: Float
    /// The Gaussian σ, in frame pixels, that smooths the merged maps around the regions; 0 turns it off.
    public var smoothingPixels: Double
    /// Test-time mirroring: each region, and the whole frame, is also grounded mirrored
    /// left-right and the maps merged are the mean of the two (regions are still proposed from
    /// the frame as it is). Better maps on every measured set for twice the backbone work, so
    /// off unless asked for (docs/DEFAULT_MODEL.md, "Test-time mirroring").
    public var mirror: Bool
    /// Which whole-frame maps propose the regions.
    public var proposeFrom: ProposalSource

    public enum ProposalSource: String, Sendable, CaseIterable {
        /// The requested actions' objects, then any other object the model's vocabulary finds
        /// (its maps come with the whole-frame pass at no backbone cost): a box for an object
        /// the requested maps missed (docs/DEFAULT_MODEL.md, "Proposals from the whole vocabulary").
        case vocabulary
        /// The requested actions' maps only.
        case actions
    }

    public init(enabled: Bool = false, maxRegions: Int = 3, margin: Double = 2, minRegionPixels: Int = 112,
                redetectEvery: Int = 0, outsideWeight: Float = 0.07, regionInputSize: Int? = nil,
                foregroundFloor: Float = 0.2, smoothingPixels: Double = 3, mirror: Bool = false,
                proposeFrom: ProposalSource = .vocabulary) {
        self.enabled = enabled
        self.maxRegions = maxRegions
        self.margin = margin
        self.minRegionPixels = minRegionPixels
        self.redetectEvery = redetectEvery
        self.outsideWeight = outsideWeight
        self.regionInputSize = regionInputSize
        self.foregroundFloor = foregroundFloor
        self.smoothingPixels = smoothingPixels
        self.mirror = mirror
        self.proposeFrom = proposeFrom
    }

    /// What affordd runs unless told otherwise: zoom on, margin 2, region contrast and smoothing,
    /// proposals from the whole vocabulary. Against no zoom: real tabletop photos KLD 1.98 -> 0.93,
    /// "hold" on the handle in 22 of 26 photos against 13; far-view renders KLD 3.17 -> 2.06 and
    /// 3.05 -> 1.92; about 4x the CPU of a frame with 3 regions. A plain `ZoomSettings()` stays
    /// off: the library's neutral value.
    public static let shipped = ZoomSettings(enabled: true)

    /// Zoom at about half the cost, for a slower computer or a higher frame rate: smaller
    /// crops at a smaller input. Measured against `shipped` in docs/DEFAULT_MODEL.md
    /// ("Region contrast"): 0.05–0.09 KLD worse on far views and 0.10 on the real photos.
    public static let fast = ZoomSettings(enabled: true, regionInputSize: 154)

    /// The bounds the config loader checks against (named here so code and docs agree).
    public static let maxRegionsRange = 1...8
    public static let marginRange = 1.0...10.0
    public static let minRegionPixelsRange = 14...4096
    public static let redetectEveryRange = 0...1000
    public static let outsideWeightRange: ClosedRange<Float> = 0...1
    public static let regionInputSizeRange = 28...1792
    public static let foregroundFloorRange: ClosedRange<Float> = 0...1
    public static let smoothingPixelsRange = 0.0...32.0
}
