/// The fuzz targets: each takes arbitrary bytes and must return without trapping.
///
/// libFuzzer (`affordd-fuzz NAME …`, `make fuzz`) and the regression tests run the same
/// bodies, so an input that once crashed is replayed by `swift test` for good.
/// Thrown errors are the expected answer to bad input; only a trap is a finding.
public enum FuzzHarness: String, CaseIterable, Sendable {
    /// `ControlParser.parse`, then `DaemonControl` over a fake pipeline, then the reply encoding.
    case control
    /// `ConfigLoader.parse` of the daemon YAML.
    case config
    /// Camera-info and extrinsics files, and the camera model they make.
    case calibration
    /// Every record of an MCAP file, then replay of its image channel.
    case mcap
    /// A rosbag2 `sensor_msgs` CDR message replayed and decoded to RGB.
    case ros2
    /// JPEG and PNG decoding of the same bytes.
    case images
    /// A safetensors file's header, its tensors and the model metadata readers.
    case safetensors

    /// The largest input worth generating: bigger ones only slow the search down
    /// (`-max_len`; the control body limit is 64 KiB, the seeds are a few KB).
    public var maxInputLength: Int {
        switch self {
        case .control, .mcap, .images: 16_384
        case .config, .calibration, .ros2, .safetensors: 4_096
        }
    }

    /// Runs one input.
    public func run(_ input: [UInt8]) {
        switch self {
        case .control: ControlHarness.shared.run(input)
        case .config: ConfigHarness.run(input)
        case .calibration: CalibrationHarness.run(input)
        case .mcap: MCAPHarness.run(input)
        case .ros2: ROS2Harness.run(input)
        case .images: ImageHarness.run(input)
        case .safetensors: SafetensorsHarness.run(input)
        }
    }
}
