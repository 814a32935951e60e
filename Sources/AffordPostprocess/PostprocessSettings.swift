import AffordCore

/// How raw action maps become normalised heatmaps and ranked components.
public struct PostprocessSettings: Sendable, Equatable {
    /// Pixels at or above `relativeThreshold * peak` belong to a component; in (0, 1].
    public var relativeThreshold: Float
    /// Components smaller than this many pixels (at the output size) are dropped.
    public var minArea: Int
    /// At most this many components per action, largest score mass first.
    public var maxComponents: Int
    /// Actions whose presence is below this get no components (their heatmap is still made);
    /// maps from models without a presence output are never gated. The default is low because
    /// a head trained on renders is less sure on real photos (docs/DEFAULT_MODEL.md).
    public var minPresence: Float
    /// On a stream, an action that had components on the camera's previous frame keeps them
    /// until its presence drops below this (at most `minPresence`): a presence that hovers at
    /// `minPresence` does not make a target blink. Equal to `minPresence`: no hysteresis.
    public var releasePresence: Float
    /// Heatmap size; nil means the frame size.
    public var outputWidth: Int?
    public var outputHeight: Int?

    public init(relativeThreshold: Float = 0.5, minArea: Int = 1, maxComponents: Int = 3, minPresence: Float = 0.15,
                releasePresence: Float = 0.10, outputWidth: Int? = nil, outputHeight: Int? = nil) {
        self.relativeThreshold = relativeThreshold
        self.minArea = minArea
        self.maxComponents = maxComponents
        self.minPresence = minPresence
        self.releasePresence = min(releasePresence, minPresence)
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
    }

    /// Whether an action with this presence gets components, given whether it had them on the
    /// previous frame of the same stream. No presence output: always.
    func showsComponents(presence: Float?, shownBefore: Bool) -> Bool {
        guard let presence else { return true }
        return presence >= (shownBefore ? min(releasePresence, minPresence) : minPresence)
    }
}
