import AffordCore
import AffordEngine
import AffordImaging
import AffordPostprocess
import AffordTestSupport
import Foundation
import Synchronization
import Testing
@testable import AffordDaemon

/// A known-answer "head": each action's map is the image's brightness pooled onto a 16×16
/// grid, so a white square on black is the one object and its map is known in closed form.
final class BrightnessGrounder: AffordanceGrounder, @unchecked Sendable {
    let vocabulary = ["hold", "cut"]
    let modelID = "brightness"
    let inputSize = 224

    func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        var map = Heatmap(width: 16, height: 16)
        for y in 0..<image.height {
            for x in 0..<image.width {
                map[x * 16 / image.width, y * 16 / image.height] += Float(image.pixels[(y * image.width + x) * 3]) / 255
            }
        }
        return actions.map { ActionMap(action: $0, map: map, presence: 0.9) }
    }

    /// A black frame with one white square.
    static func frame(width: Int, height: Int, square: RegionBox) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in square.y..<(square.y + square.height) {
            for x in square.x..<(square.x + square.width) {
                for c in 0..<3 { pixels[(y * width + x) * 3 + c] = 255 }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}

/// Pooled brightness like `BrightnessGrounder`, but "hold" sees only the left half of what it
/// is shown and "scoop" only the right half: two objects, each found by one action.
final class HalvesGrounder: AffordanceGrounder, @unchecked Sendable {
    let vocabulary = ["hold", "scoop"]
    let modelID = "halves"
    let inputSize = 224

    func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        let pooled = try BrightnessGrounder().ground(image, actions: ["hold"])[0].map
        return actions.map { action in
            var map = pooled
            for y in 0..<16 { for x in 0..<16 where (action == "hold") != (x < 8) { map[x, y] = 0 } }
            return ActionMap(action: action, map: map, presence: 0.9)
        }
    }
}

@Suite struct ZoomGroundingTests {
    static let zoom = ZoomSettings(enabled: true, maxRegions: 3, margin: 3, minRegionPixels: 48)

