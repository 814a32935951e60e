/// Names affordd uses inside its recordings, shared by the recorder and replay.
public enum RecordingMetadata {
    /// Metadata record holding the daemon's configuration text.
    public static let configRecord = "affordd.config"
    public static let configKey = "text"
    /// Metadata record holding the realtime-minus-monotonic offset at recording start.
    public static let clockRecord = "affordd.clock"
    public static let realtimeOffsetKey = "realtime_offset_ns"
    /// Metadata record naming the model that produced the results.
    public static let modelRecord = "affordd.model"
    public static let modelIDKey = "model_id"

    /// Channel metadata: what a channel carries and for which camera.
    public static let roleKey = "affordd.role"
    public static let cameraKey = "affordd.camera"
    public static let cameraRole = "camera"
    public static let heatmapRole = "heatmap"
    public static let annotationsRole = "annotations"
    public static let statusRole = "status"
}
