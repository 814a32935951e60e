import AffordCore
import AffordEngine
import AffordImaging
import AffordTestSupport
@testable import AffordTransport
import Foundation
import Testing

@testable import AffordDaemon

@Suite struct PartMaskTests {
    /// A rectangle on cell boundaries covers exactly those cells; one half a cell over covers half of it.
    @Test func aPolygonCoversThePatchesInsideIt() {
        let frame = RegionBox(x: 0, y: 0, width: 160, height: 80)  // 8x8 grid: cells 20x10
        let mask = PartMask(.polygons([[[40, 20], [80, 20], [80, 40], [40, 40]]]), view: frame, side: 8)
        let covered = mask.target.indices.filter { mask.target[$0] > 0 }
        #expect(covered == [2 * 8 + 2, 2 * 8 + 3, 3 * 8 + 2, 3 * 8 + 3])
        #expect(covered.allSatisfy { mask.target[$0] == 1 } && mask.weight.allSatisfy { $0 == 1 })
        let half = PartMask(.polygons([[[0, 0], [10, 0], [10, 10], [0, 10]]]), view: frame, side: 8)
        #expect(half.target[0] == 0.5)
    }

    /// A zoom region sees the same polygon in its own grid: the box's origin is subtracted.
    /// Teaching adds each view mirrored: the mask of the mirrored image is the mirrored marking's.
    @Test func aMirroredViewHasTheMirroredMarkingsMask() {
        let frame = RegionBox(x: 0, y: 0, width: 160, height: 80)
        let marking = PartMarking.polygons([[[10, 5], [70, 5], [70, 50], [10, 50]]])
        let mirroredMarking = PartMarking.polygons([[[150, 5], [90, 5], [90, 50], [150, 50]]])
        #expect(PartMask(marking, view: frame, side: 8).mirroredLeftRight() == PartMask(mirroredMarking, view: frame, side: 8))
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18).map(UInt8.init))
        #expect(image.mirroredLeftRight().pixels == [6, 7, 8, 3, 4, 5, 0, 1, 2, 15, 16, 17, 12, 13, 14, 9, 10, 11])
        #expect(image.mirroredLeftRight().mirroredLeftRight() == image)
    }

    @Test func aRegionViewShiftsAndScalesTheMarking() {
        let box = RegionBox(x: 40, y: 20, width: 80, height: 80)  // 8x8 grid: cells 10x10
        let mask = PartMask(.polygons([[[40, 20], [60, 20], [60, 40], [40, 40]]]), view: box, side: 8)
        #expect(mask.target.indices.filter { mask.target[$0] > 0 } == [0, 1, 8, 9])
    }

    /// A ring inside another is a hole (even-odd over all rings), as a plate's rim is.
    @Test func aRingInsideAnotherIsAHole() {
        let frame = RegionBox(x: 0, y: 0, width: 80, height: 80)  // 8x8 grid: cells 10x10
        let rim = PartMask(.polygons([[[0, 0], [80, 0], [80, 80], [0, 80]], [[20, 20], [60, 20], [60, 60], [20, 60]]]),
                           view: frame, side: 8)
        #expect(rim.target[0] == 1 && rim.target[2 * 8 + 2] == 0 && rim.target[5 * 8 + 5] == 0 && rim.target[6 * 8 + 6] == 1)
        #expect(rim.target.filter { $0 == 1 }.count == 64 - 16)
    }

    @Test func clicksLabelTheirPatchesAndTheRestCountsLittle() {
        let frame = RegionBox(x: 0, y: 0, width: 80, height: 80)
        let mask = PartMask(.points(positive: [[15, 5]], negative: [[75, 75]]), view: frame, side: 8)
        #expect(mask.target[1] == 1 && mask.weight[1] == 1)
        #expect(mask.target[63] == 0 && mask.weight[63] == 1)
        #expect(mask.weight[30] == PartMask.unmarkedWeight)
    }

    @Test func markingsOutsideTheFrameOrWithoutAreaAreRefused() {
        #expect(throws: AffordError.self) {
            try PartMask.validate(.polygons([[[0, 0], [700, 0], [0, 10]]]), frameWidth: 640, frameHeight: 480)
        }
        #expect(throws: AffordError.self) {
            try PartMask.validate(.polygons([[[0, 0], [10, 10], [20, 20]]]), frameWidth: 640, frameHeight: 480)
        }
        #expect(throws: AffordError.self) {
            try PartMask.validate(.points(positive: [[5, 5]], negative: [[5, -1]]), frameWidth: 640, frameHeight: 480)
        }
        #expect(throws: Never.self) {
            try PartMask.validate(.polygons([[[0, 0], [640, 0], [640, 480]]]), frameWidth: 640, frameHeight: 480)
        }
    }
}

