extension DaemonConfig {
    /// What `affordd replay` uses without a config: no recording, publishing on an ephemeral local port.
    public static func replayDefaults(model: ModelConfig) -> DaemonConfig {
        DaemonConfig(
            cameras: [], model: model, actions: [],
            postprocessing: PostprocessConfig(settings: .init(), heatmapEncoding: .mono8, tablePlane: nil),
            endpoints: EndpointConfig(publish: ["tcp://127.0.0.1:*"], control: nil, controller: nil),
            curve: .disabled, recording: nil, statusPeriod: 1)
    }
}
