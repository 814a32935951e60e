import AffordCapture
import AffordCore
import AffordPostprocess
import AffordTransport
import Foundation

/// The whole daemon configuration, validated; paths are absolute.
public struct DaemonConfig: Sendable, Equatable {
    public var cameras: [CameraConfig]
    public var model: ModelConfig
    /// Checked against the head's vocabulary once the model is loaded.
    public var actions: [String]
    public var postprocessing: PostprocessConfig
    public var endpoints: EndpointConfig
    var curve: CurveConfig
    var recording: RecordingConfig?
    /// Seconds between status messages.
    var statusPeriod: Double
    /// How frames are grounded (zoom); reloadable.
    public var grounding = GroundingConfig()
}

/// One camera, with ROS camera-driver key names (`video_device`, `pixel_format`, ...).
public struct CameraConfig: Sendable, Equatable {
    public var name: String
    /// The camera's optical frame name in messages (ROS `frame_id`); nil: `<name>_optical_frame`.
    var frameID: String?
    /// The V4L2 device; unused when `replayLog` is set.
    var videoDevice: String
    /// Play this MCAP log (looping, at recorded pace) instead of opening the device: for demos and tests.
    var replayLog: String?
    /// Most preferred first.
    var pixelFormats: [CaptureFormat]
    var imageWidth: Int
    var imageHeight: Int
    var framerate: Double
    /// V4L2 control name -> value.
    var controls: [String: Int]
    /// Absolute path of a ROS camera_info or OpenCV FileStorage YAML.
    var cameraInfoPath: String?
    public var extrinsics: ExtrinsicsSource?
    /// An aligned (or registered) depth stream beside the colour one; nil for a colour camera.
    public var depth: DepthConfig? = nil
}

/// A camera's depth stream (docs/DAEMON.md, "Depth").
public struct DepthConfig: Sendable, Equatable {
    /// The V4L2 Z16 node, for a live camera.
    var videoDevice: String?
    /// The depth image topic in `replay_log` (a rosbag2 `sensor_msgs/Image`, 16UC1 or 32FC1).
    public var topic: String?
    /// Metres per Z16 unit (0.001 for millimetres).
    var unitsM: Double = 0.001
    /// A depth frame pairs with the colour frame stamped closest to it, at most this far apart.
    public var toleranceMs: Double = Double(DepthPairing.defaultToleranceNs) / 1e6
    /// Nil: the driver already aligns depth to colour.
    var registration: DepthRegistrationConfig?

    public var toleranceNs: UInt64 { UInt64(toleranceMs * 1e6) }
    /// What `tolerance_ms` (and `affordd replay --depth-tolerance-ms`) may be.
    public static let toleranceRangeMs = 0.0...1000.0

    public init(videoDevice: String? = nil, topic: String? = nil) {
        self.videoDevice = videoDevice
        self.topic = topic
    }
}

/// How to map depth pixels into the colour camera: the depth camera's own calibration and
/// its pose in the colour camera's optical frame.
public struct DepthRegistrationConfig: Sendable, Equatable {
    /// Absolute path of the depth camera's camera_info YAML.
    var cameraInfoPath: String
    /// Depth optical frame -> colour optical frame.
    var depthToColour: ExtrinsicsSource
}

/// Camera -> base pose: a file or given inline.
public enum ExtrinsicsSource: Sendable, Equatable {
    case file(String)
    case inline(translation: SIMD3<Double>, rotation: SIMD4<Double>)
}

public struct ModelConfig: Sendable, Equatable {
    public var backbone: String
    public var head: String
    /// Square network input in pixels; nil runs the size the head was exported for.
    public var inputSize: Int?
    public var threads: Int
    /// `int8` (the default) or `fp32`, the reference arithmetic.
    var precision: String
    /// One core per engine thread; nil pins for real-time sources and not for `replay --fast`
    /// (`ModelLoader.grounder`).
    public var pinThreads: Bool?

    public init(backbone: String, head: String, inputSize: Int? = nil, threads: Int = 2, precision: String = "int8",
                pinThreads: Bool? = nil) {
        self.backbone = backbone
        self.head = head
        self.inputSize = inputSize
        self.threads = threads
        self.precision = precision
        self.pinThreads = pinThreads
    }
}

