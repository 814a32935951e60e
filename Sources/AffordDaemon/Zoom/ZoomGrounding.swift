import AffordCore
import AffordPostprocess

/// One zoomed frame before merging: the whole frame's maps and each region's.
public struct ZoomedMaps: Sendable {
    /// The whole-frame pass, on its patch grid, in action order (with `mirror`, averaged with
    /// the mirror image's; the proposals come from the pass alone).
    public var whole: [ActionMap]
    /// The regions grounded, frame pixels, strongest object first.
    var regions: [RegionBox]
    /// One list per region, in action order, on the patch grid of the crop.
    var regionMaps: [[ActionMap]]
    var frameWidth: Int
    var frameHeight: Int
    /// The decoded frame, for `RegionContrast` at merge time.
    var image: RGBImage
}

/// Coarse-to-fine grounding: the whole frame proposes regions, every region's crop is
/// grounded at the network input size or `regionInputSize` (all of them in one batched pass),
/// and the maps are merged back into frame pixels. Shared by the pipeline, `snapshot` and `eval`.
public enum ZoomGrounding {
    /// How the crops go through the backbone: `oneBatch` is what runs; `oneByOne` is its
    /// reference (tests and `affordd-bench zoom`).
    public enum Batching: Sendable { case oneBatch, oneByOne }

    /// Grounds `image` (decoded from a `frameWidth`×`frameHeight` frame, possibly scaled) and
    /// returns its maps and its own proposals (for a stream's `RegionTracker`).
    public static func ground(
        _ image: RGBImage, frameWidth: Int, frameHeight: Int, actions: [String], grounder: any AffordanceGrounder,
        settings: ZoomSettings, plan: RegionTracker.Plan = .detectFirst, batching: Batching = .oneBatch
    ) throws -> (maps: ZoomedMaps, proposals: [RegionBox]) {
        let proposer = RegionProposer(settings: settings)
        func crops(_ boxes: [RegionBox]) -> [RGBImage] {
            boxes.map { RegionCrop.crop(image, box: $0, frameWidth: frameWidth, frameHeight: frameHeight) }
        }
        let cropSize = settings.regionInputSize
        // With `.vocabulary` the whole frame is also grounded for the model's other actions: the
        // head computes them all anyway, and they only propose regions.
        let proposing = settings.proposeFrom == .vocabulary && !actions.isEmpty
            ? grounder.proposalVocabulary.filter { !actions.contains($0) } : []
        let proposingOnly = Set(proposing)
        func requested(_ maps: [ActionMap]) -> [ActionMap] { proposing.isEmpty ? maps : maps.filter { !proposingOnly.contains($0.action) } }
        func propose(_ whole: [ActionMap]) -> [RegionBox] {
            proposer.propose(requested(whole), alsoFrom: proposing.isEmpty ? [] : whole,
                             frameWidth: frameWidth, frameHeight: frameHeight)
        }
        /// One batch: each image's maps as it is, and the maps to merge (with `settings.mirror`
        /// averaged with its mirror image's, which ride in the same batch).
        func run(_ images: [RGBImage], inputSize: Int?, actions: [String]) throws -> (plain: [[ActionMap]], merging: [[ActionMap]]) {
            let batch = settings.mirror ? images + images.map { $0.mirrored() } : images
            let maps: [[ActionMap]]
            switch batching {
            case .oneBatch:
                maps = try grounder.ground(batch: batch, inputSize: inputSize, actions: actions)
            case .oneByOne:
                maps = try batch.map { image in
                    guard let inputSize else { return try grounder.ground(image, actions: actions) }
                    return try grounder.ground(batch: [image], inputSize: inputSize, actions: actions).first ?? []
                }
            }
            guard maps.count == batch.count else {
                throw AffordError(.invalidInput, "zoom: the grounder returned \(maps.count) results for a batch of \(batch.count)")
            }
            let plain = Array(maps.prefix(images.count))
            guard settings.mirror else { return (plain, plain) }
            return (plain, images.indices.map { ActionMap.mirrorAverage(plain[$0], mirrored: maps[images.count + $0]) })
        }
        /// The whole frame's maps to merge, given its plain ones (proposals come from those).
        func merging(whole: [ActionMap]) throws -> [ActionMap] {
            guard settings.mirror else { return whole }
            return ActionMap.mirrorAverage(whole, mirrored: try grounder.ground(image.mirrored(), actions: actions))
        }
        switch plan {
        case .detectFirst:
            let whole = try grounder.ground(image, actions: actions + proposing)
            let boxes = propose(whole)
            let regionMaps = boxes.isEmpty ? [] : try run(crops(boxes), inputSize: cropSize, actions: actions).merging
            return (ZoomedMaps(whole: try merging(whole: requested(whole)), regions: boxes, regionMaps: regionMaps,
                               frameWidth: frameWidth, frameHeight: frameHeight, image: image), boxes)
        case .reuse(let boxes):
            // The whole frame rides in the same batch as the kept regions' crops when they
            // share its input size.
            let whole: [ActionMap], wholeMerging: [ActionMap], regionMaps: [[ActionMap]]
            if cropSize == nil || cropSize == grounder.inputSize {
                let all = try run([image] + crops(boxes), inputSize: nil, actions: actions + proposing)
                guard let first = all.plain.first, let firstMerging = all.merging.first else {
                    throw AffordError(.invalidInput, "zoom: the grounder returned no maps for a batch of \(boxes.count + 1)")
                }
                (whole, wholeMerging, regionMaps) = (first, requested(firstMerging), all.merging.dropFirst().map(requested))
            } else {
                whole = try grounder.ground(image, actions: actions + proposing)
                wholeMerging = try merging(whole: requested(whole))
                regionMaps = boxes.isEmpty ? [] : try run(crops(boxes), inputSize: cropSize, actions: actions).merging
            }
            let proposals = propose(whole)
            return (ZoomedMaps(whole: wholeMerging, regions: boxes, regionMaps: regionMaps,
                               frameWidth: frameWidth, frameHeight: frameHeight, image: image), proposals)
        }
    }

