import AffordCore
import AffordEngine
import AffordImaging
import AffordPostprocess
import AffordTestSupport
import AffordTransport
import Foundation
import Testing

@testable import AffordDaemon

/// A token grounder whose "backbone" is each 14-pixel patch's mean colour (plus a constant),
/// so a coloured square is a part the prototype can find again.
final class ColourTokenGrounder: TokenGrounder, @unchecked Sendable {
    let vocabulary = ["hold", "cut"]
    let modelID = "colour"
    let inputSize = 112
    let backboneHash = "colour-backbone"

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
        return (maps, PatchTokens(side: side, dim: 4, values: values))
    }
}

@Suite struct DemonstrateControlTests {
    /// 160x160 grey with a red square at `cell` (20-px cells) and a skin-coloured arm along row 2.
    static func scene(red cell: (Int, Int), arm: Bool) -> RGBImage {
        var pixels = [UInt8](repeating: 128, count: 160 * 160 * 3)
        for y in 0..<160 {
            for x in 0..<160 {
                let i = (y * 160 + x) * 3
                if x / 20 == cell.0, y / 20 == cell.1 { pixels[i] = 220; pixels[i + 1] = 30; pixels[i + 2] = 30 }
                else if arm, y / 20 == 2, (2...3).contains(x / 20) { pixels[i] = 225; pixels[i + 1] = 170; pixels[i + 2] = 135 }
            }
        }
        return RGBImage(width: 160, height: 160, pixels: pixels)
    }

    @Test func demonstrateOverControlThenPublishAndClear() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let grounder = try DemonstratingGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path)
        let runtime = try PipelineRuntime(cameras: [], grounder: grounder,
                                          settings: ReloadableSettings(actions: ["cut"], postprocess: PostprocessSettings()),
                                          sinks: [])
        let control = DaemonControl(runtime: runtime, status: { [] }, reload: { .null })
        let jpeg = try JPEGEncoder().encode(Self.scene(red: (4, 2), arm: true), quality: 95)
        let keypoints = try DemonstrationPrototypeTests.pose().keypoints.map { [$0.x, $0.y, $0.score] }
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
        let restarted = try DemonstratingGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path)
        #expect(restarted.vocabulary.contains("grasp"))
        let cleared = try await control.handle(ControlRequest(command: .clearDemonstrations([])), origin: .request)
        #expect(cleared == .object(["removed": .array([.string("grasp")]), "demonstrated": .array([])]))
        #expect(try DemonstratingGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path).vocabulary == ["hold", "cut"])

        // Bad input: a corrupt JPEG and an unknown contact kind are clear errors.
        let corrupt = ControlRequest(command: request.command, attachments: [Array(jpeg.prefix(100))])
        await #expect(throws: AffordError.self) { try await control.handle(corrupt, origin: .request) }
        let badKind = ControlRequest(command: .demonstrate(DemonstrationRequest(action: "grasp", keypoints: keypoints, contact: "elbow",
                                                                                 frame: .attachedJPEG)), attachments: [jpeg])
        await #expect(throws: AffordError.self) { try await control.handle(badKind, origin: .request) }
    }
}
