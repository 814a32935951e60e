@testable import AffordCore
@testable import AffordDaemon
@testable import AffordPostprocess
import AffordRecording
import AffordTestSupport
import Foundation
import Testing

/// Depth from rendered RGB-D scenes (`make fixtures`, `fixtures/rgbd`: Mitsuba colour, depth and
/// part labels, logs written by `mcap-ros2-support`).
@Suite(.serialized) struct DepthReplayTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("fixtures/rgbd")
    static let depthTopic = "/camera/aligned_depth_to_color/image_raw"

    static var available: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path)
    }

    struct Scene: Decodable {
        struct Part: Decodable {
            var label: Int, name: String, pixels: Int, unoccluded: Bool
            var centroid_base: [Double]
        }
        var width: Int, height: Int, parts: [Part]
    }

    /// Each unoccluded part's mask, as the renderer labelled it, straight from `parts.png`.
    static let partMasks = """
    import json, sys, base64, numpy as np
    from PIL import Image
    labels = np.array(Image.open(sys.stdin.read().strip()))
    print(json.dumps({str(v): base64.b64encode((labels == v).astype(np.uint8).tobytes()).decode()
                      for v in np.unique(labels) if v != 0}))
    """

    /// The part's own mask as the heatmap (a detector that is exactly right), through the
    /// daemon's post-processing with the log's depth: `point_base` lands within 1 cm of the
    /// rendered part's 3D centroid (the mean of its visible surface points, from Mitsuba).
    @Test func depthPointsOfRenderedPartsAreWithinACentimetre() throws {
        guard Self.available else {
            Issue.record("fixtures/rgbd is missing: run make fixtures")
            return
        }
        let scene = try JSONDecoder().decode(Scene.self, from: Data(contentsOf: Self.folder.appendingPathComponent("scene.json")))
        let source = try ReplaySource(path: Self.folder.appendingPathComponent("rgbd.mcap").path,
                                      options: .init(pacing: .asFastAsPossible, depthTopic: Self.depthTopic))
        guard let frame = try source.nextFrame(), let depth = frame.depth else {
            Issue.record("the log's first frame has no depth")
            return
        }
        let camera = try CameraInfoLoader.load(path: Self.folder.appendingPathComponent("camera_info.yaml").path)
        let pose = try ExtrinsicsLoader.transform(.file(Self.folder.appendingPathComponent("camera_to_base.yaml").path))
        let geometry = CentroidGeometry(camera: camera, cameraToBase: pose, table: try Plane(normal: SIMD3(0, 0, 1), offset: 0))
        let masks = try JSONDecoder().decode([String: String].self, from: PythonOracle.run(
            Self.partMasks, input: Data(Self.folder.appendingPathComponent("parts.png").path.utf8)))
        let post = HeatmapPostprocessor(settings: PostprocessSettings(minPresence: 0))
        var checked = 0
        for part in scene.parts where part.unoccluded {
            let bytes = try #require(masks[String(part.label)].flatMap { Data(base64Encoded: $0) })
            let map = Heatmap(width: scene.width, height: scene.height, values: bytes.map { Float($0) })
            let (result, pixels) = post.processed(ActionMap(action: part.name, map: map), frameWidth: frame.width,
                                                  frameHeight: frame.height, collectPixels: true)
            let located = geometry.locate(result.components, depth: DepthEvidence(
                depth: depth, pixels: pixels, gridWidth: map.width, gridHeight: map.height,
                frameWidth: frame.width, frameHeight: frame.height))
            let strongest = try #require(located.first)
            let point = try #require(strongest.depth?.pointBase, "\(part.name): no depth point")
            let truth = SIMD3(part.centroid_base[0], part.centroid_base[1], part.centroid_base[2])
            let error = ((point - truth) * (point - truth)).sum().squareRoot()
            print("rendered \(part.name): point_base \(point), centroid \(truth), \(String(format: "%.1f", error * 1000)) mm, valid \(strongest.depth?.validFraction ?? 0)")
            #expect(error < 0.01, "\(part.name): point_base is \(error * 1000) mm from the rendered centroid")
            #expect(strongest.grasp?.source == .depth && strongest.grasp?.frame != nil)
            checked += 1
        }
        #expect(checked > 0, "the fixture has no unoccluded part")
    }

    struct Summary: Decodable {
        var frames_published: Int
        var frames_with_depth: Int?
        var frames_missing_depth: Int?
    }

    /// Per recorded centroids message: its sequence, how many components, how many with `point_base`.
    static let recordedCentroids = """
    import json, sys
    from mcap.reader import make_reader
    out = {"centroids": [], "depth": []}
    with open(sys.stdin.read().strip(), "rb") as f:
        for schema, channel, message in make_reader(f).iter_messages():
            if channel.topic.endswith("/centroids"):
                body = json.loads(message.data)
                comps = [c for cs in body["actions"].values() for c in cs]
                out["centroids"].append({"seq": body["seq"], "components": len(comps),
                                         "with_point": sum(c["point_base"] is not None for c in comps),
                                         "with_fraction": sum(c["depth_valid_fraction"] is not None for c in comps),
                                         "depth_grasps": sum((c["grasp"] or {}).get("source") == "depth" for c in comps)})
            elif channel.topic.endswith("/depth"):
                out["depth"].append(json.loads(message.data)["encoding"])
    print(json.dumps(out))
    """

    struct Recorded: Decodable {
        struct Centroids: Decodable { var seq: Int, components: Int, with_point: Int, with_fraction: Int, depth_grasps: Int }
        var centroids: [Centroids]
        var depth: [String]
    }

    /// `affordd replay` on the rosbag2 logs, recording its outputs: every frame with depth has
    /// `point_base` on every component; frames whose depth was dropped have none, and are counted.
    @Test(arguments: [("rgbd.mcap", 10, Set<Int>()), ("rgbd_depth_dropped.mcap", 10, Set([2, 5, 6])),
                      ("rgbd_32fc1.mcap", 5, Set<Int>())])
    func replayedRGBDLogsPublishDepthPoints(log: String, frames: Int, dropped: Set<Int>) throws {
        guard Self.available, let binary = DaemonProcessTests.binary else {
            Issue.record("fixtures/rgbd or the affordd binary is missing: run make fixtures and swift build")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-depth-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let models = Fixtures.models.path
        let head = Fixtures.repositoryRoot.appendingPathComponent("models-default/affordd-default.head.safetensors").path
        let logPath = Self.folder.appendingPathComponent(log).path
        let config = """
        cameras:
          - name: rgbd
            replay_log: \(logPath)
            image_width: 320
            image_height: 240
            framerate: 10
            camera_info_url: \(Self.folder.appendingPathComponent("camera_info.yaml").path)
            extrinsics: \(Self.folder.appendingPathComponent("camera_to_base.yaml").path)
            depth:
              topic: \(Self.depthTopic)
        model:
          backbone: \(models)/dinov2_vits14.int8.safetensors
          head: \(head)
        actions: [hold, cut]
        postprocessing:
          min_presence: 0
          table_plane: {normal: [0, 0, 1], offset: 0}
        endpoints:
          publish: [tcp://127.0.0.1:*]
        """
        let configPath = directory.appendingPathComponent("affordd.yaml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let recording = directory.appendingPathComponent("out.mcap").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["replay", logPath, "--fast", "--config", configPath, "--record", recording]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lastLine = try #require(String(decoding: output, as: UTF8.self).split(separator: "\n").last)
        let summary = try JSONDecoder().decode(Summary.self, from: Data(lastLine.utf8))
        #expect(summary.frames_published == frames)
        #expect(summary.frames_with_depth == frames - dropped.count && summary.frames_missing_depth == dropped.count,
                "\(lastLine)")

        let recorded = try JSONDecoder().decode(Recorded.self, from: PythonOracle.run(Self.recordedCentroids, input: Data(recording.utf8)))
        #expect(recorded.centroids.count == frames)
        #expect(recorded.depth.count == frames - dropped.count && recorded.depth.allSatisfy { $0 == "16UC1" })
        for message in recorded.centroids {
            #expect(message.components > 0, "frame \(message.seq) has no components")
            if dropped.contains(message.seq) {
                #expect(message.with_point == 0 && message.with_fraction == 0, "frame \(message.seq) has no depth: \(message)")
            } else {
                #expect(message.with_point == message.components && message.depth_grasps == message.components,
                        "frame \(message.seq): \(message)")
            }
        }
    }
}
