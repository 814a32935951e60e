import AffordCore

/// Proposes zoom regions from the whole-frame pass's own maps.
///
/// Objectness per patch is the strongest requested action there: each map min-max normalised
/// and weighted by its presence (1 for a head without one). Objects are found by hysteresis:
/// 8-connected components at or above `extentShare` of the peak that hold a patch at or above
/// `seedShare` of it. The whole frame's map often lights only part of an object (a plate's rim
/// on one side), so the weaker patches around a seed widen the box to the rest of it.
/// Largest score mass first, each object becomes a square box `margin` times its longer side,
/// centred on it, at least `minRegionPixels` and at most the frame's shorter side, shifted
/// (never squeezed) to lie inside the frame: crops keep the object's aspect. The objects of
/// the model's whole vocabulary may follow the requested actions' own (`propose(_:alsoFrom:…)`).
public struct RegionProposer: Sendable {
    var settings: ZoomSettings
    /// The share of the objectness peak that makes a patch an object's seed.
    var seedShare: Float = 0.5
    /// The share a patch connected to a seed needs to count in that object's extent.
    var extentShare: Float = 0.25

    public init(settings: ZoomSettings) { self.settings = settings }

    /// Up to `maxRegions` boxes in frame pixels, strongest object first: the objects of `maps`,
    /// then those of `vocabularyMaps` that no box holds yet. The second list finds an object the
    /// requested actions' whole-frame maps miss (a spoon whose "hold" map lit a marker, while
    /// "scoop" lit the spoon), so that its crop is grounded for them too.
    public func propose(_ maps: [ActionMap], alsoFrom vocabularyMaps: [ActionMap] = [],
                        frameWidth: Int, frameHeight: Int) -> [RegionBox] {
        var boxes: [RegionBox] = []
        for box in objects(maps, frameWidth: frameWidth, frameHeight: frameHeight)
            + objects(vocabularyMaps, frameWidth: frameWidth, frameHeight: frameHeight) where boxes.count < settings.maxRegions {
            // A weaker object already inside a stronger one's region adds a crop, not information.
            if !boxes.contains(where: { Self.overlap(box, $0) >= 0.7 }) { boxes.append(box) }
        }
        return boxes
    }

    /// Every object's box, largest score mass first.
    private func objects(_ maps: [ActionMap], frameWidth: Int, frameHeight: Int) -> [RegionBox] {
        guard let first = maps.first, frameWidth > 0, frameHeight > 0 else { return [] }
        let gridWidth = first.map.width, gridHeight = first.map.height
        var objectness = [Float](repeating: 0, count: gridWidth * gridHeight)
        for map in maps where map.map.width == gridWidth && map.map.height == gridHeight {
            let weight = map.presence.map { $0.isFinite ? max(0, $0) : 0 } ?? 1
            let normalised = HeatmapPostprocessor.normalised(map.map).values
            for index in objectness.indices { objectness[index] = max(objectness[index], weight * normalised[index]) }
        }
        guard let peak = objectness.max(), peak > 0 else { return [] }
        let labels = ConnectedComponents.label(objectness.map { $0 >= extentShare * peak },
                                               width: gridWidth, height: gridHeight)
        guard labels.count > 0 else { return [] }
        var seeded = [Bool](repeating: false, count: labels.count + 1)
        for (index, value) in objectness.enumerated() where value >= seedShare * peak {
            seeded[Int(labels.labels[index])] = true
        }

        struct Extent { var mass: Double = 0, left = Int.max, top = Int.max, right = -1, bottom = -1 }
        var extents = [Extent](repeating: Extent(), count: labels.count + 1)
        for y in 0..<gridHeight {
            for x in 0..<gridWidth {
                let label = Int(labels.labels[y * gridWidth + x])
                guard label > 0, seeded[label] else { continue }
                extents[label].mass += Double(objectness[y * gridWidth + x])
                extents[label].left = min(extents[label].left, x)
                extents[label].right = max(extents[label].right, x)
                extents[label].top = min(extents[label].top, y)
                extents[label].bottom = max(extents[label].bottom, y)
            }
        }
        // A patch of the grid covers frameWidth / gridWidth pixels (the whole frame is squeezed
        // into the square input, so the two axes may differ).
        let cellWidth = Double(frameWidth) / Double(gridWidth), cellHeight = Double(frameHeight) / Double(gridHeight)
        let objects = extents.indices.dropFirst().filter { seeded[$0] }.map { extents[$0] }
        return objects.sorted(by: { $0.mass > $1.mass }).map { extent in
            square(left: Double(extent.left) * cellWidth, right: Double(extent.right + 1) * cellWidth,
                   top: Double(extent.top) * cellHeight, bottom: Double(extent.bottom + 1) * cellHeight,
                   frameWidth: frameWidth, frameHeight: frameHeight)
        }
    }

    /// The square region around one object's extent (frame pixels, right and bottom exclusive).
    public func square(left: Double, right: Double, top: Double, bottom: Double,
                       frameWidth: Int, frameHeight: Int) -> RegionBox {
        let shorter = min(frameWidth, frameHeight)
        let wanted = (max(right - left, bottom - top) * settings.margin).rounded()
        let side = min(shorter, max(min(settings.minRegionPixels, shorter), Int(wanted)))
        let x = Self.clamp(Int(((left + right - Double(side)) / 2).rounded()), 0, frameWidth - side)
        let y = Self.clamp(Int(((top + bottom - Double(side)) / 2).rounded()), 0, frameHeight - side)
        return RegionBox(x: x, y: y, width: side, height: side)
    }

    /// The share of `inner`'s area that lies in `outer`.
    static func overlap(_ inner: RegionBox, _ outer: RegionBox) -> Double {
        let width = min(inner.x + inner.width, outer.x + outer.width) - max(inner.x, outer.x)
        let height = min(inner.y + inner.height, outer.y + outer.height) - max(inner.y, outer.y)
        guard width > 0, height > 0, inner.width > 0, inner.height > 0 else { return 0 }
        return Double(width * height) / Double(inner.width * inner.height)
    }

    private static func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { max(low, min(high, value)) }
}
