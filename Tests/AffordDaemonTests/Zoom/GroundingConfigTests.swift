import AffordCore
import AffordPostprocess
import Foundation
import Testing
@testable import AffordDaemon

/// The `grounding.zoom` section: defaults, every key, and ranges named by key path.
@Suite struct GroundingConfigTests {
    static func parse(_ grounding: String) throws -> DaemonConfig {
        let text = ConfigLoaderTests.example.replacingOccurrences(
            of: "status_period: 1.0", with: "status_period: 1.0\n" + grounding)
        let withoutExample = text.replacingOccurrences(
            of: #"(?ms)^grounding:\n  zoom:.*?\n\n"#, with: "", options: .regularExpression)
        return try ConfigLoader.parse(withoutExample, baseDirectory: ConfigLoaderTests.configDirectory)
    }

    @Test func withoutTheSectionZoomIsOnWithItsDefaults() throws {
        #expect(try Self.parse("").grounding.zoom == ZoomSettings.shipped)
        #expect(ZoomSettings.shipped.enabled && ZoomSettings.shipped.maxRegions == 3)
        #expect(try Self.parse("grounding:\n  zoom: {enabled: false}\n").grounding.zoom.enabled == false)
    }

    @Test func everyKeyIsRead() throws {
        let config = try Self.parse("""
            grounding:
              zoom: {enabled: true, max_regions: 4, margin: 2.5, min_region_px: 96, redetect_every: 5, outside_weight: 0.2,
                     region_input: 154, foreground_floor: 0.5, smoothing_px: 1.5, mirror: true, propose_from: actions}
            """)
        #expect(config.grounding.zoom == ZoomSettings(enabled: true, maxRegions: 4, margin: 2.5, minRegionPixels: 96,
                                                      redetectEvery: 5, outsideWeight: 0.2, regionInputSize: 154,
                                                      foregroundFloor: 0.5, smoothingPixels: 1.5, mirror: true,
                                                      proposeFrom: .actions))
        #expect(!ZoomSettings.shipped.mirror && ZoomSettings.shipped.proposeFrom == .vocabulary)
        #expect(try Self.parse("").grounding.zoom.regionInputSize == nil)
    }

    @Test(arguments: [
        ("max_regions: 0", "grounding.zoom.max_regions: expected an integer from 1 to 8, got 0"),
        ("max_regions: 9", "grounding.zoom.max_regions: expected an integer from 1 to 8, got 9"),
        ("margin: 0.5", "grounding.zoom.margin: expected a number from 1.0 to 10.0, got 0.5"),
        ("min_region_px: 5", "grounding.zoom.min_region_px: expected an integer from 14 to 4096, got 5"),
        ("redetect_every: -1", "grounding.zoom.redetect_every: expected an integer from 0 to 1000, got -1"),
        ("outside_weight: 2", "grounding.zoom.outside_weight: expected a number from 0.0 to 1.0, got 2.0"),
        ("region_input: 150", "grounding.zoom.region_input: expected a multiple of the 14-pixel patch size, got 150"),
        ("region_input: 14", "grounding.zoom.region_input: expected an integer from 28 to 1792, got 14"),
        ("foreground_floor: -0.1", "grounding.zoom.foreground_floor: expected a number from 0.0 to 1.0, got -0.1"),
        ("smoothing_px: 40", "grounding.zoom.smoothing_px: expected a number from 0.0 to 32.0, got 40.0"),
        ("smoothing_px: .nan", "grounding.zoom.smoothing_px"),
        ("enabled: maybe", "grounding.zoom.enabled"),
        ("mirror: 2", "grounding.zoom.mirror"),
        ("propose_from: everything", "grounding.zoom.propose_from: expected one of vocabulary, actions, got \"everything\""),
        ("zoom_factor: 2", "grounding.zoom.zoom_factor: unknown key"),
    ])
    func badValuesNameTheirKeyPath(edit: String, message: String) {
        do {
            _ = try Self.parse("grounding:\n  zoom:\n    \(edit)\n")
            Issue.record("accepted \(edit)")
        } catch let error as AffordError {
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
