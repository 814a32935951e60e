import AffordCore
import AffordImaging
import AffordTestSupport
import Foundation
import Testing
@testable import AffordDaemon

@Suite struct SnapshotRunnerTests {
    @Test func snapshotFindsTheBlobAndWritesOverlayAndHeatmap() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-snap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imagePath = directory.appendingPathComponent("in.png").path
        let image = RGBImage(width: 640, height: 480, pixels: [UInt8](repeating: 90, count: 640 * 480 * 3))
        try ImageFiles.write(try PNGCodec.encode(image), to: imagePath)
        let config = try ConfigLoader.load(path: ConfigLoaderTests.examplePath)

        let result = try SnapshotRunner.run(imagePath: imagePath, actions: ["cut"], grounder: FakeGrounder(), config: config)
        let cut = try #require(result.actions.first?.components.first)
        // Grid cell (5, 5) of 16x16 -> pixel centre (5.5 * 40 - 0.5, 5.5 * 30 - 0.5).
        #expect(abs(cut.u - 219.5) < 1 && abs(cut.v - 164.5) < 1)
        // The example's calibration matches 640x480, so rays and a table point come with it.
        let ray = try #require(cut.rayCamera)
        #expect(ray.z > 0 && abs((ray * ray).sum() - 1) < 1e-9)
        #expect(cut.rayBase != nil && cut.tablePoint.map { abs($0.z) < 1e-9 } == true)

        let json = try SnapshotRunner.json(result, image: imagePath)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["actions"] as? [String: Any])?["cut"] != nil)

        let overlayPath = directory.appendingPathComponent("overlay.png").path
        let heatmapPath = directory.appendingPathComponent("heatmap.png").path
        try SnapshotRunner.writeOverlay(result, to: overlayPath)
        try SnapshotRunner.writeHeatmap(result, to: heatmapPath)
        let overlay = try ImageFiles.loadRGB(overlayPath).image
        #expect(overlay.width == 640 && overlay.pixels != image.pixels)
        let heatmap = try ImageFiles.loadGray(heatmapPath)
        #expect(heatmap.width == 640 && heatmap.height == 480)
        #expect(heatmap[220, 165] == 255 && heatmap[600, 400] == 0)
    }

    /// A truncated JPEG still decodes (grey below the cut), and the result says so.
    @Test func truncatedJPEGComesWithAWarning() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-snap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var pixels = [UInt8](repeating: 0, count: 320 * 240 * 3)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        let jpeg = try JPEGEncoder().encode(RGBImage(width: 320, height: 240, pixels: pixels))
        let whole = directory.appendingPathComponent("whole.jpg").path
        let cut = directory.appendingPathComponent("cut.jpg").path
        try ImageFiles.write(jpeg, to: whole)
        try ImageFiles.write(Array(jpeg.prefix(jpeg.count / 2)), to: cut)

        let intact = try SnapshotRunner.run(imagePath: whole, actions: ["cut"], grounder: FakeGrounder(), config: nil)
        #expect(intact.warnings.isEmpty)
        let damaged = try SnapshotRunner.run(imagePath: cut, actions: ["cut"], grounder: FakeGrounder(), config: nil)
        #expect(damaged.warnings.count == 1 && damaged.warnings[0].contains("damaged JPEG"))
        let parsed = try JSONSerialization.jsonObject(with: Data(try SnapshotRunner.json(damaged, image: cut).utf8)) as? [String: Any]
        #expect((parsed?["warnings"] as? [String])?.count == 1)
    }

    @Test func unknownActionIsRejected() throws {
        #expect(throws: AffordError.self) {
            _ = try SnapshotRunner.run(imagePath: "/nonexistent.png", actions: ["fly"], grounder: FakeGrounder(), config: nil)
        }
    }
}
