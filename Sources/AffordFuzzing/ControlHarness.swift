import AffordCore
import AffordDaemon
import AffordPostprocess
import AffordTestSupport
import AffordTransport
import Foundation

/// A control message as the ROUTER hands it over: the JSON body, then attachment frames,
/// split on `ControlHarness.separator`. It is parsed, handled by the daemon's `DaemonControl`
/// over a pipeline of fakes (one camera that has already produced patterned frames, a token
/// grounder that can learn demonstrations, one recording in `recordings`), and the reply is
/// encoded, as `ControlLoop` does.
///
/// Every input starts from the same state: demonstrations, taught actions, pause and actions are reset after it.
final class ControlHarness: Sendable {
    /// Separates the body and the attachment frames in a fuzz input.
    static let separator = Array("\u{0}FRM\u{0}".utf8)
    static let camera = "front"
    /// `{"log": …}` seeds name `log.mcap` here (a fixed path, so seeds work on any checkout).
    static let recordings = "/tmp/affordd-fuzz/recordings"
    static let settings = ReloadableSettings(actions: ["hold", "cut"], postprocess: PostprocessSettings())

    static let shared = ControlHarness()

    /// Held for a whole input, so parallel fuzz threads see the same starting state.
    private let serial = Shared(())
    private let runtime: PipelineRuntime
    private let grounder: LearningGrounder
    private let handler: any ControlHandler

    private init() {
        do {
            grounder = LearningGrounder(base: FuzzTokenGrounder(),
                                        book: try DemonstrationBook(path: nil, backboneHash: "affordd-fuzz"),
                                        teachings: try TeachingBook(path: nil, backboneHash: "affordd-fuzz"))
            let source = PatternSource(camera: Self.camera, count: 3, width: 64, height: 48)
            let camera = CameraInput(name: Self.camera, source: source, makeDecoder: {
                { frame in RGBImage(width: frame.width, height: frame.height, pixels: frame.pixels) }
            })
            runtime = try PipelineRuntime(cameras: [camera], grounder: grounder, settings: Self.settings, sinks: [CapturingSink()])
        } catch {
            // Not reachable with these fixed fakes; a harness that cannot start must say so loudly.
            fatalError("control harness setup failed: \(error)")
        }
        // The mcap seed with one 64x48 JPEG frame; a copy made by a parallel run is just as good.
        try? FileManager.default.createDirectory(atPath: Self.recordings, withIntermediateDirectories: true)
        let log = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fuzz/corpus/mcap/foxglove_none.mcap")
        try? FileManager.default.copyItem(atPath: log.path, toPath: Self.recordings + "/log.mcap")
        handler = runtime.controlHandler(recordingRoots: [Self.recordings], reload: { .object(["reloaded": .bool(true)]) })
        // Three frames through the whole pipeline, so `snapshot`, `status` and `"frame": "latest"` have data.
        let runtime = self.runtime
        awaitBlocking {
            runtime.startOutput()
            runtime.startInference()
            runtime.startCapture()
            await runtime.waitForCaptureEnd()
            await runtime.finishInference()
            await runtime.finishOutput()
        }
    }

    /// Handles one input and returns the reply bytes, then resets the state it may have changed.
    @discardableResult
    func run(_ input: [UInt8]) -> [UInt8] {
        serial.withLock { _ in
            let frames = Self.split(input)
            let bytes = reply(body: frames[0], attachments: Array(frames.dropFirst()))
            _ = try? grounder.book.clear()
            _ = try? grounder.teachings.forget()
            runtime.resume()
            try? runtime.apply(Self.settings)
            return bytes
        }
    }

    /// The reply bytes `ControlLoop` would send.
    private func reply(body: [UInt8], attachments: [[UInt8]]) -> [UInt8] {
        let request: ControlRequest
        switch ControlParser.parse(body, attachments: attachments) {
        case .failure(let error): return ControlReply.failure(error)
        case .success(let parsed): request = parsed
        }
        let handler = self.handler
        let outcome = awaitBlocking { () -> Result<JSONValue, any Error> in
            do { return .success(try await handler.handle(request, origin: .request)) } catch { return .failure(error) }
        }
        switch outcome {
        case .success(let value)?: return ControlReply.success(op: request.command.op, id: request.id, result: value)
        case .failure(let error)?: return ControlReply.failure(op: request.command.op, id: request.id, error: error)
        case nil: return []
        }
    }

    static func split(_ input: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0, index = 0
        while index + separator.count <= input.count {
            if input[index..<(index + separator.count)].elementsEqual(separator) {
                frames.append(Array(input[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        frames.append(Array(input[start...]))
        return frames
    }
}
