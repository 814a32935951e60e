/// Which actions had components on each camera's previous frame: the state behind
/// `releasePresence`. One per stream of frames, fed in frame order.
public struct PresenceHysteresis: Sendable {
    private var showing: [String: Set<String>] = [:]

    public init() {}

    /// Whether `action` gets components on this frame of `camera`; remembered for the next one.
    public mutating func showsComponents(_ action: String, presence: Float?, on camera: String,
                                         settings: PostprocessSettings) -> Bool {
        let before = showing[camera]?.contains(action) ?? false
        let now = settings.showsComponents(presence: presence, shownBefore: before)
        if now { showing[camera, default: []].insert(action) } else { showing[camera]?.remove(action) }
        return now
    }
}