    /// The square's centroid comes back at its centre in frame pixels, tagged with a region that
    /// holds it, for several frame sizes and squares flush with the borders.
    @Test func centroidsLandOnTheObjectInFramePixels() throws {
        let post = HeatmapPostprocessor(settings: PostprocessSettings(relativeThreshold: 0.5, maxComponents: 1))
        for (width, height) in [(640, 480), (333, 217), (1280, 720), (200, 300)] {
            let side = min(width, height) / 12
            for square in [RegionBox(x: width / 2, y: height / 3, width: side, height: side),
                           RegionBox(x: 0, y: 0, width: side, height: side),
                           RegionBox(x: width - side, y: height - side, width: side, height: side)] {
                let image = BrightnessGrounder.frame(width: width, height: height, square: square)
                let zoomed = try ZoomGrounding.ground(image, frameWidth: width, frameHeight: height, actions: ["hold"],
                                                      grounder: BrightnessGrounder(), settings: Self.zoom).maps
                let region = try #require(zoomed.regions.first, "no region for \(square) in \(width)x\(height)")
                #expect(region.x <= square.x && region.y <= square.y && region.x + region.width >= square.x + square.width
                        && region.y + region.height >= square.y + square.height, "\(region) misses \(square)")
                let results = ZoomGrounding.process(zoomed, post: post, settings: Self.zoom)
                let centroid = try #require(results.first?.components.first)
                let centreU = Double(square.x) + Double(side - 1) / 2, centreV = Double(square.y) + Double(side - 1) / 2
                // The crop's grid cell is region/16 pixels; bilinear spreads the square by about one.
                let tolerance = Double(region.width) / 16
                #expect(abs(centroid.u - centreU) <= tolerance && abs(centroid.v - centreV) <= tolerance,
                        "\(width)x\(height) square \(square): centroid (\(centroid.u), \(centroid.v)), region \(region)")
                #expect(centroid.region == region)
                #expect(results.first?.heatmap.width == width && results.first?.heatmap.height == height)
            }
        }
    }

    /// The pooled map spills a grid cell around the square onto the black board; the region's
    /// contrast takes most of the spill off the board, and with smoothing turned off too it
    /// gives `ZoomMerge` alone. No whole-frame map outside the regions: the share measures the crops.
    @Test func regionContrastKeepsTheMapOnTheObject() throws {
        let square = RegionBox(x: 300, y: 200, width: 24, height: 24)
        let image = BrightnessGrounder.frame(width: 640, height: 480, square: square)
        var settings = Self.zoom
        (settings.outsideWeight, settings.smoothingPixels) = (0, 0)
        var plain = settings
        (plain.foregroundFloor, plain.smoothingPixels) = (1, 0)
        let zoomed = try ZoomGrounding.ground(image, frameWidth: 640, frameHeight: 480, actions: ["hold"],
                                              grounder: BrightnessGrounder(), settings: settings).maps
        func onSquare(_ settings: ZoomSettings) throws -> Double {
            let map = try #require(ZoomGrounding.merged(zoomed, canvasWidth: 640, canvasHeight: 480, settings: settings).first).map
            var inside = 0.0
            for y in square.y..<(square.y + square.height) {
                for x in square.x..<(square.x + square.width) { inside += Double(map[x, y]) }
            }
            return inside / map.values.reduce(0) { $0 + Double($1) }
        }
        let alone = try #require(ZoomGrounding.merged(zoomed, canvasWidth: 640, canvasHeight: 480, settings: plain).first)
        let whole = try #require(zoomed.whole.first)
        let regions = zip(zoomed.regions, zoomed.regionMaps).map { ZoomMerge.Region(box: $0, map: $1[0]) }
        #expect(alone.map == ZoomMerge.merge(whole: whole, regions: regions, frameWidth: 640, frameHeight: 480,
                                             canvasWidth: 640, canvasHeight: 480, outsideWeight: plain.outsideWeight).map)
        let (before, after) = (try onSquare(plain), try onSquare(settings))
        #expect(1 - after < (1 - before) / 2, "share of the map on the square: \(before) -> \(after)")
    }

    @Test func reusedRegionsRideInOneBatchWithTheWholeFrame() throws {
        let image = BrightnessGrounder.frame(width: 320, height: 240, square: RegionBox(x: 100, y: 80, width: 20, height: 20))
        let grounder = BrightnessGrounder()
        let fresh = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["cut"],
                                             grounder: grounder, settings: Self.zoom)
        let reused = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["cut"],
                                              grounder: grounder, settings: Self.zoom, plan: .reuse(fresh.maps.regions))
        #expect(reused.proposals == fresh.proposals && reused.maps.regions == fresh.maps.regions)
        #expect(reused.maps.regionMaps.map { $0.map(\.map) } == fresh.maps.regionMaps.map { $0.map(\.map) })
        #expect(reused.maps.whole.map(\.map) == fresh.maps.whole.map(\.map))
    }

    /// With `.vocabulary` the object only "scoop" sees gets a region too, after "hold"'s own, and
    /// every map that comes back is still "hold"'s; with `.actions` only "hold"'s object does.
    @Test func theWholeVocabularyProposesAnObjectTheRequestedActionMisses() throws {
        var image = BrightnessGrounder.frame(width: 320, height: 240, square: RegionBox(x: 40, y: 100, width: 20, height: 20))
        for y in 100..<120 { for x in 250..<270 { for c in 0..<3 { image.pixels[(y * 320 + x) * 3 + c] = 255 } } }
        let grounder = HalvesGrounder()
        var actionsOnly = Self.zoom
        actionsOnly.proposeFrom = .actions
        let narrow = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold"],
                                              grounder: grounder, settings: actionsOnly)
        let wide = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold"],
                                            grounder: grounder, settings: Self.zoom)
        #expect(Self.zoom.proposeFrom == .vocabulary)
        #expect(narrow.proposals.count == 1 && narrow.proposals.first?.contains(u: 50, v: 110) == true)
        #expect(wide.proposals.count == 2 && wide.proposals.first == narrow.proposals.first)
        #expect(wide.proposals.last?.contains(u: 260, v: 110) == true)
        #expect(wide.maps.whole.map(\.action) == ["hold"] && wide.maps.regionMaps.allSatisfy { $0.map(\.action) == ["hold"] })
        #expect(wide.maps.whole.map(\.map) == narrow.maps.whole.map(\.map))
        // Reused regions ride with the whole frame in one batch: the same proposals and maps.
        let reused = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold"],
                                              grounder: grounder, settings: Self.zoom, plan: .reuse(wide.proposals))
        #expect(reused.proposals == wide.proposals && reused.maps.whole.map(\.action) == ["hold"])
        #expect(reused.maps.regionMaps.map { $0.map(\.map) } == wide.maps.regionMaps.map { $0.map(\.map) })
        #expect(reused.maps.regionMaps.allSatisfy { $0.map(\.action) == ["hold"] })
    }

    /// Mirroring a grounder that commutes with it (pooling onto a 16×16 grid, here of a frame
    /// and a crop whose sides 16 divides) changes nothing; the proposals never see the mirrored pass.
    @Test func mirroringAnEquivariantGrounderChangesNothing() throws {
        let plan = RegionTracker.Plan.reuse([RegionBox(x: 64, y: 48, width: 96, height: 96)])
        let image = BrightnessGrounder.frame(width: 320, height: 240, square: RegionBox(x: 96, y: 80, width: 20, height: 20))
        var mirrored = Self.zoom
        mirrored.mirror = true
        let plain = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold", "cut"],
                                             grounder: BrightnessGrounder(), settings: Self.zoom, plan: plan)
        let averaged = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold", "cut"],
                                                grounder: BrightnessGrounder(), settings: mirrored, plan: plan)
        #expect(!plain.maps.regions.isEmpty)
        #expect(averaged.proposals == plain.proposals && averaged.maps.regions == plain.maps.regions)
        #expect(averaged.maps.regionMaps.map { $0.map(\.map) } == plain.maps.regionMaps.map { $0.map(\.map) })
        #expect(averaged.maps.whole.map(\.map) == plain.maps.whole.map(\.map))
    }

    /// A grounder that always answers a left-to-right ramp, with the left half's brightness as
    /// presence: mirrored and averaged, every row is flat and presence is the mean of both halves.
    /// Every image goes through twice, the crops and the mirrored ones in one batch.
    @Test func mirroringAveragesWhatTheGrounderSeesOnBothSides() throws {
        final class Ramp: AffordanceGrounder, @unchecked Sendable {
            let vocabulary = ["hold"], modelID = "ramp", inputSize = 224
            let batches = Mutex<[Int]>([])
            func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
                try ground(batch: [image], inputSize: nil, actions: actions)[0]
            }
            func ground(batch images: [RGBImage], inputSize: Int?, actions: [String]) throws -> [[ActionMap]] {
                batches.withLock { $0.append(images.count) }
                return images.map { image in
                    var left = 0.0
                    for y in 0..<image.height {
                        for x in 0..<(image.width / 2) { left += Double(image.pixels[(y * image.width + x) * 3]) }
                    }
                    let presence = Float(left / Double(image.width / 2 * image.height) / 255)
                    let map = Heatmap(width: 8, height: 4, values: (0..<32).map { Float($0 % 8) })
                    return [ActionMap(action: "hold", map: map, presence: presence)]
                }
            }
        }
        // Bright on the right of the frame only.
        let image = BrightnessGrounder.frame(width: 320, height: 240, square: RegionBox(x: 160, y: 0, width: 160, height: 240))
        var settings = Self.zoom
        settings.mirror = true
        let ramp = Ramp()
        let box = RegionBox(x: 0, y: 0, width: 320, height: 240)
        let zoomed = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold"], grounder: ramp,
                                              settings: settings, plan: .reuse([box]))
        #expect(ramp.batches.withLock { $0 } == [4], "the frame and one crop, each twice, in one batch")
        for maps in [zoomed.maps.whole] + zoomed.maps.regionMaps {
            let map = try #require(maps.first)
            #expect(map.map.values.allSatisfy { $0 == 3.5 }, "\(map.map.values)")
            #expect(abs((map.presence ?? 0) - 0.5) < 1e-6, "\(String(describing: map.presence))")
        }
        let unmirrored = try ZoomGrounding.ground(image, frameWidth: 320, frameHeight: 240, actions: ["hold"], grounder: Ramp(),
                                                  settings: Self.zoom, plan: .reuse([box]))
        #expect(zoomed.proposals == unmirrored.proposals, "proposals come from the frame as it is")
    }

    /// Zoom off is the plain path: the same JSON, byte for byte, and no `region` keys.
    @Test func zoomOffGivesTheSameSnapshotAsThePlainPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-zoom-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("in.png").path
        let image = BrightnessGrounder.frame(width: 160, height: 120, square: RegionBox(x: 30, y: 40, width: 12, height: 12))
        try ImageFiles.write(try PNGCodec.encode(image), to: path)
        let grounder = FakeGrounder()
        let off = try SnapshotRunner.run(imagePath: path, actions: ["hold", "cut"], grounder: grounder, config: nil,
                                         zoom: ZoomSettings(enabled: false, maxRegions: 4))
        let post = HeatmapPostprocessor(settings: PostprocessSettings())
        let plain = SnapshotRunner.Result(
            image: image, modelID: grounder.modelID,
            actions: try grounder.ground(image, actions: ["hold", "cut"]).map { post.process($0, frameWidth: 160, frameHeight: 120) },
            warnings: [])
        let json = try SnapshotRunner.json(off, image: path)
        #expect(json == (try SnapshotRunner.json(plain, image: path)))
        #expect(!json.contains("region"))
        #expect(off.actions.map(\.heatmap) == plain.actions.map(\.heatmap))

        let on = try SnapshotRunner.run(imagePath: path, actions: ["hold"], grounder: BrightnessGrounder(), config: nil,
                                        zoom: Self.zoom)
        let zoomedJSON = try SnapshotRunner.json(on, image: path)
        #expect(zoomedJSON.contains("\"regions\":[[") && zoomedJSON.contains("\"region\":["))
    }

    /// The real engine: the crops as one batch give the maps of the crops one by one.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Fixtures.models.appendingPathComponent("dinov2_vits14.int8.safetensors").path)))
    func batchedCropsEqualCropsOneByOne() throws {
        let head = Fixtures.repositoryRoot.appendingPathComponent("models-default/affordd-default.head.safetensors").path
        let engine = try GroundingEngine(backbonePath: Fixtures.models.appendingPathComponent("dinov2_vits14.int8.safetensors").path,
                                         headPath: head)
        var random = SplitMix64(seed: 5)
        let pixels = (0..<(400 * 300 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) }
        var image = RGBImage(width: 400, height: 300, pixels: pixels)
        // Three bright squares, so three regions.
        for square in [RegionBox(x: 40, y: 40, width: 30, height: 30), RegionBox(x: 300, y: 60, width: 30, height: 30),
                       RegionBox(x: 180, y: 220, width: 30, height: 30)] {
            for y in square.y..<(square.y + square.height) {
                for x in square.x..<(square.x + square.width) { image.pixels[(y * 400 + x) * 3] = 255 }
            }
        }
        let plan = RegionTracker.Plan.reuse([RegionBox(x: 0, y: 0, width: 150, height: 150),
                                             RegionBox(x: 250, y: 0, width: 150, height: 150),
                                             RegionBox(x: 120, y: 150, width: 150, height: 150)])
        let batched = try ZoomGrounding.ground(image, frameWidth: 400, frameHeight: 300, actions: ["hold", "cut"],
                                               grounder: engine, settings: Self.zoom, plan: plan, batching: .oneBatch)
        let single = try ZoomGrounding.ground(image, frameWidth: 400, frameHeight: 300, actions: ["hold", "cut"],
                                              grounder: engine, settings: Self.zoom, plan: plan, batching: .oneByOne)
        #expect(batched.maps.regionMaps.count == 3)
        #expect(batched.maps.regionMaps.map { $0.map(\.map) } == single.maps.regionMaps.map { $0.map(\.map) })
        #expect(batched.maps.regionMaps.map { $0.map(\.presence) } == single.maps.regionMaps.map { $0.map(\.presence) })
        #expect(batched.maps.whole.map(\.map) == single.maps.whole.map(\.map))
        var mirrored = Self.zoom
        mirrored.mirror = true
        let batchedMirror = try ZoomGrounding.ground(image, frameWidth: 400, frameHeight: 300, actions: ["hold"],
                                                     grounder: engine, settings: mirrored, plan: plan, batching: .oneBatch)
        let singleMirror = try ZoomGrounding.ground(image, frameWidth: 400, frameHeight: 300, actions: ["hold"],
                                                    grounder: engine, settings: mirrored, plan: plan, batching: .oneByOne)
        #expect(batchedMirror.maps.regionMaps.map { $0.map(\.map) } == singleMirror.maps.regionMaps.map { $0.map(\.map) })
        #expect(batchedMirror.maps.regionMaps.map { $0.map(\.map) } != batched.maps.regionMaps.map { $0.prefix(1).map(\.map) })
        // The daemon's wrapper hands crops to the engine's batch while nothing is demonstrated.
        let crops = [RegionBox(x: 0, y: 0, width: 150, height: 150), RegionBox(x: 250, y: 0, width: 150, height: 150)]
            .map { RegionCrop.crop(image, box: $0, frameWidth: 400, frameHeight: 300) }
        let wrapped = LearningGrounder(base: engine, book: try DemonstrationBook(path: nil, backboneHash: engine.backboneHash))
        #expect(try wrapped.ground(batch: crops, actions: ["hold"]).map { $0.map(\.map) }
                == (try engine.ground(batch: crops, actions: ["hold"])).map { $0.map(\.map) })

        // At a smaller `region_input` the crops still batch exactly (the whole frame goes alone,
        // at the model's size), on the smaller grid.
        var small = Self.zoom
        small.regionInputSize = 154
        for detect in [plan, .detectFirst] {
            let smallBatched = try ZoomGrounding.ground(image, frameWidth: 400, frameHeight: 300, actions: ["hold"],
                                                        grounder: engine, settings: small, plan: detect, batching: .oneBatch)
            let smallSingle = try ZoomGrounding.ground(image, frameWidth: 400, frameHeight: 300, actions: ["hold"],
                                                       grounder: engine, settings: small, plan: detect, batching: .oneByOne)
            #expect(!smallBatched.maps.regionMaps.isEmpty)
            #expect(smallBatched.maps.regionMaps.map { $0.map(\.map) } == smallSingle.maps.regionMaps.map { $0.map(\.map) })
            #expect(smallBatched.maps.regionMaps.allSatisfy { $0.allSatisfy { $0.map.width == 11 && $0.map.height == 11 } })
            #expect(smallBatched.maps.whole.map(\.map) == (try engine.ground(image, actions: ["hold"])).map(\.map))
        }
    }
}
