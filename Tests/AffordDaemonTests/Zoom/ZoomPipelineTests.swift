import AffordCore
import AffordPostprocess
import AffordTestSupport
import Foundation
import Testing
@testable import AffordDaemon

/// Zoom through the pipeline: regions on results, and zoom off exactly as before.
@Suite struct ZoomPipelineTests {
    static func results(zoom: ZoomSettings?) async throws -> [FrameResult] {
        let published = DispatchSemaphore(value: 0)
        let source = ScriptedSource(camera: "front", count: 5, width: 160, height: 120, beforeNext: { published.wait() })
        let sink = CapturingSink(onConsume: { published.signal() })
        var settings = ReloadableSettings(actions: ["hold", "cut"], postprocess: PostprocessSettings(relativeThreshold: 0.5))
        if let zoom { settings.zoom = zoom }
        let runtime = try PipelineRuntime(cameras: [PipelineRuntimeTests.rgbCamera(source)], grounder: FakeGrounder(),
                                          settings: settings, sinks: [sink])
        await PipelineRuntimeTests.run(runtime)
        return sink.results
    }

    @Test func zoomOffPublishesWhatThePipelinePublishedBefore() async throws {
        let before = try await Self.results(zoom: nil)
        let off = try await Self.results(zoom: ZoomSettings(enabled: false, maxRegions: 2, redetectEvery: 3))
        #expect(before.count == 5 && off.count == 5)
        for (a, b) in zip(before, off) {
            #expect(a.actions.map(\.heatmap) == b.actions.map(\.heatmap))
            #expect(a.actions.map(\.components) == b.actions.map(\.components))
            #expect(b.regions.isEmpty && b.actions.allSatisfy { $0.components.allSatisfy { $0.region == nil } })
        }
    }

    @Test(arguments: [0, 2])
    func zoomOnTagsCentroidsWithTheirRegions(redetectEvery: Int) async throws {
        let zoom = ZoomSettings(enabled: true, maxRegions: 2, margin: 3, minRegionPixels: 20, redetectEvery: redetectEvery)
        let results = try await Self.results(zoom: zoom)
        #expect(results.count == 5)
        for result in results {
            #expect(!result.regions.isEmpty && result.regions.count <= 2)
            #expect(result.actions.allSatisfy { $0.heatmap.width == 160 && $0.heatmap.height == 120 })
            let components = result.actions.flatMap(\.components)
            #expect(!components.isEmpty && components.allSatisfy { $0.region.map(result.regions.contains) ?? true })
            #expect(components.contains { $0.region != nil })
        }
    }
}
