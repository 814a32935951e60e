import AffordCore

/// How raw action maps become normalised heatmaps and ranked components.
public struct PostprocessSettings: Sendable, Equatable {
    /// Pixels at or above `relativeThreshold * peak` belong to a component; in (0, 1].
    public var relativeThreshold: Float
    /// Components smaller than this many pixels (at the output size) are dropped.
    public var minArea: Int
    /// At most this many components per action, largest score mass first.
    public var maxComponents: Int
    /// Heatmap size; nil means the frame size.
    public var outputWidth: Int?
    public var outputHeight: Int?

    public init(relativeThreshold: Float = 0.5, minArea: Int = 1, maxComponents: Int = 3,
                outputWidth: Int? = nil, outputHeight: Int? = nil) {
        self.relativeThreshold = relativeThreshold
        self.minArea = minArea
        self.maxComponents = maxComponents
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
    }
}

/// Upsample, min-max normalise, threshold and describe one action map. Pure; no I/O.
public struct HeatmapPostprocessor: Sendable {
    public static let epsilon: Float = 1e-12
    public var settings: PostprocessSettings

    public init(settings: PostprocessSettings) { self.settings = settings }

    /// The heatmap at the output size and its components, centroids in frame pixels.
    public func process(_ raw: ActionMap, frameWidth: Int, frameHeight: Int) -> ActionResult {
        let width = settings.outputWidth ?? frameWidth
        let height = settings.outputHeight ?? frameHeight
        let heatmap = Self.normalised(Bilinear.resize(raw.map, width: width, height: height))
        var components = Self.components(
            of: heatmap, relativeThreshold: settings.relativeThreshold, minArea: settings.minArea,
            keep: settings.maxComponents)
        if width != frameWidth || height != frameHeight {
            // Pixel centres map through the same half-pixel convention as Bilinear.
            let sx = Double(frameWidth) / Double(width), sy = Double(frameHeight) / Double(height)
            for i in components.indices {
                components[i].u = (components[i].u + 0.5) * sx - 0.5
                components[i].v = (components[i].v + 0.5) * sy - 0.5
            }
        }
        return ActionResult(action: raw.action, heatmap: heatmap, components: components)
    }

    /// `(x - min) / (max - min + eps)`.
    public static func normalised(_ map: Heatmap) -> Heatmap {
        var values = map.values
        values.withUnsafeMutableBufferPointer { buffer in
            guard var low = buffer.first else { return }
            var high = low
            for value in buffer {
                low = min(low, value)
                high = max(high, value)
            }
            let scale = 1 / (high - low + epsilon)
            for index in buffer.indices { buffer[index] = (buffer[index] - low) * scale }
        }
        return Heatmap(width: map.width, height: map.height, values: values)
    }

    /// Connected regions at or above `relativeThreshold` of the peak, largest score mass first.
    public static func components(
        of map: Heatmap, relativeThreshold: Float, minArea: Int, keep: Int
    ) -> [AffordanceComponent] {
        guard let peak = map.values.max(), peak > 0 else { return [] }
        let cut = relativeThreshold * peak
        let mask = map.values.map { $0 >= cut && $0 > 0 }
        let labels = ConnectedComponents.label(mask, width: map.width, height: map.height)
        guard labels.count > 0 else { return [] }

        struct Accumulator { var mass = 0.0, sumU = 0.0, sumV = 0.0, area = 0, peak: Float = 0 }
        var stats = [Accumulator](repeating: Accumulator(), count: labels.count + 1)
        stats.withUnsafeMutableBufferPointer { stats in
            map.values.withUnsafeBufferPointer { scores in
                labels.labels.withUnsafeBufferPointer { labels in
                    for y in 0..<map.height {
                        let row = y * map.width
                        for x in 0..<map.width where labels[row + x] != 0 {
                            let label = Int(labels[row + x])
                            let score = scores[row + x]
                            stats[label].mass += Double(score)
                            stats[label].sumU += Double(score) * Double(x)
                            stats[label].sumV += Double(score) * Double(y)
                            stats[label].area += 1
                            stats[label].peak = max(stats[label].peak, score)
                        }
                    }
                }
            }
        }
        let ranked = stats.dropFirst()
            .filter { $0.area >= minArea && $0.mass > 0 }
            .sorted { $0.mass > $1.mass }
            .prefix(max(0, keep))
        return ranked.map {
            AffordanceComponent(u: $0.sumU / $0.mass, v: $0.sumV / $0.mass, area: $0.area,
                                peak: $0.peak, mean: Float($0.mass / Double($0.area)))
        }
    }
}