@Suite struct TeachingTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("teach-\(UUID().uuidString)")
    }

    /// The red square's outline, frame pixels, for `DemonstrateControlTests.scene` (20-px cells).
    static func square(_ cell: (Int, Int)) -> PartMarking {
        let x = Double(cell.0 * 20), y = Double(cell.1 * 20)
        return .polygons([[[x, y], [x + 20, y], [x + 20, y + 20], [x, y + 20]]])
    }

    static func teach(_ control: DaemonControl, cell: (Int, Int), action: String = "press") async throws -> JSONValue {
        let jpeg = try JPEGEncoder().encode(DemonstrateControlTests.scene(red: cell, arm: false), quality: 95)
        let request = TeachRequest(action: action, frame: .attachedJPEG, marking: square(cell))
        return try await control.handle(ControlRequest(command: .teach(request), attachments: [jpeg]), origin: .request)
    }

    /// Taught on one frame, the new action is grounded on the next ones, finds the part where
    /// it moved, survives a restart from the state directory, and `forget` removes it there too.
    @Test func teachThenGroundRestartAndForget() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, runtime, grounder) = try DemonstrateControlTests.control(folder: folder)
        let reply = try await Self.teach(control, cell: (4, 2))
        guard case .object(let fields) = reply else { Issue.record("reply \(reply)"); return }
        #expect(fields["frames"] == .int(1) && fields["taught"] == .array([.string("press")]))
        #expect(grounder.vocabulary == ["hold", "cut", "press"])

        let maps = try grounder.ground(DemonstrateControlTests.scene(red: (1, 6), arm: false), actions: runtime.currentSettings.actions)
        #expect(maps.map(\.action) == ["cut", "press"])
        let press = maps[1].map
        #expect(press.values.indices.max { press.values[$0] < press.values[$1] } == 6 * 8 + 1)
        #expect((maps[1].presence ?? 0) > 0.5)

        let restarted = try #require(try LearningGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path) as? LearningGrounder)
        #expect(restarted.teachings.actions == ["press"])
        #expect(restarted.teachings.probe(for: "press") == (grounder as? LearningGrounder)?.teachings.probe(for: "press"))
        // The probe reads one map per head action: a head with three on the same backbone is refused at load.
        let otherHead = #expect(throws: AffordError.self) {
            try LearningGrounder.wrap(ColourTokenGrounder(vocabulary: ["hold", "cut", "pour"]), stateDirectory: folder.path)
        }
        #expect(otherHead?.message.contains("'press' was taught on 6-wide features, but this backbone and head give 4 plus 3") == true,
                "\(String(describing: otherHead))")

        let taught = try await control.handle(ControlRequest(command: .taught), origin: .request)
        guard case .object(let list) = taught, case .array(let entries)? = list["taught"], case .object(let entry)? = entries.first else {
            Issue.record("taught \(taught)"); return
        }
        #expect(entry["action"] == .string("press") && entry["frames"] == .int(1))

        let forgotten = try await control.handle(ControlRequest(command: .forget([])), origin: .request)
        #expect(forgotten == .object(["removed": .array([.string("press")]), "taught": .array([])]))
        #expect(try LearningGrounder.wrap(ColourTokenGrounder(), stateDirectory: folder.path).vocabulary == ["hold", "cut"])
    }

    /// Teaching a head action blends the head's map with the probe's, each min-max normalised.
    @Test func aTaughtHeadActionBlendsWithTheHead() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, _, grounder) = try DemonstrateControlTests.control(folder: folder)
        _ = try await Self.teach(control, cell: (4, 2), action: "hold")
        let maps = try grounder.ground(DemonstrateControlTests.scene(red: (1, 6), arm: false), actions: ["hold"])
        let hold = try #require(maps.first { $0.action == "hold" }).map
        // The colour grounder's head maps are flat (normalised to zero): the probe's half remains.
        #expect(hold.values.indices.max { hold.values[$0] < hold.values[$1] } == 6 * 8 + 1)
        #expect(abs((hold.values.max() ?? 0) - 0.5) < 1e-6)
        #expect(grounder.vocabulary == ["cut", "hold"])
    }

    /// Past the frame limit, and for a demonstrated name, teach is refused and nothing changes.
    @Test func boundsAndConflictsAreClearErrors() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, _, grounder) = try DemonstrateControlTests.control(folder: folder)
        let learning = try #require(grounder as? LearningGrounder)
        for index in 0..<TeachingBook.maximumFrames { _ = try await Self.teach(control, cell: (index % 8, 3)) }
        let probe = learning.teachings.probe(for: "press")
        let error = await #expect(throws: AffordError.self) { try await Self.teach(control, cell: (1, 1)) }
        #expect(error?.message.contains("frames are taught already") == true)
        #expect(learning.teachings.probe(for: "press") == probe)
        #expect(learning.teachings.summary.first?.frames == TeachingBook.maximumFrames)

        let jpeg = try JPEGEncoder().encode(DemonstrateControlTests.scene(red: (4, 2), arm: true), quality: 95)
        _ = try await control.handle(ControlRequest(command: .demonstrate(DemonstrationRequest(
            action: "grasp", keypoints: try DemonstrateControlTests.keypoints(), frame: .attachedJPEG)), attachments: [jpeg]),
            origin: .request)
        let conflict = await #expect(throws: AffordError.self) { try await Self.teach(control, cell: (1, 1), action: "grasp") }
        #expect(conflict?.message.contains("demonstrated") == true)
    }

    /// A frame is taught through the whole frame and a crop around the part, each mirrored
    /// (no zoom here); the file holds a frame of the most views any zoom setting makes.
    @Test func aFrameIsTaughtThroughAPartCropAndAFullFileReloads() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, _, _) = try DemonstrateControlTests.control(folder: folder)
        let reply = try await Self.teach(control, cell: (4, 2))
        guard case .object(let fields) = reply else { Issue.record("reply \(reply)"); return }
        #expect(fields["views"] == .int(4))

        let path = folder.appendingPathComponent("full.safetensors").path
        let book = try TeachingBook(path: path, backboneHash: "b")
        let mask = PartMask(side: 2, target: [1, 0, 0, 0], weight: [1, 1, 1, 1])
        let views = (0..<LearningGrounder.maximumViews).map { index in
            TaughtView(features: (0..<8).map { Float(($0 + index) % 5) - 2 }, mask: mask)
        }
        let taught = try book.teach("press", views: views, dim: 2)
        let reloaded = try TeachingBook(path: path, backboneHash: "b")
        #expect(reloaded.probe(for: "press") == taught.probe)
        #expect(reloaded.summary.first?.frames == 1)
    }

    /// A new action's first frame picks the head action whose map matches the marking best; that
    /// map is blended in at half weight with one frame and an eighth with two, and it persists.
    /// A taught head action has no partner: it blends with its own map.
    @Test func aNewActionBorrowsTheClosestHeadMap() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(LearningGrounder.taughtFile).path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let base = RedCutGrounder()
        let grounder = LearningGrounder(base: base, book: try DemonstrationBook(path: nil, backboneHash: base.backboneHash),
                                        teachings: try TeachingBook(path: path, backboneHash: base.backboneHash))
        _ = try grounder.teach(action: "press", image: DemonstrateControlTests.scene(red: (4, 2), arm: false),
                               marking: Self.square((4, 2)), zoom: nil, proposalActions: ["hold"])
        #expect(grounder.teachings.summary.first?.partner == "cut")
        #expect(grounder.teachings.partner(for: "press")?.weight == 0.5)

        let next = DemonstrateControlTests.scene(red: (1, 6), arm: false)
        let cut = try #require(try base.ground(next, actions: ["cut"]).first)
        let (nextMaps, nextTokens) = try base.groundKeepingTokens(next, actions: base.vocabulary)
        let probe = try #require(grounder.teachings.probe(for: "press"))
            .map(try ProbeFeatures.make(tokens: nextTokens, headMaps: nextMaps))
        let taught = ActionMap(action: "press", map: probe.map, presence: probe.presence)
        let press = try #require(try grounder.ground(next, actions: ["press"]).first)
        #expect(press.map == LearningGrounder.blend(head: cut, taught: taught, headWeight: 0.5, keepsHeadPresence: false).map)
        #expect(press.presence == probe.presence)

        _ = try grounder.teach(action: "press", image: DemonstrateControlTests.scene(red: (2, 5), arm: false),
                               marking: Self.square((2, 5)), zoom: nil, proposalActions: ["hold"])
        #expect(grounder.teachings.partner(for: "press")?.weight == 0.125)
        let reloaded = try TeachingBook(path: path, backboneHash: base.backboneHash)
        #expect(reloaded.partner(for: "press")?.action == "cut" && reloaded.summary.first?.frames == 2)

        _ = try grounder.teach(action: "hold", image: DemonstrateControlTests.scene(red: (4, 2), arm: false),
                               marking: Self.square((4, 2)), zoom: nil, proposalActions: ["hold"])
        #expect(grounder.teachings.partner(for: "hold") == nil)
    }

    /// The probe's features: each token unchanged, then every head map, min-max normalised and
    /// scaled by the token's norm and the head weight; maps off the token grid are an error.
    @Test func probeFeaturesAppendEachHeadMapScaledToTheTokensNorm() throws {
        let tokens = PatchTokens(side: 2, dim: 2, values: [3, 4, 0, 1, 6, 8, 1, 0])  // norms 5, 1, 10, 1
        let maps = [ActionMap(action: "hold", map: Heatmap(width: 2, height: 2, values: [0, 1, 2, 4])),
                    ActionMap(action: "cut", map: Heatmap(width: 2, height: 2, values: [5, 5, 5, 5]))]
        let features = try ProbeFeatures.make(tokens: tokens, headMaps: maps)
        let w = ProbeFeatures.headWeight
        #expect(features.side == 2 && features.dim == 4)
        #expect(features.values == [3, 4, 0, 0, 0, 1, w * 1 * 0.25, 0, 6, 8, w * 10 * 0.5, 0, 1, 0, w * 1 * 1, 0])
        let offGrid = [ActionMap(action: "hold", map: Heatmap(width: 3, height: 3))]
        #expect(throws: AffordError.self) { try ProbeFeatures.make(tokens: tokens, headMaps: offGrid) }
    }

    /// A file from before the head's maps joined the features (version 1: tokens alone) still
    /// loads and grounds, its probe reading the tokens; a new frame for its action asks to
    /// re-teach it and leaves the book as it was; a new action can join it in the same file.
    @Test func aVersionOneFileStillGroundsAndAsksToReteach() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(LearningGrounder.taughtFile).path
        let base = ColourTokenGrounder()
        let scene = DemonstrateControlTests.scene(red: (4, 2), arm: false)
        let tokens = try base.groundKeepingTokens(scene, actions: ["hold"]).tokens
        let mask = PartMask(Self.square((4, 2)), view: RegionBox(x: 0, y: 0, width: 160, height: 160), side: tokens.side)
        let probe = try PartProbe.fit([PartProbe.Example(tokens: tokens.values, target: mask.target, weight: mask.weight)],
                                      dim: tokens.dim)
        let positions = tokens.side * tokens.side
        let index = #"{"dim":4,"actions":[{"action":"press","frames":[{"taughtAt":"2026-12-01T00:00:00Z","views":1,"side":8}]}]}"#
        try SafetensorsWriter.write([
            .init(name: "press/0/0/tokens", shape: [positions, tokens.dim], values: tokens.values),
            .init(name: "press/0/0/target", shape: [positions], values: mask.target),
            .init(name: "press/0/0/weight", shape: [positions], values: mask.weight),
            .init(name: "press/probe", shape: [tokens.dim + 1], values: probe.weights + [probe.bias]),
        ], metadata: ["format": TeachingBook.format, "version": "1", "backbone": base.backboneHash, "index": index], to: path)

        let grounder = LearningGrounder(base: base, book: try DemonstrationBook(path: nil, backboneHash: base.backboneHash),
                                        teachings: try TeachingBook(path: path, backboneHash: base.backboneHash))
        let press = try #require(try grounder.ground(scene, actions: ["press"]).first)
        #expect(press.map == (try probe.map(tokens)).map)
        let error = #expect(throws: AffordError.self) {
            try grounder.teach(action: "press", image: scene, marking: Self.square((4, 2)), zoom: nil, proposalActions: ["hold"])
        }
        #expect(error?.message.contains("teach it again") == true)
        #expect(grounder.teachings.summary.first?.frames == 1)

        // A new action beside it: the file, now version 2, keeps both widths.
        _ = try grounder.teach(action: "grip", image: scene, marking: Self.square((4, 2)), zoom: nil, proposalActions: ["hold"])
        let reloaded = try TeachingBook(path: path, backboneHash: base.backboneHash)
        #expect(reloaded.probe(for: "press") == probe)
        #expect(reloaded.probe(for: "grip") == grounder.teachings.probe(for: "grip"))
        #expect(reloaded.probe(for: "grip")?.weights.count == tokens.dim + base.vocabulary.count)
    }

    /// A file written for another backbone is refused at load, naming the file.
    @Test func aFileFromAnotherBackboneIsRefused() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (control, _, _) = try DemonstrateControlTests.control(folder: folder)
        _ = try await Self.teach(control, cell: (4, 2))
        let path = folder.appendingPathComponent(LearningGrounder.taughtFile).path
        let error = #expect(throws: AffordError.self) { try TeachingBook(path: path, backboneHash: "another-backbone") }
        #expect(error?.message.contains(path) == true)
    }
}

/// The colour grounder with one head map that sees something: "cut" is each patch's redness.
final class RedCutGrounder: TokenGrounder, @unchecked Sendable {
    private let colour = ColourTokenGrounder()
    var vocabulary: [String] { colour.vocabulary }
    var modelID: String { colour.modelID }
    var inputSize: Int { colour.inputSize }
    var backboneHash: String { colour.backboneHash }
    var tokenWidth: Int { colour.tokenWidth }

    func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        try groundKeepingTokens(image, actions: actions).maps
    }

    func groundKeepingTokens(_ image: RGBImage, actions: [String]) throws -> (maps: [ActionMap], tokens: PatchTokens) {
        let (maps, tokens) = try colour.groundKeepingTokens(image, actions: actions)
        let redness = (0..<(tokens.side * tokens.side)).map { tokens.values[$0 * tokens.dim] - tokens.values[$0 * tokens.dim + 1] }
        return (maps.map { $0.action == "cut" ? ActionMap(action: "cut", map: Heatmap(width: tokens.side, height: tokens.side,
                                                                                            values: redness)) : $0 }, tokens)
    }
}
