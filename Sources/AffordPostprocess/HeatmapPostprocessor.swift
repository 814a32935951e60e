import AffordCore

/// Upsample, min-max normalise, threshold and describe one action map. Pure; no I/O.
public struct HeatmapPostprocessor: Sendable {
    public var settings: PostprocessSettings

    public init(settings: PostprocessSettings) { self.settings = settings }

    /// The heatmap at the output size and its components, centroids in frame pixels.
    /// `showsComponents` is the presence decision of a stream (`PresenceHysteresis`); without
    /// one, a single image, it is `minPresence` alone.
    public func process(_ raw: ActionMap, frameWidth: Int, frameHeight: Int, showsComponents: Bool? = nil) -> ActionResult {
        processed(raw, frameWidth: frameWidth, frameHeight: frameHeight, showsComponents: showsComponents,
                  collectPixels: false).result
    }

    /// `process`, and with `collectPixels` each kept component's pixels on the heatmap's grid
    /// (for sampling depth), in the components' order.
    public func processed(
        _ raw: ActionMap, frameWidth: Int, frameHeight: Int, showsComponents: Bool? = nil, collectPixels: Bool
    ) -> (result: ActionResult, pixels: [ComponentPixels]) {
        let width = settings.outputWidth ?? frameWidth
        let height = settings.outputHeight ?? frameHeight
        let heatmap = raw.map.width == width && raw.map.height == height
            ? Self.normalised(raw.map)
            : Bilinear.Separable(sourceWidth: raw.map.width, sourceHeight: raw.map.height,
                                 targetWidth: width, targetHeight: height).resizeNormalised(raw.map)
        let shown = showsComponents ?? settings.showsComponents(presence: raw.presence, shownBefore: false)
        var (components, pixels) = !shown ? ([], []) : Self.componentsAndPixels(
            of: heatmap, relativeThreshold: settings.relativeThreshold, minArea: settings.minArea,
            keep: settings.maxComponents, collectPixels: collectPixels)
        if width != frameWidth || height != frameHeight {
            // Pixel centres map through the same half-pixel convention as Bilinear.
            let sx = Double(frameWidth) / Double(width), sy = Double(frameHeight) / Double(height)
            for i in components.indices {
                components[i].u = (components[i].u + 0.5) * sx - 0.5
                components[i].v = (components[i].v + 0.5) * sy - 0.5
                components[i].shape = components[i].shape?.scaled(sx: sx, sy: sy)
            }
        }
        return (ActionResult(action: raw.action, heatmap: heatmap, components: components, presence: raw.presence), pixels)
    }

    /// `(x - min) / (max - min + eps)` (`MinMaxNormalisation`).
    public static func normalised(_ map: Heatmap) -> Heatmap {
        var values = map.values
        values.withUnsafeMutableBufferPointer { MinMaxNormalisation.normalise($0) }
        return Heatmap(width: map.width, height: map.height, values: values)
    }

    /// Connected regions at or above `relativeThreshold` of the peak, largest score mass first.
    public static func components(
        of map: Heatmap, relativeThreshold: Float, minArea: Int, keep: Int
    ) -> [AffordanceComponent] {
        componentsAndPixels(of: map, relativeThreshold: relativeThreshold, minArea: minArea, keep: keep,
                            collectPixels: false).components
    }

    /// `components`, and with `collectPixels` their pixels (empty otherwise).
    static func componentsAndPixels(
        of map: Heatmap, relativeThreshold: Float, minArea: Int, keep: Int, collectPixels: Bool
    ) -> (components: [AffordanceComponent], pixels: [ComponentPixels]) {
        map.values.withUnsafeBufferPointer { scores in
            guard let peak = MinMaxNormalisation.extremes(scores)?.high, peak > 0 else { return ([], []) }
            let found = RunComponents.components(scores, width: map.width, height: map.height,
                                                 cut: relativeThreshold * peak, collectPixels: collectPixels)
            let kept = rankedIndices(found.statistics, minArea: minArea, keep: keep)
            return (kept.map { found.statistics[$0].component }, collectPixels ? kept.map { found.pixels[$0] } : [])
        }
    }

    /// `components` by labelling every pixel (`ConnectedComponents`): the plain reference.
    static func labelledComponents(
        of map: Heatmap, relativeThreshold: Float, minArea: Int, keep: Int
    ) -> [AffordanceComponent] {
        guard let peak = map.values.max(), peak > 0 else { return [] }
        let cut = relativeThreshold * peak
        let mask = map.values.map { $0 >= cut && $0 > 0 }
        let labels = ConnectedComponents.label(mask, width: map.width, height: map.height)
        guard labels.count > 0 else { return [] }

        var stats = [ComponentStatistics](repeating: ComponentStatistics(), count: labels.count + 1)
        stats.withUnsafeMutableBufferPointer { stats in
            map.values.withUnsafeBufferPointer { scores in
                labels.labels.withUnsafeBufferPointer { labels in
                    for y in 0..<map.height {
                        let row = y * map.width
                        for x in 0..<map.width where labels[row + x] != 0 {
                            stats[Int(labels[row + x])].add(score: scores[row + x], x: x, y: y)
                        }
                    }
                }
            }
        }
        return ranked(Array(stats.dropFirst()), minArea: minArea, keep: keep)
    }

    /// Components in raster order of their first pixel -> the kept ones, largest mass first.
    static func ranked(_ stats: [ComponentStatistics], minArea: Int, keep: Int) -> [AffordanceComponent] {
        rankedIndices(stats, minArea: minArea, keep: keep).map { stats[$0].component }
    }

    /// The indices `ranked` keeps, in its order.
    static func rankedIndices(_ stats: [ComponentStatistics], minArea: Int, keep: Int) -> [Int] {
        stats.indices.filter { stats[$0].area >= minArea && stats[$0].mass > 0 }
            .sorted { stats[$0].mass > stats[$1].mass }
            .prefix(max(0, keep))
            .map { $0 }
    }
}
