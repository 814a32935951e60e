/// Names affordd uses inside its recordings, shared by the recorder and replay.
enum RecordingMetadata {
    /// Metadata record holding the daemon's configuration text.
    static let configRecord = "affordd.config"
    static let configKey = "text"
    /// Metadata record holding the realtime-minus-monotonic offset at recording start.
    static let clockRecord = "affordd.clock"
    static let realtimeOffsetKey = "realtime_offset_ns"
    /// Metadata record naming the model that produced the results.
    static let modelRecord = "affordd.model"
    static let modelIDKey = "model_id"

    /// Channel metadata: what a channel carries and for which camera.
    static let roleKey = "affordd.role"
    static let cameraKey = "affordd.camera"
    static let cameraRole = "camera"
    static let depthRole = "depth"
    static let centroidsRole = "centroids"
    static let heatmapRole = "heatmap"
    static let annotationsRole = "annotations"
    static let statusRole = "status"
}
