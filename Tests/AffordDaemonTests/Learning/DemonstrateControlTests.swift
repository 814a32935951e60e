import AffordCore
import AffordEngine
import AffordImaging
import AffordPostprocess
import AffordTestSupport
@testable import AffordTransport
import Foundation
import Testing

@testable import AffordDaemon

/// A token grounder whose "backbone" is each 14-pixel patch's mean colour (plus a constant),
/// so a coloured square is a part the prototype can find again.
final class ColourTokenGrounder: TokenGrounder, @unchecked Sendable {
    let vocabulary: [String]
    let modelID = "colour"
    let inputSize = 112
    let backboneHash = "colour-backbone"
    let tokenWidth = 4

    init(vocabulary: [String] = ["hold", "cut"]) { self.vocabulary = vocabulary }

    func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        try groundKeepingTokens(image, actions: actions).maps
    }

    func groundKeepingTokens(_ image: RGBImage, actions: [String]) throws -> (maps: [ActionMap], tokens: PatchTokens) {
        let side = 8
        var values = [Float]()
        for gy in 0..<side {
            for gx in 0..<side {
                var sum = SIMD3<Float>(0, 0, 0)
                var count: Float = 0
                for y in (gy * image.height / side)..<((gy + 1) * image.height / side) {
                    for x in (gx * image.width / side)..<((gx + 1) * image.width / side) {
                        let i = (y * image.width + x) * 3
                        sum += SIMD3(Float(image.pixels[i]), Float(image.pixels[i + 1]), Float(image.pixels[i + 2]))
                        count += 1
                    }
                }
                let mean = sum / max(count, 1) / 255
                values += [mean.x, mean.y, mean.z, 0.5]
            }
        }
        let maps = (actions.isEmpty ? vocabulary : actions).map { ActionMap(action: $0, map: Heatmap(width: side, height: side)) }
        return (maps, PatchTokens(side: side, dim: tokenWidth, values: values))
    }
}

