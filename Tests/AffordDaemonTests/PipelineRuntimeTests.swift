import AffordCore
import AffordPostprocess
import AffordTestSupport
import Foundation
import Testing
@testable import AffordDaemon

@Suite struct PipelineRuntimeTests {
    static func rgbCamera(_ source: ScriptedSource) -> CameraInput {
        CameraInput(name: source.cameraName, source: source, makeDecoder: {
            { frame in RGBImage(width: frame.width, height: frame.height, pixels: frame.pixels) }
        })
    }

    static func run(_ runtime: PipelineRuntime) async {
        runtime.startOutput()
        runtime.startInference()
        runtime.startCapture()
        await runtime.waitForCaptureEnd()
        await runtime.finishInference()
        await runtime.finishOutput()
    }

    /// Polls `condition` for up to 10 s (the machine may be busy); fails the test on time-out.
    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<1000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition(), "condition not reached within 10 s")
    }

    static let settings = ReloadableSettings(actions: ["hold", "cut", "pour"],
                                             postprocess: PostprocessSettings(relativeThreshold: 0.5))

    @Test func everyFrameGetsOneGrounderCallForAllActions() async throws {
        // Lock-step: each frame is offered only after the previous one was published, so none may drop.
        let published = DispatchSemaphore(value: 0)
        let source = ScriptedSource(camera: "front", count: 20, beforeNext: { published.wait() })
        let grounder = FakeGrounder()
        let sink = CapturingSink(onConsume: { published.signal() })
        let runtime = try PipelineRuntime(cameras: [Self.rgbCamera(source)], grounder: grounder,
                                          settings: Self.settings, sinks: [sink])
        await Self.run(runtime)
        #expect(grounder.recordedCalls.count == 20)
        #expect(grounder.recordedCalls.allSatisfy { $0 == ["hold", "cut", "pour"] })
        #expect(sink.results.map(\.sequence) == Array(1...20))
        let result = try #require(sink.results.last)
        #expect(result.actions.map(\.action) == ["hold", "cut", "pour"])
        // The "cut" blob sits at grid cell (5, 5) of 16x16: pixel centre (5.5 * 4, 5.5 * 3) in 64x48.
        let cut = try #require(result.actions[1].components.first)
        #expect(abs(cut.u - (5.5 * 4 - 0.5)) < 0.6 && abs(cut.v - (5.5 * 3 - 0.5)) < 0.6)
        #expect(result.actions[1].heatmap.width == 64 && result.actions[1].heatmap.height == 48)
        let status = runtime.status()
        #expect(status.cameras["front"]?.capture.framesIn == 20)
        #expect(status.cameras["front"]?.endToEnd.framesOut == 20)
        #expect(status.inference.framesOut == 20)
    }

    /// A stream keeps an action's centroids while its presence stays above the release level.
    @Test func presenceBetweenReleaseAndMinimumKeepsTheCentroidsOfTheFrameBefore() async throws {
        let published = DispatchSemaphore(value: 0)
        let source = ScriptedSource(camera: "front", count: 6, beforeNext: { published.wait() })
        let grounder = FakeGrounder(presences: [0.20, 0.12, 0.08, 0.12, 0.16, 0.05])
        let sink = CapturingSink(onConsume: { published.signal() })
        let settings = ReloadableSettings(actions: ["cut"], postprocess: PostprocessSettings(minPresence: 0.15, releasePresence: 0.10))
        let runtime = try PipelineRuntime(cameras: [Self.rgbCamera(source)], grounder: grounder, settings: settings, sinks: [sink])
        await Self.run(runtime)
        #expect(sink.results.map { !$0.actions[0].components.isEmpty } == [true, true, false, false, true, false])
    }

    @Test func slowGrounderDropsStaleFramesAndKeepsMemoryBounded() async throws {
        let source = ScriptedSource(camera: "front", count: 300, interval: 0.001)
        let grounder = FakeGrounder(delay: 0.03)
        let sink = CapturingSink()
        let runtime = try PipelineRuntime(cameras: [Self.rgbCamera(source)], grounder: grounder,
                                          settings: Self.settings, sinks: [sink])
        runtime.startOutput()
        runtime.startInference()
        runtime.startCapture()
        var worstBacklog = 0
        while source.framesProduced < 300 {
            worstBacklog = max(worstBacklog, runtime.backlog)
            try await Task.sleep(for: .milliseconds(2))
        }
        await runtime.waitForCaptureEnd()
        await runtime.finishInference()
        await runtime.finishOutput()
        let status = runtime.status()
        let drops = try #require(status.cameras["front"]?.capture.drops)
        #expect(drops > 100, "a 30 ms model under a 1 ms source must drop most frames")
        #expect(grounder.recordedCalls.count + drops == 300)
        #expect(worstBacklog <= 2, "one pending frame per stage per camera at most")
        // Latest wins: the newest frame is always the one processed at the end.
        #expect(sink.results.last?.sequence == 300)
        let sequences = sink.results.map(\.sequence)
        #expect(sequences == sequences.sorted())
    }

    /// Offline replay: the same fast source and slow model, but every frame is grounded and published, in order.
    @Test func aLosslessCameraWaitsForThePipelineAndDropsNothing() async throws {
        let source = ScriptedSource(camera: "front", count: 60, interval: 0.001)
        let grounder = FakeGrounder(delay: 0.01)
        let sink = CapturingSink()
        let camera = CameraInput(name: "front", lossless: true, source: source, makeDecoder: {
            { frame in RGBImage(width: frame.width, height: frame.height, pixels: frame.pixels) }
        })
        let runtime = try PipelineRuntime(cameras: [camera], grounder: grounder, settings: Self.settings, sinks: [sink])
        await Self.run(runtime)
        let status = runtime.status()
        #expect(status.cameras["front"]?.capture.drops == 0 && status.inference.drops == 0)
        #expect(grounder.recordedCalls.count == 60)
        #expect(sink.results.map(\.sequence) == Array(1...60))
    }

    @Test func pauseStopsInferenceAndResumeRestartsIt() async throws {
        let source = ScriptedSource(camera: "front", count: 100_000, interval: 0.002, holdOpen: true)
        let grounder = FakeGrounder()
        let runtime = try PipelineRuntime(cameras: [Self.rgbCamera(source)], grounder: grounder,
                                          settings: Self.settings, sinks: [])
        runtime.startOutput()
        runtime.startInference()
        runtime.startCapture()
        try await Self.waitUntil { grounder.recordedCalls.count > 3 }
        runtime.pause()
        try await Task.sleep(for: .milliseconds(300))  // let frames already past the gate finish
        let callsAtPause = grounder.recordedCalls.count
        let framesAtPause = source.framesProduced
        try await Task.sleep(for: .milliseconds(200))
        #expect(grounder.recordedCalls.count == callsAtPause)
        #expect(source.framesProduced > framesAtPause, "capture keeps the camera streaming while paused")
        #expect(runtime.status().paused)
        runtime.resume()
        try await Self.waitUntil { grounder.recordedCalls.count > callsAtPause }
        await runtime.stopCapture()
        await runtime.finishInference()
        await runtime.finishOutput()
    }

    @Test func setActionsIsValidatedAgainstTheVocabulary() async throws {
        let source = ScriptedSource(camera: "front", count: 1)
        let runtime = try PipelineRuntime(cameras: [Self.rgbCamera(source)], grounder: FakeGrounder(),
                                          settings: Self.settings, sinks: [])
        #expect(throws: AffordError.self) { try runtime.setActions(["hold", "fly"]) }
        #expect(runtime.currentSettings.actions == ["hold", "cut", "pour"])
        try runtime.setActions(["open"])
        #expect(runtime.currentSettings.actions == ["open"])
        #expect(throws: AffordError.self) {
            _ = try PipelineRuntime(cameras: [Self.rgbCamera(source)], grounder: FakeGrounder(),
                                    settings: ReloadableSettings(actions: ["fly"], postprocess: PostprocessSettings()), sinks: [])
        }
    }

    @Test func failingCameraIsCountedNotFatal() async throws {
        let runtime = try PipelineRuntime(
            cameras: [CameraInput(name: "gone", source: FailingSource(camera: "gone"), makeDecoder: { { _ in throw AffordError(.decode, "unused") } })],
            grounder: FakeGrounder(), settings: Self.settings, sinks: [])
        await Self.run(runtime)
        let status = runtime.status()
        #expect(status.cameras["gone"]?.capture.errors == 1)
        #expect(status.cameras["gone"]?.capture.lastError?.contains("ENODEV") == true)
        #expect(!status.healthy)
    }

    @Test func corruptFramesAreDecodeErrors() async throws {
        let source = ScriptedSource(camera: "front", count: 5, interval: 0.02)
        let camera = CameraInput(name: "front", source: source, makeDecoder: {
            { frame in
                if frame.sequence % 2 == 0 { throw AffordError(.decode, "corrupt JPEG") }
                return RGBImage(width: frame.width, height: frame.height, pixels: frame.pixels)
            }
        })
        let sink = CapturingSink()
        let runtime = try PipelineRuntime(cameras: [camera], grounder: FakeGrounder(), settings: Self.settings, sinks: [sink])
        await Self.run(runtime)
        #expect(runtime.status().cameras["front"]?.decode.errors == 2)
        #expect(sink.results.map(\.sequence) == [1, 3, 5])
    }
}
