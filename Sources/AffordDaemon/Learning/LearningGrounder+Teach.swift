import AffordCore
import AffordEngine
import AffordPostprocess
import AffordTransport
import Foundation

extension LearningGrounder {
    /// What `teach` did: the action's frames now, and how long the backbone passes and the fit took.
    struct Teaching: Sendable {
        var action: String
        var frames: Int
        var views: Int
        var adaptMs: Double
    }

    /// A square crop centred on the marked part, this many times its longer side: the part
    /// near the scale zoom's crops show it, whichever regions the frame proposes. Chosen on a
    /// validation render seed, not the scored one (README, "Teaching a part").
    static let partViewMargin = 4.0

    /// Views of one frame at most: the whole frame, zoom's regions and the part crop, each mirrored.
    static let maximumViews = 2 * (1 + ZoomSettings.maxRegionsRange.upperBound + 1)

    /// One backbone pass: the head's maps of the whole vocabulary and the probe's features.
    func featuresAndMaps(_ image: RGBImage) throws -> (maps: [ActionMap], features: PatchTokens) {
        let (maps, tokens) = try base.groundKeepingTokens(image, actions: base.vocabulary)
        return (maps, try ProbeFeatures.make(tokens: tokens, headMaps: maps))
    }

    /// The head action whose whole-frame map is closest to the marking (AGD20K's KLD, the
    /// marking as ground truth): a new part's prior from what the head already sees.
    static func closestHeadAction(_ maps: [ActionMap], to mask: PartMask) -> String? {
        let marked = Heatmap(width: mask.side, height: mask.side, values: zip(mask.target, mask.weight).map { $0 * $1 * 255 })
        return maps.map { ($0.action, SaliencyMetrics.score(prediction: $0.map, groundTruth: marked).kld) }
            .filter { $0.1.isFinite }
            .min { $0.1 < $1.1 }?.0
    }

    /// Learns `action` from `marking` on `image` (the full frame) and swaps its probe in.
    ///
    /// The frame is seen as grounding sees it: the whole frame and, with zoom, each proposed
    /// region that overlaps the marking, each with the marking in its own patch grid, so the
    /// probe learns the part at the scale the crops show it; and a crop around the part itself
    /// (`partViewMargin`), so it does not depend on this frame's proposals.
    func teach(action: String, image: RGBImage, marking: PartMarking, zoom: ZoomSettings?,
                      proposalActions: [String], beforeRecording: () throws -> Void = {}) throws -> Teaching {
        guard !book.actions.contains(action) else {
            throw AffordError(.invalidInput, "teach: '\(action)' is demonstrated; clear_demonstrations first")
        }
        try PartMask.validate(marking, frameWidth: image.width, frameHeight: image.height)
        let started = MonotonicClock.nowNs()
        let frameBox = RegionBox(x: 0, y: 0, width: image.width, height: image.height)
        let heads = proposalActions.filter { base.vocabulary.contains($0) }
        let proposing = heads.isEmpty ? [base.vocabulary[0]] : heads
        // A new action's first frame also picks its partner among the head's maps.
        let picksPartner = !base.vocabulary.contains(action) && !teachings.actions.contains(action)
        // Every view asks for the whole vocabulary: the probe reads all of the head's maps.
        let (headMaps, frameFeatures) = try featuresAndMaps(image)
        let maps = headMaps.filter { proposing.contains($0.action) }
        var views = [TaughtView(features: frameFeatures.values, mask: PartMask(marking, view: frameBox, side: frameFeatures.side))]
        let partner = picksPartner ? Self.closestHeadAction(headMaps, to: views[0].mask) : nil
        var viewImages = [image]
        let bounds = PartMask.bounds(marking)
        var boxes: [RegionBox] = []
        if let zoom, zoom.enabled {
            boxes = RegionProposer(settings: zoom).propose(maps, frameWidth: image.width, frameHeight: image.height)
                .filter { box in
                    Double(box.x) < bounds.maxX && Double(box.x + box.width) > bounds.minX
                        && Double(box.y) < bounds.maxY && Double(box.y + box.height) > bounds.minY
                }
        }
        var partView = zoom ?? ZoomSettings()
        partView.margin = Self.partViewMargin
        boxes.append(RegionProposer(settings: partView).square(left: bounds.minX, right: bounds.maxX, top: bounds.minY,
                                                               bottom: bounds.maxY, frameWidth: image.width, frameHeight: image.height))
        for box in boxes {
            let crop = RegionCrop.crop(image, box: box, frameWidth: image.width, frameHeight: image.height)
            let cropFeatures = try featuresAndMaps(crop).features
            views.append(TaughtView(features: cropFeatures.values, mask: PartMask(marking, view: box, side: cropFeatures.side)))
            viewImages.append(crop)
        }
        // Each view mirrored left to right as well: the part seen from the other side, a second
        // example per view for one more backbone pass.
        for (view, viewImage) in zip(views, viewImages) {
            views.append(TaughtView(features: try featuresAndMaps(viewImage.mirroredLeftRight()).features.values,
                                    mask: view.mask.mirroredLeftRight()))
        }
        let taught = try teachings.teach(action, views: views, dim: frameFeatures.dim, partner: partner,
                                         beforeRecording: beforeRecording)
        return Teaching(action: action, frames: taught.frames.count, views: views.count,
                        adaptMs: Double(MonotonicClock.nowNs() - started) / 1e6)
    }
}