@Suite struct DemonstrateControlTests {
    /// 160x160 grey (times `scale`) with a red square at `cell` (20-px cells at scale 1) and a
    /// skin-coloured arm along row 2.
    static func scene(red cell: (Int, Int), arm: Bool, scale: Int = 1) -> RGBImage {
        let side = 160 * scale, cellSide = 20 * scale
        var pixels = [UInt8](repeating: 128, count: side * side * 3)
        for y in 0..<side {
            for x in 0..<side {
                let i = (y * side + x) * 3
                if x / cellSide == cell.0, y / cellSide == cell.1 { pixels[i] = 220; pixels[i + 1] = 30; pixels[i + 2] = 30 }
                else if arm, y / cellSide == 2, (2...3).contains(x / cellSide) {
                    pixels[i] = 225; pixels[i + 1] = 170; pixels[i + 2] = 135
                }
            }
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }

    static func keypoints(scale: Double = 1) throws -> [[Double]] {
        try DemonstrationPrototypeTests.pose().keypoints.map { [$0.x * scale, $0.y * scale, $0.score] }
    }

    static func control(runtimeWith cameras: [CameraInput] = [], folder: URL) throws
        -> (DaemonControl, PipelineRuntime, any AffordanceGrounder) {
        let grounder = try LearningGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path)
        let runtime = try PipelineRuntime(cameras: cameras, grounder: grounder,
                                          settings: ReloadableSettings(actions: ["cut"], postprocess: PostprocessSettings()),
                                          sinks: [])
        return (DaemonControl(runtime: runtime, status: { [] }, reload: { .null }), runtime, grounder)
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)")
    }

    @Test func demonstrateOverControlThenPublishAndClear() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, runtime, grounder) = try Self.control(folder: folder)
        let jpeg = try JPEGEncoder().encode(Self.scene(red: (4, 2), arm: true), quality: 95)
        let keypoints = try Self.keypoints()
        let request = ControlRequest(command: .demonstrate(DemonstrationRequest(action: "grasp", keypoints: keypoints, frame: .attachedJPEG)),
                                     attachments: [jpeg])
        let reply = try await control.handle(request, origin: .request)
        #expect(reply == .object(["action": .string("grasp"), "contact": .string("hands"), "width": .int(160),
                                  "height": .int(160), "demonstrated": .array([.string("grasp")])]))
        #expect(grounder.vocabulary == ["hold", "cut", "grasp"])

        // Live frame: the red part elsewhere, no person; "grasp" rides along with the configured "cut".
        let maps = try grounder.ground(Self.scene(red: (1, 6), arm: false), actions: runtime.currentSettings.actions)
        #expect(maps.map(\.action) == ["cut", "grasp"])
        let grasp = maps[1].map
        #expect(grasp.values.indices.max { grasp.values[$0] < grasp.values[$1] } == 6 * 8 + 1)

        // A fresh daemon reloads it from the state directory; clearing forgets it there too.
        let restarted = try LearningGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path)
        #expect(restarted.vocabulary.contains("grasp"))
        let cleared = try await control.handle(ControlRequest(command: .clearDemonstrations([])), origin: .request)
        #expect(cleared == .object(["removed": .array([.string("grasp")]), "demonstrated": .array([])]))
        #expect(try LearningGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path).vocabulary == ["hold", "cut"])

        // Bad input: a corrupt JPEG and an unknown contact kind are clear errors.
        let corrupt = ControlRequest(command: request.command, attachments: [Array(jpeg.prefix(100))])
        await #expect(throws: AffordError.self) { try await control.handle(corrupt, origin: .request) }
        let badKind = ControlRequest(command: .demonstrate(DemonstrationRequest(action: "grasp", keypoints: keypoints, contact: "elbow",
                                                                                 frame: .attachedJPEG)), attachments: [jpeg])
        await #expect(throws: AffordError.self) { try await control.handle(badKind, origin: .request) }
    }

    /// An attached JPEG over 12 MP is refused from its header, before its pixels are allocated.
    @Test func anAttachedJPEGOverTwelveMegapixelsIsRefused() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, _, _) = try Self.control(folder: folder)
        // A real 160x160 JPEG whose SOF0 claims 4000x3001: 12.004 M, under the decoder's own limit.
        var jpeg = try JPEGEncoder().encode(Self.scene(red: (4, 2), arm: true), quality: 90)
        let sof = try #require(jpeg.indices.dropLast().first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0x0B, 0xB9, 0x0F, 0xA0])
        let request = ControlRequest(command: .demonstrate(DemonstrationRequest(action: "grasp", keypoints: try Self.keypoints(),
                                                                                 frame: .attachedJPEG)), attachments: [jpeg])
        let error = await #expect(throws: AffordError.self) { try await control.handle(request, origin: .request) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == "demonstrate: the attached JPEG: JPEG is 4000x3001, over the 12000000-pixel limit (at any scale)",
                "\(String(describing: error))")
    }

    /// `"frame": "latest"` demonstrates on the camera's newest frame at full resolution, not on
    /// the pipeline's DCT-scaled decode: the keypoints are in frame pixels.
    @Test func latestUsesTheCamerasFullResolutionFrame() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = StillMJPEGSource(jpeg: try JPEGEncoder().encode(Self.scene(red: (4, 2), arm: true, scale: 4), quality: 95),
                                      width: 640, height: 640)
        // The pipeline's own decode, as for a camera: 1/4 scale (160x160) covers the 112-pixel model.
        let camera = CameraInput(name: source.cameraName, source: source, makeDecoder: {
            let decoder = try FrameDecoder(minimumWidth: 112, minimumHeight: 112)
            return { try decoder.decode($0) }
        }, interrupt: { source.close() })
        let (control, runtime, _) = try Self.control(runtimeWith: [camera], folder: folder)
        runtime.startCapture()
        let deadline = Date().addingTimeInterval(20)
        while runtime.latestFrame(camera: "front") == nil, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let request = ControlRequest(command: .demonstrate(DemonstrationRequest(
            action: "grasp", keypoints: try Self.keypoints(scale: 4), frame: .latest, camera: "front")))
        let reply: JSONValue
        do { reply = try await control.handle(request, origin: .request) } catch {
            await runtime.stopCapture()
            throw error
        }
        await runtime.stopCapture()
        #expect(reply == .object(["action": .string("grasp"), "contact": .string("hands"), "width": .int(640),
                                            "height": .int(640), "demonstrated": .array([.string("grasp")])]))
    }
}

/// One MJPEG frame, then nothing until closed: a camera whose newest frame stays put.
final class StillMJPEGSource: FrameSource, @unchecked Sendable {
    let cameraName = "front"
    private let frame: Frame
    private let condition = NSCondition()
    private var sent = false
    private var closed = false

    init(jpeg: [UInt8], width: Int, height: Int) {
        frame = Frame(pixels: jpeg, width: width, height: height, format: .mjpeg,
                      captureMonotonicNs: MonotonicClock.nowNs(), sequence: 1, camera: cameraName)
    }

    func nextFrame() throws -> Frame? {
        condition.lock()
        defer { condition.unlock() }
        while sent && !closed { condition.wait() }
        guard !closed else { return nil }
        sent = true
        return frame
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