public struct PostprocessConfig: Sendable, Equatable {
    public var settings: PostprocessSettings
    var heatmapEncoding: HeatmapEncoding
    public var tablePlane: Plane?
}

public struct EndpointConfig: Sendable, Equatable {
    /// tcp:// or ipc:// addresses the PUB socket binds.
    public var publish: [String]
    /// The ROUTER bind address for request/reply control; nil disables it.
    public var control: String?
    /// A controller's PUB address to SUBscribe to for broadcast commands.
    public var controller: String?
    /// The live view's HTTP listener (`/metrics`, `/healthz`, the page, and the Foxglove
    /// WebSocket); nil turns it off.
    public var http: ListenAddress?
    /// A second listener for Foxglove clients alone (the same server); nil turns it off.
    public var foxglove: ListenAddress?

    init(publish: [String], control: String? = nil, controller: String? = nil,
                http: ListenAddress? = nil, foxglove: ListenAddress? = nil) {
        self.publish = publish
        self.control = control
        self.controller = controller
        self.http = http
        self.foxglove = foxglove
    }
}

/// A TCP listener's `host:port` (`[v6]:port` for IPv6 literals).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Whether it came from the defaults rather than the config: a busy default port only warns.
    public var isDefault: Bool

    static let defaultHTTP = ListenAddress(host: "127.0.0.1", port: 8080, isDefault: true)

    public init(host: String, port: Int, isDefault: Bool = false) {
        self.host = host
        self.port = port
        self.isDefault = isDefault
    }

    /// Parses `host:port`; the port must lie in 0...65535 (0: any free port).
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw AffordError(.invalidConfig, "expected host:port with a port in 0...65535, got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.count <= 253, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw AffordError(.invalidConfig, "expected host:port, got \"\(text)\"")
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

struct CurveConfig: Sendable, Equatable {
    var enabled: Bool
    var serverPublicKeyFile: String?
    var serverSecretKeyFile: String?
    var allowedClientsDirectory: String?
    /// The controller PUB's CURVE public key: the SUB connection to it is a CURVE client.
    var controllerPublicKeyFile: String?

    static let disabled = CurveConfig(enabled: false)

    init(enabled: Bool, serverPublicKeyFile: String? = nil, serverSecretKeyFile: String? = nil,
                allowedClientsDirectory: String? = nil, controllerPublicKeyFile: String? = nil) {
        self.enabled = enabled
        self.serverPublicKeyFile = serverPublicKeyFile
        self.serverSecretKeyFile = serverSecretKeyFile
        self.allowedClientsDirectory = allowedClientsDirectory
        self.controllerPublicKeyFile = controllerPublicKeyFile
    }
}

public struct RecordingConfig: Sendable, Equatable {
    public enum Compression: String, Sendable, CaseIterable { case none, lz4, zstd }
    var path: String
    var compression: Compression
    /// Record heatmaps and centroids as well as input frames.
    var recordOutputs: Bool
    /// Start a new file past this size (nil: never).
    var maxBytes: UInt64?
    /// Start a new file past this age (nil: never).
    var maxSeconds: Double?

    public init(path: String, compression: Compression = .zstd, recordOutputs: Bool = true, maxBytes: UInt64? = nil,
                maxSeconds: Double? = nil) {
        self.path = path
        self.compression = compression
        self.recordOutputs = recordOutputs
        self.maxBytes = maxBytes
        self.maxSeconds = maxSeconds
    }
}

extension DaemonConfig {
    /// Which reloadable parts differ; cameras and the model need a restart.
    func restartRequired(comparedTo other: DaemonConfig) -> [String] {
        var keys: [String] = []
        if cameras != other.cameras { keys.append("cameras") }
        if model != other.model { keys.append("model") }
        if curve != other.curve { keys.append("curve") }
        if recording != other.recording { keys.append("recording") }
        if endpoints.http != other.endpoints.http { keys.append("endpoints.http") }
        if endpoints.foxglove != other.endpoints.foxglove { keys.append("endpoints.foxglove") }
        return keys
    }
}
