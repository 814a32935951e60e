import AffordCapture
import AffordCore
import AffordPostprocess
import AffordTransport
import Foundation

/// Reads and fully validates the daemon YAML; every error names its key path.
public enum ConfigLoader {
    /// Loads `path`; relative paths inside resolve against its folder. Unlike `parse`, which
    /// reads nothing (the fuzzer drives it), this also checks the CURVE server key files.
    public static func load(path: String) throws -> DaemonConfig {
        let text = try YAMLField.readText(path, what: "config")
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        let config = try parse(text, source: path, baseDirectory: base)
        try checkServerKeys(config.curve)
        return config
    }

    /// `curve.server_public_key` is optional; when given it must be the secret key's public
    /// half, or every client would be locked out without a word.
    static func checkServerKeys(_ curve: CurveConfig) throws {
        guard curve.enabled, let publicFile = curve.serverPublicKeyFile, let secretFile = curve.serverSecretKeyFile else {
            return
        }
        let pair: CurveKeyPair, publicKey: CurveKey
        do { pair = try CurveKeyFile.loadKeyPair(secretKeyFile: secretFile) } catch {
            throw AffordError(.invalidConfig, "curve.server_secret_key: \(error.message)")
        }
        do { publicKey = try CurveKeyFile.loadPublicKey(file: publicFile) } catch {
            throw AffordError(.invalidConfig, "curve.server_public_key: \(error.message)")
        }
        guard publicKey == pair.publicKey else {
            throw AffordError(.invalidConfig,
                "curve.server_public_key: \(publicFile) is not the public half of curve.server_secret_key (\(secretFile))")
        }
    }

    /// Parses YAML text; `baseDirectory` anchors relative paths.
    public static func parse(_ text: String, source: String = "config", baseDirectory: URL) throws -> DaemonConfig {
        let root = try YAMLField.document(text, source: source)
        let resolve = { (path: String) in Self.resolve(path, against: baseDirectory) }
        let top = try root.mapping(allowed: [
            "cameras", "model", "actions", "postprocessing", "endpoints", "curve", "recording", "status_period",
            "grounding",
        ])
        let cameraFields = try top.required("cameras", in: root)
        let cameras = try cameraFields.list().map { try camera($0, resolve: resolve) }
        guard !cameras.isEmpty else { throw cameraFields.fail("at least one camera is required") }
        var names = Set<String>()
        for (index, camera) in cameras.enumerated() where !names.insert(camera.name).inserted {
            throw AffordError(.invalidConfig, "cameras[\(index)].name: duplicate camera name \"\(camera.name)\"")
        }

        let actionsField = try top.required("actions", in: root)
        let actions = try actionsField.list().map { try $0.name() }
        guard !actions.isEmpty else { throw actionsField.fail("at least one action is required") }
        guard Set(actions).count == actions.count else { throw actionsField.fail("actions must not repeat") }

        let statusPeriod = try top.optional("status_period").map { try $0.double(in: Limits.statusPeriod) } ?? 1.0

        let endpointConfig = try endpoints(top.required("endpoints", in: root))
        let curveConfig = try top.optional("curve").map { try curve($0, resolve: resolve) } ?? .disabled
        if curveConfig.enabled, endpointConfig.controller != nil, curveConfig.controllerPublicKeyFile == nil {
            throw AffordError(.invalidConfig,
                "curve.controller_public_key: required when curve.enabled is true and endpoints.controller is set")
        }
        return DaemonConfig(
            cameras: cameras,
            model: try model(top.required("model", in: root), resolve: resolve),
            actions: actions,
            postprocessing: try top.optional("postprocessing").map(postprocessing)
                ?? PostprocessConfig(settings: PostprocessSettings(), heatmapEncoding: .mono8, tablePlane: nil),
            endpoints: endpointConfig,
            curve: curveConfig,
            recording: try top.optional("recording").map { try recording($0, resolve: resolve) },
            statusPeriod: statusPeriod,
            grounding: try top.optional("grounding").map(grounding) ?? GroundingConfig())
    }

    /// The bounds of every numeric key: values past them would trap in a conversion
    /// (seconds to nanoseconds, sizes to buffer lengths) or make no physical sense.
    public enum Limits {
        static let statusPeriod = 0.05...3600.0
        static let framerate = 0.1...1000.0
        static let imageSide = 1...16384
        static let controlValue = Int(Int32.min)...Int(Int32.max)
        public static let inputSize = 14...1792
        public static let threads = 1...256
        static let outputSide = 1...8192
        static let minArea = 1...(1 << 26)
        static let maxComponents = 1...256
        static let planeOffset = -1000.0...1000.0
        static let recordingBytes = (1 << 20)...(1 << 50)
        static let recordingSeconds = 1.0...(30 * 86_400.0)
        static let depthUnits = 1e-6...1.0
        static let depthToleranceMs = DepthConfig.toleranceRangeMs
    }

