@testable import AffordCore
@testable import AffordPostprocess
import AffordTestSupport
@testable import AffordTransport
import Foundation
import Testing
@testable import AffordDaemon

@Suite struct ConfigLoaderTests {
    static let examplePath = Fixtures.repositoryRoot.appendingPathComponent("config/affordd.example.yaml").path
    static var example: String { (try? String(contentsOfFile: examplePath, encoding: .utf8)) ?? "" }
    static let configDirectory = Fixtures.repositoryRoot.appendingPathComponent("config")

    @Test func exampleLoadsWithResolvedPaths() throws {
        let config = try ConfigLoader.load(path: Self.examplePath)
        let camera = try #require(config.cameras.first)
        #expect(camera.name == "front" && camera.imageWidth == 640 && camera.imageHeight == 480)
        #expect(camera.pixelFormats == [.mjpeg, .yuyv])
        #expect(camera.controls["exposure_auto_priority"] == 0)
        #expect(camera.cameraInfoPath == Fixtures.repositoryRoot.appendingPathComponent("Calibration/webcam_640x480.yaml").path)
        #expect(config.actions == ["hold", "cut", "pour"])
        #expect(config.model.inputSize == 224)
        #expect(config.postprocessing.settings.relativeThreshold == 0.5)
        #expect(config.postprocessing.settings.minPresence == 0.15)
        #expect(config.postprocessing.settings.releasePresence == 0.10)
        #expect(config.postprocessing.tablePlane?.normal == SIMD3(0, 0, 1))
        #expect(config.endpoints.publish.count == 2)
        #expect(config.recording?.compression == .zstd)
        // The calibration and extrinsics it names load too.
        let model = try CameraInfoLoader.load(path: try #require(camera.cameraInfoPath))
        try model.checkMatches(width: camera.imageWidth, height: camera.imageHeight)
        _ = try ExtrinsicsLoader.transform(try #require(camera.extrinsics))
    }

    /// Each edit of the example and the message it must produce.
    static let badEdits: [(String, String, String)] = [
        ("image_width: 640", "image_width: abc", #"cameras[0].image_width: expected an integer, got "abc""#),
        ("image_height: 480", "image_height: -4", "cameras[0].image_height: expected an integer from 1 to 16384, got -4"),
        ("image_width: 640", "image_width: 9223372036854775807", "cameras[0].image_width: expected an integer from 1 to 16384"),
        ("framerate: 30", "framerate: fast", "cameras[0].framerate: expected a number"),
        ("    video_device: /dev/video0\n", "    video_device: /dev/video0\n    exposure: 3\n", "cameras[0].exposure: unknown key"),
        ("status_period: 1.0", "status_period: 1.0\nfrobnicate: yes", "frobnicate: unknown key"),
        ("pixel_format: [mjpeg, yuyv]", "pixel_format: [mjpeg, h264]", #"cameras[0].pixel_format[1]: expected one of"#),
        ("exposure_auto_priority: 0", "exposure_auto_priority: high", "cameras[0].controls.exposure_auto_priority: expected an integer"),
        ("input_size: 224", "input_size: 225", "model.input_size: expected a multiple of the 14-pixel patch size"),
        ("threads: 2", "threads: [2]", "model.threads: expected an integer, got a list"),
        ("threads: 2", "threads: 100000", "model.threads: expected an integer from 1 to 256"),
        ("input_size: 224", "input_size: 140000", "model.input_size: expected an integer from 14 to 1792"),
        ("framerate: 30", "framerate: 1.0e+300", "cameras[0].framerate: expected a number from 0.1 to 1000"),
        ("framerate: 30", "framerate: 0", "cameras[0].framerate: expected a number from 0.1 to 1000"),
        ("exposure_auto_priority: 0", "exposure_auto_priority: 99999999999", "cameras[0].controls.exposure_auto_priority: expected an integer from"),
        ("  - name: front", "  - name: front/left", #"cameras[0].name: "front/left" must be 1–64 characters"#),
        ("actions: [hold, cut, pour]", "actions: [hold, \"cut it\"]", #"actions[1]: "cut it" must be 1–64 characters"#),
        ("status_period: 1.0", "status_period: 1.0e+300", "status_period: expected a number from 0.05 to 3600"),
        ("max_components: 3", "max_components: 100000000", "postprocessing.max_components: expected an integer from 1 to 256"),
        ("# output_width: 320", "output_width: 1000000\n  output_height: 240", "postprocessing.output_width: expected an integer from 1 to 8192"),
        ("precision: int8", "precision: fp16", #"model.precision: expected one of int8, fp32, got "fp16""#),
        ("    video_device: /dev/video0\n", "", "cameras[0].video_device: required key is missing"),
        ("  head: ../models-default/affordd-default.head.safetensors\n", "", "model.head: required key is missing"),
        ("actions: [hold, cut, pour]", "actions: []", "actions: at least one action"),
        ("actions: [hold, cut, pour]", "actions: [hold, hold]", "actions: actions must not repeat"),
        ("actions: [hold, cut, pour]", "actions: hold", "actions: expected a list"),
        ("relative_threshold: 0.5", "relative_threshold: 1.5", "postprocessing.relative_threshold: expected a number in (0, 1]"),
        ("min_area: 30", "min_area: 0", "postprocessing.min_area: expected an integer from 1 to"),
        ("min_presence: 0.15", "min_presence: 1.2", "postprocessing.min_presence: expected a probability in [0, 1], got 1.2"),
        ("presence_release: 0.10", "presence_release: -0.1", "postprocessing.presence_release: expected a probability in [0, 1]"),
        ("presence_release: 0.10", "presence_release: 0.2", "postprocessing.presence_release: must not exceed min_presence (0.15), got 0.2"),
        ("heatmap_encoding: mono8", "heatmap_encoding: jpeg", #"postprocessing.heatmap_encoding: expected one of mono8, 32FC1, got "jpeg""#),
        ("normal: [0.0, 0.0, 1.0]", "normal: [0.0, 1.0]", "postprocessing.table_plane.normal: expected 3 numbers"),
        ("normal: [0.0, 0.0, 1.0]", "normal: [0.0, 0.0, 0.0]", "postprocessing.table_plane: table plane normal must be non-zero"),
        ("# output_width: 320", "output_width: 320", "postprocessing: output_width and output_height must be given together"),
        ("tcp://127.0.0.1:5561", "udp://127.0.0.1:5561", "endpoints.control: expected a tcp:// or ipc:// address"),
        ("publish: [tcp://127.0.0.1:5560, ipc:///tmp/affordd-pub]", "publish: [tcp://127.0.0.1:5560, 5]", "endpoints.publish[1]: expected a tcp:// or ipc:// address"),
        ("curve:\n  enabled: false", "curve:\n  enabled: maybe", #"curve.enabled: expected true or false, got "maybe""#),
        ("curve:\n  enabled: false", "curve:\n  enabled: true", "curve.server_secret_key: required when curve.enabled is true"),
        ("compression: zstd", "compression: gzip", "recording.compression: expected one of none, lz4, zstd"),
        ("status_period: 1.0", "status_period: 0", "status_period: expected a number from 0.05 to 3600"),
        ("    extrinsics: ../Calibration/front_extrinsics.yaml", "    extrinsics: {translation: [0, 0, 1], rotation: [0, 0, 0, 2]}",
         "cameras[0].extrinsics.rotation: rotation quaternion must have unit norm"),
        ("    extrinsics: ../Calibration/front_extrinsics.yaml", "    extrinsics: {translation: [0, 0], rotation: [0, 0, 0, 1]}",
         "cameras[0].extrinsics.translation: expected 3 numbers, got 2"),
        ("  - name: front", "  - name: \"\"", "cameras[0].name: expected a non-empty string"),
        ("cameras:\n", "cameras: {}\nunused:\n", "unused: unknown key"),
        ("endpoints:\n", "endpoints: 5\nold_endpoints:\n", "unknown key"),
    ]

    @Test(arguments: 0..<badEdits.count)
    func badKeyTypeOrValueNamesTheKey(_ index: Int) throws {
        let (find, replace, message) = Self.badEdits[index]
        let text = Self.example
        #expect(text.contains(find), "example no longer contains \(find)")
        let edited = text.replacingOccurrences(of: find, with: replace)
        do {
            _ = try ConfigLoader.parse(edited, baseDirectory: Self.configDirectory)
            Issue.record("accepted a config that should fail with: \(message)")
        } catch let error as AffordError {
            #expect(error.code == .invalidConfig)
            #expect(error.message.contains(message), "message was: \(error.message)")
        }
    }

    /// The live view's listeners: host:port or off, the http one on loopback by default.
    @Test func liveViewEndpointsParseWithRangesAndDefaults() throws {
        let line = "  http: 127.0.0.1:8080               # live page, /metrics, /healthz, Foxglove WebSocket; off to disable\n"
        #expect(Self.example.contains(line))
        func endpoints(_ replacement: String) throws -> EndpointConfig {
            try ConfigLoader.parse(Self.example.replacingOccurrences(of: line, with: replacement),
                                   baseDirectory: Self.configDirectory).endpoints
        }
        let fallback = try endpoints("")
        #expect(fallback.http == .defaultHTTP && fallback.http?.isDefault == true && fallback.foxglove == nil)
        let set = try endpoints("  http: 0.0.0.0:9090\n  foxglove: '[::1]:8765'\n")
        #expect(set.http == ListenAddress(host: "0.0.0.0", port: 9090))
        #expect(set.foxglove == ListenAddress(host: "::1", port: 8765) && set.foxglove?.description == "[::1]:8765")
        #expect(try endpoints("  http: off\n").http == nil)
        for bad in ["70000", "-1", "x"] {
            #expect(throws: AffordError.self) { _ = try endpoints("  http: 127.0.0.1:\(bad)\n") }
        }
        #expect(throws: AffordError.self) { _ = try endpoints("  http: :8080\n") }
    }

    /// `model.pin_threads`: left out, the engine is pinned for paced frames only; either
    /// value set wins over that; anything else is an error naming the key.
    @Test func pinThreadsDefaultsToTheSourcesPacing() throws {
        func model(_ line: String) throws -> ModelConfig {
            try ConfigLoader.parse(Self.example.replacingOccurrences(of: "  threads: 2\n", with: "  threads: 2\n" + line),
                                   baseDirectory: Self.configDirectory).model
        }
        let fallback = try model("")
        #expect(fallback.pinThreads == nil)
        #expect(ModelLoader.pinsThreads(fallback, realTime: true) && !ModelLoader.pinsThreads(fallback, realTime: false))
        let off = try model("  pin_threads: false\n"), on = try model("  pin_threads: true\n")
        #expect(off.pinThreads == false && !ModelLoader.pinsThreads(off, realTime: true))
        #expect(on.pinThreads == true && ModelLoader.pinsThreads(on, realTime: false))
        let error = #expect(throws: AffordError.self) { _ = try model("  pin_threads: sometimes\n") }
        #expect(error?.message.contains(#"model.pin_threads: expected true or false, got "sometimes""#) == true, "\(String(describing: error))")
    }

    /// `cameras[].depth`: a live camera needs its Z16 node, a replayed one its topic; ranges checked.
    @Test func depthParsesWithRangesAndNeedsItsSource() throws {
        let anchor = "    extrinsics: ../Calibration/front_extrinsics.yaml\n"
        #expect(Self.example.contains(anchor))
        func depth(_ block: String) throws -> DepthConfig? {
            try ConfigLoader.parse(Self.example.replacingOccurrences(of: anchor, with: anchor + block),
                                   baseDirectory: Self.configDirectory).cameras.first?.depth
        }
        #expect(try depth("") == nil)
        let live = try #require(try depth("    depth: {video_device: /dev/video2, units_m: 0.0001, tolerance_ms: 5}\n"))
        #expect(live.videoDevice == "/dev/video2" && live.unitsM == 0.0001 && live.toleranceMs == 5 && live.registration == nil)
        #expect(try depth("    depth: {video_device: /dev/video2}\n")?.toleranceNs == DepthPairing.defaultToleranceNs)
        let registered = try #require(try depth("""
                depth:
                  video_device: /dev/video2
                  registration:
                    camera_info_url: depth.yaml
                    extrinsics: {translation: [0.015, 0, 0], rotation: [0, 0, 0, 1]}

            """))
        #expect(registered.registration?.cameraInfoPath == Self.configDirectory.appendingPathComponent("depth.yaml").standardizedFileURL.path)
        for bad in ["    depth: {topic: /depth}\n", "    depth: {video_device: /dev/video2, tolerance_ms: -1}\n",
                    "    depth: {video_device: /dev/video2, units_m: 2}\n", "    depth: {video_device: /dev/video2, colour: 1}\n",
                    "    depth: {video_device: /dev/video2, registration: {camera_info_url: d.yaml}}\n"] {
            #expect(throws: AffordError.self, "accepted \(bad)") { _ = try depth(bad) }
        }
    }

    /// With CURVE on, the controller connection must be protected too.
    @Test func curveWithAControllerNeedsItsKey() throws {
        let edited = Self.example
            .replacingOccurrences(of: "curve:\n  enabled: false", with: """
                curve:
                  enabled: true
                  server_secret_key: /etc/affordd/curve/server.key_secret
                  allowed_clients_dir: /etc/affordd/curve/clients
                """)
            .replacingOccurrences(of: "  # controller: tcp://192.168.1.10:5570", with: "  controller: tcp://192.168.1.10:5570")
        #expect(throws: AffordError(.invalidConfig,
                                    "curve.controller_public_key: required when curve.enabled is true and endpoints.controller is set")) {
            _ = try ConfigLoader.parse(edited, baseDirectory: Self.configDirectory)
        }
        let keyed = edited.replacingOccurrences(of: "curve:\n  enabled: true\n",
                                                with: "curve:\n  enabled: true\n  controller_public_key: c.key\n")
        let config = try ConfigLoader.parse(keyed, baseDirectory: Self.configDirectory)
        #expect(config.curve.controllerPublicKeyFile == Self.configDirectory.appendingPathComponent("c.key").path)
    }

    /// A server_public_key that is not the secret key's public half would lock every client out:
    /// refused when the configuration loads, naming the key.
    @Test func aServerPublicKeyOfAnotherPairIsRefusedAtLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-curve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try CurveKeyFile.write(try CurveKeyPair.generate(), basename: directory.appendingPathComponent("server").path)
        let other = try CurveKeyFile.write(try CurveKeyPair.generate(), basename: directory.appendingPathComponent("other").path)
        let path = directory.appendingPathComponent("affordd.yaml").path
        func write(publicKey: String) throws {
            try Self.example.replacingOccurrences(of: "curve:\n  enabled: false", with: """
                curve:
                  enabled: true
                  server_public_key: \(publicKey)
                  server_secret_key: \(server.secretFile)
                  allowed_clients_dir: \(directory.path)
                """).write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(publicKey: other.publicFile)
        #expect(throws: AffordError(.invalidConfig, "curve.server_public_key: \(other.publicFile) is not the public half "
                                        + "of curve.server_secret_key (\(server.secretFile))")) {
            _ = try ConfigLoader.load(path: path)
        }
        try write(publicKey: server.publicFile)
        #expect(try ConfigLoader.load(path: path).curve.serverPublicKeyFile == server.publicFile)
    }

    /// Without its own value the release level follows a lower min_presence down.
    @Test func presenceReleaseNeverExceedsTheMinimum() throws {
        let edited = Self.example
            .replacingOccurrences(of: "  presence_release: 0.10", with: "  # presence_release: 0.10")
            .replacingOccurrences(of: "min_presence: 0.15", with: "min_presence: 0.05")
        let settings = try ConfigLoader.parse(edited, baseDirectory: Self.configDirectory).postprocessing.settings
        #expect(settings.minPresence == 0.05 && settings.releasePresence == 0.05)
    }

    @Test func demoConfigReplaysALogWithoutADevice() throws {
        let config = try ConfigLoader.load(path: Self.configDirectory.appendingPathComponent("demo.yaml").path)
        let camera = try #require(config.cameras.first)
        #expect(camera.replayLog == Fixtures.repositoryRoot.appendingPathComponent("demo/demo.mcap").path)
        #expect(camera.videoDevice.isEmpty)
    }

    @Test func secondCameraWithSameNameIsRejected() {
        let camera = Self.example.components(separatedBy: "cameras:\n")[1].components(separatedBy: "\nmodel:")[0]
        let edited = Self.example.replacingOccurrences(of: "cameras:\n", with: "cameras:\n" + camera + "\n")
        #expect(throws: AffordError(.invalidConfig, #"cameras[1].name: duplicate camera name "front""#)) {
            _ = try ConfigLoader.parse(edited, baseDirectory: Self.configDirectory)
        }
    }

    @Test func invalidYAMLAndMissingFileAreClearErrors() {
        #expect(throws: AffordError.self) { _ = try ConfigLoader.parse("cameras: [", baseDirectory: Self.configDirectory) }
        #expect(throws: AffordError(.io, "cannot read config /nonexistent/affordd.yaml: no such file")) {
            _ = try ConfigLoader.load(path: "/nonexistent/affordd.yaml")
        }
    }

    /// Calibration files that cannot be read or parsed name the file, the key and the cause, never Foundation's words.
    @Test func unreadableCalibrationNamesFileAndKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("binary.yaml"), huge = folder.appendingPathComponent("huge.yaml")
        try Data([0xFF, 0xFE, 0x00, 0x80]).write(to: binary)
        try Data("image_width: 640\nimage_height: 480\ncamera_matrix: {rows: 4611686018427387904, cols: 4, data: [1]}\n".utf8)
            .write(to: huge)
        for (path, expected) in [(binary.path, "not UTF-8 text"), (folder.path, "it is a directory"),
                                 (huge.path, "camera_matrix.rows: expected an integer from 1 to 64")] {
            do {
                _ = try CameraInfoLoader.load(path: path)
                Issue.record("\(path) loaded")
            } catch let error as AffordError {
                #expect(error.message.contains(expected) && error.message.contains(path), "\(error.message)")
                #expect(!error.message.contains("could not be completed"))
            }
        }
    }
}