    /// Every action's merged map at `canvasWidth`×`canvasHeight` (the output size), with the
    /// best region's presence: `ZoomMerge`, then the regions' contrast weights, then smoothing
    /// around the regions.
    static func merged(_ zoomed: ZoomedMaps, canvasWidth: Int, canvasHeight: Int, settings: ZoomSettings) -> [ActionMap] {
        let contrast = zoomed.regions.isEmpty || settings.foregroundFloor >= 1 ? nil : RegionContrast.weights(
            image: zoomed.image, boxes: zoomed.regions, frameWidth: zoomed.frameWidth, frameHeight: zoomed.frameHeight,
            canvasWidth: canvasWidth, canvasHeight: canvasHeight)
        // σ is in frame pixels; the canvas may be smaller. Outside the regions (and a band of
        // the kernel's radius) the map is the whole frame's upsampled 16×16 grid, smooth already.
        let sigma = settings.smoothingPixels * Double(canvasWidth) / Double(max(1, zoomed.frameWidth))
        let window = smoothingWindow(zoomed.regions, radius: GaussianSmoothing.kernel(sigma: sigma).count / 2,
                                     frameWidth: zoomed.frameWidth, frameHeight: zoomed.frameHeight,
                                     canvasWidth: canvasWidth, canvasHeight: canvasHeight)
        return zoomed.whole.enumerated().map { index, whole in
            let regions = zip(zoomed.regions, zoomed.regionMaps).compactMap { box, maps in
                index < maps.count ? ZoomMerge.Region(box: box, map: maps[index]) : nil
            }
            var merged = ZoomMerge.merge(whole: whole, regions: regions, frameWidth: zoomed.frameWidth,
                                         frameHeight: zoomed.frameHeight, canvasWidth: canvasWidth,
                                         canvasHeight: canvasHeight, outsideWeight: settings.outsideWeight)
            if let contrast { RegionContrast.apply(contrast, floor: settings.foregroundFloor, to: &merged.map) }
            if let window { GaussianSmoothing.smooth(&merged.map, sigma: sigma, window: window) }
            return merged
        }
    }

    /// The canvas rectangle around every region, widened by `radius` canvas pixels; nil without regions.
    static func smoothingWindow(_ regions: [RegionBox], radius: Int, frameWidth: Int, frameHeight: Int,
                                canvasWidth: Int, canvasHeight: Int) -> RegionBox? {
        guard !regions.isEmpty, radius > 0, frameWidth > 0, frameHeight > 0 else { return nil }
        let sx = Double(canvasWidth) / Double(frameWidth), sy = Double(canvasHeight) / Double(frameHeight)
        let left = max(0, Int((Double(regions.map(\.x).min() ?? 0) * sx).rounded(.down)) - radius)
        let top = max(0, Int((Double(regions.map(\.y).min() ?? 0) * sy).rounded(.down)) - radius)
        let right = min(canvasWidth, Int((Double(regions.map { $0.x + $0.width }.max() ?? 0) * sx).rounded(.up)) + radius)
        let bottom = min(canvasHeight, Int((Double(regions.map { $0.y + $0.height }.max() ?? 0) * sy).rounded(.up)) + radius)
        return right > left && bottom > top ? RegionBox(x: left, y: top, width: right - left, height: bottom - top) : nil
    }

    /// The post-processed actions of a zoomed frame: merged maps, components as without zoom,
    /// each tagged with the region it lies in. `shows` is the stream's presence decision (nil:
    /// `minPresence` alone).
    public static func process(
        _ zoomed: ZoomedMaps, post: HeatmapPostprocessor, settings: ZoomSettings,
        shows: (ActionMap) -> Bool? = { _ in nil }
    ) -> [ActionResult] {
        processed(zoomed, post: post, settings: settings, collectPixels: false, shows: shows).map(\.result)
    }

    /// `process`, and with `collectPixels` each component's pixels on the merged map's grid.
    static func processed(
        _ zoomed: ZoomedMaps, post: HeatmapPostprocessor, settings: ZoomSettings, collectPixels: Bool,
        shows: (ActionMap) -> Bool? = { _ in nil }
    ) -> [(result: ActionResult, pixels: [ComponentPixels])] {
        let width = post.settings.outputWidth ?? zoomed.frameWidth
        let height = post.settings.outputHeight ?? zoomed.frameHeight
        return merged(zoomed, canvasWidth: width, canvasHeight: height, settings: settings).map { map in
            var (result, pixels) = post.processed(map, frameWidth: zoomed.frameWidth, frameHeight: zoomed.frameHeight,
                                                  showsComponents: shows(map), collectPixels: collectPixels)
            for index in result.components.indices {
                result.components[index].region = ZoomMerge.region(
                    containing: result.components[index].u, result.components[index].v, in: zoomed.regions)
            }
            return (result, pixels)
        }
    }
}