    static func resolve(_ path: String, against base: URL) -> String {
        let plain = path.hasPrefix("file://") ? String(path.dropFirst("file://".count)) : path
        if plain.hasPrefix("/") { return plain }
        return base.appendingPathComponent(plain).standardizedFileURL.path
    }

    static func camera(_ field: YAMLField, resolve: (String) -> String) throws -> CameraConfig {
        let f = try field.mapping(allowed: [
            "name", "video_device", "pixel_format", "image_width", "image_height", "framerate", "controls",
            "camera_info_url", "extrinsics", "replay_log", "frame_id", "depth",
        ])
        var formats = CaptureFormat.defaultPreference
        if let formatField = f.optional("pixel_format") {
            let items = (try? formatField.list()) ?? [formatField]
            formats = try items.map { item in
                let name = try item.choice(CaptureFormat.allCases.map(\.rawValue))
                return CaptureFormat(rawValue: name) ?? .mjpeg
            }
            guard !formats.isEmpty else { throw formatField.fail("expected at least one pixel format") }
        }
        var controls: [String: Int] = [:]
        if let controlField = f.optional("controls") {
            guard case .mapping(let mapping)? = controlField.node else {
                throw controlField.fail("expected a mapping of control name to integer, got \(controlField.shown)")
            }
            for (key, value) in mapping {
                let name = key.string ?? ""
                controls[name] = try YAMLField(value, path: controlField.child(name)).int(in: Limits.controlValue)
            }
        }
        let replayLog = try f.optional("replay_log").map { resolve(try $0.string()) }
        let framerate = try f.required("framerate", in: field).double(in: Limits.framerate)
        return CameraConfig(
            name: try f.required("name", in: field).name(),
            frameID: try f.optional("frame_id")?.name(),
            videoDevice: try replayLog == nil ? f.required("video_device", in: field).string() : f.optional("video_device")?.string() ?? "",
            replayLog: replayLog,
            pixelFormats: formats,
            imageWidth: try f.required("image_width", in: field).int(in: Limits.imageSide),
            imageHeight: try f.required("image_height", in: field).int(in: Limits.imageSide),
            framerate: framerate,
            controls: controls,
            cameraInfoPath: try f.optional("camera_info_url").map { resolve(try $0.string()) },
            extrinsics: try f.optional("extrinsics").map { try extrinsics($0, resolve: resolve) },
            depth: try f.optional("depth").map { try depth($0, replaying: replayLog != nil, resolve: resolve) })
    }

    static func depth(_ field: YAMLField, replaying: Bool, resolve: (String) -> String) throws -> DepthConfig {
        let f = try field.mapping(allowed: ["video_device", "topic", "units_m", "tolerance_ms", "registration"])
        var depth = DepthConfig(videoDevice: try f.optional("video_device")?.string(), topic: try f.optional("topic")?.string())
        if replaying, depth.topic == nil {
            throw field.fail("a camera with replay_log needs depth.topic, the log's depth image topic")
        }
        if !replaying, depth.videoDevice == nil {
            throw field.fail("depth needs video_device, the camera's Z16 node")
        }
        if let units = f.optional("units_m") { depth.unitsM = try units.double(in: Limits.depthUnits) }
        if let tolerance = f.optional("tolerance_ms") { depth.toleranceMs = try tolerance.double(in: Limits.depthToleranceMs) }
        if let registration = f.optional("registration") {
            let r = try registration.mapping(allowed: ["camera_info_url", "extrinsics"])
            depth.registration = DepthRegistrationConfig(
                cameraInfoPath: resolve(try r.required("camera_info_url", in: registration).string()),
                depthToColour: try extrinsics(try r.required("extrinsics", in: registration), resolve: resolve))
        }
        return depth
    }

    static func extrinsics(_ field: YAMLField, resolve: (String) -> String) throws -> ExtrinsicsSource {
        if case .scalar? = field.node { return .file(resolve(try field.string())) }
        let pose = try ExtrinsicsLoader.pose(field)
        return .inline(translation: pose.translation, rotation: pose.rotation)
    }

    /// An image side in `range` that the 14-pixel patches tile.
    static func patchMultiple(_ field: YAMLField, in range: ClosedRange<Int>) throws -> Int {
        let side = try field.int(in: range)
        guard side % 14 == 0 else { throw field.fail("expected a multiple of the 14-pixel patch size, got \(side)") }
        return side
    }

    static func model(_ field: YAMLField, resolve: (String) -> String) throws -> ModelConfig {
        let f = try field.mapping(allowed: ["backbone", "head", "input_size", "threads", "precision", "pin_threads"])
        let inputSize = try f.optional("input_size").map { try patchMultiple($0, in: Limits.inputSize) }
        return ModelConfig(
            backbone: resolve(try f.required("backbone", in: field).string()),
            head: resolve(try f.required("head", in: field).string()),
            inputSize: inputSize,
            threads: try f.optional("threads")?.int(in: Limits.threads) ?? 2,
            precision: try f.optional("precision")?.choice(["int8", "fp32"]) ?? "int8",
            pinThreads: try f.optional("pin_threads")?.bool())
    }
}
