import AffordCore

/// Writes zoomed region maps back into frame coordinates.
///
/// The result, on a canvas of the output size, is `max(weight · whole, region maps)`: the
/// whole-frame map (upsampled, min-max normalised) at a reduced weight everywhere, and each
/// region's map (normalised on its grid, scaled by its presence relative to the best region's)
/// resampled into its box; where boxes overlap the larger value wins. A canvas pixel belongs to
/// a box when its centre, in frame pixels, lies in the box. Resampling follows `Bilinear`'s
/// half-pixel convention, so on a frame-sized canvas a box holds exactly
/// `Bilinear.resize(regionMap, box.width, box.height)`.
public enum ZoomMerge {
    /// One grounded region: its box in frame pixels and its raw map on the patch grid.
    public struct Region: Sendable {
        var box: RegionBox
        var map: ActionMap

        public init(box: RegionBox, map: ActionMap) {
            self.box = box
            self.map = map
        }
    }

    /// The merged map of one action at `canvasWidth`×`canvasHeight`, and its presence: the
    /// best region's (the whole frame's when there are no regions).
    public static func merge(
        whole: ActionMap, regions: [Region], frameWidth: Int, frameHeight: Int,
        canvasWidth: Int, canvasHeight: Int, outsideWeight: Float
    ) -> ActionMap {
        let resize = whole.map.width == canvasWidth && whole.map.height == canvasHeight ? nil
            : Bilinear.Separable(sourceWidth: whole.map.width, sourceHeight: whole.map.height,
                                 targetWidth: canvasWidth, targetHeight: canvasHeight)
        guard !regions.isEmpty else {
            return ActionMap(action: whole.action, map: resize?.resize(whole.map) ?? whole.map, presence: whole.presence)
        }
        var canvas = resize?.resizeNormalised(whole.map) ?? HeatmapPostprocessor.normalised(whole.map)
        canvas.values.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            // 16 lanes, then the tail: the same products, vectorised.
            let whole = values.count / 16 * 16
            for start in stride(from: 0, to: whole, by: 16) {
                let value = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(base + start).storeBytes(of: value * outsideWeight, as: SIMD16<Float>.self)
            }
            for index in whole..<values.count { base[index] *= outsideWeight }
        }
        let presences = regions.compactMap(\.map.presence)
        let best = presences.count == regions.count ? presences.max() : nil
        for region in regions {
            // A crop where the action is less likely than in the best one counts for less.
            let weight: Float = if let best, best > 0, let presence = region.map.presence { max(0, presence / best) } else { 1 }
            paste(HeatmapPostprocessor.normalised(region.map.map), weight: weight, box: region.box,
                  frameWidth: frameWidth, frameHeight: frameHeight, into: &canvas)
        }
        return ActionMap(action: whole.action, map: canvas, presence: best ?? whole.presence)
    }

    /// `max(canvas, weight · map resampled into box)` over the canvas pixels inside the box.
    /// Separable: each grid row is interpolated across the box's columns once, then canvas
    /// rows blend two of those, with the per-pixel formula's arithmetic in the same order.
    static func paste(_ map: Heatmap, weight: Float, box: RegionBox, frameWidth: Int, frameHeight: Int,
                      into canvas: inout Heatmap) {
        let columns = BoxAxis(box: box.x, span: box.width, grid: map.width, frame: frameWidth, canvas: canvas.width)
        let rows = BoxAxis(box: box.y, span: box.height, grid: map.height, frame: frameHeight, canvas: canvas.height)
        // The kept columns are one contiguous run of canvas pixels (`BoxAxis` keeps an interval).
        guard let firstColumn = columns.taps.first?.canvas, !rows.taps.isEmpty else { return }
        let count = columns.taps.count, width = canvas.width
        var across = [Float](repeating: 0, count: map.height * count)
        map.values.withUnsafeBufferPointer { source in
            for y in 0..<map.height {
                let row = y * map.width
                for (index, column) in columns.taps.enumerated() {
                    let left = source[row + column.lower], right = source[row + column.upper]
                    across[y * count + index] = left + (right - left) * column.fraction
                }
            }
        }
        canvas.values.withUnsafeMutableBufferPointer { target in
            across.withUnsafeBufferPointer { across in
                guard let target = target.baseAddress, let across = across.baseAddress else { return }
                for row in rows.taps {
                    blendMax(upper: across + row.lower * count, lower: across + row.upper * count, fraction: row.fraction,
                             weight: weight, into: target + row.canvas * width + firstColumn, count: count)
                }
            }
        }
    }

    /// `target = max(target, weight · (upper + (lower - upper) · fraction))`, 16 lanes at a time
    /// with the scalar tail's arithmetic; `max` keeps the target unless the value is at least it.
    static func blendMax(upper: UnsafePointer<Float>, lower: UnsafePointer<Float>, fraction: Float, weight: Float,
                         into target: UnsafeMutablePointer<Float>, count: Int) {
        let whole = count / 16 * 16
        for start in stride(from: 0, to: whole, by: 16) {
            let top = UnsafeRawPointer(upper + start).loadUnaligned(as: SIMD16<Float>.self)
            let bottom = UnsafeRawPointer(lower + start).loadUnaligned(as: SIMD16<Float>.self)
            let current = UnsafeRawPointer(target + start).loadUnaligned(as: SIMD16<Float>.self)
            let value = weight * (top + (bottom - top) * fraction)
            UnsafeMutableRawPointer(target + start).storeBytes(of: current.replacing(with: value, where: value .>= current),
                                                               as: SIMD16<Float>.self)
        }
        for x in whole..<count { target[x] = max(target[x], weight * (upper[x] + (lower[x] - upper[x]) * fraction)) }
    }

    /// The smallest box of `boxes` that contains the point (frame pixels), if any.
    public static func region(containing u: Double, _ v: Double, in boxes: [RegionBox]) -> RegionBox? {
        boxes.filter { $0.contains(u: u, v: v) }.min { $0.width * $0.height < $1.width * $1.height }
    }
}

/// For one axis: the canvas pixels whose centres fall in the box, and where each samples the
/// region's grid (`Bilinear.Axis`'s arithmetic, at the box-local position of that centre).
struct BoxAxis {
    struct Tap {
        var canvas: Int
        var lower: Int
        var upper: Int
        var fraction: Float
    }

    let taps: [Tap]

    init(box start: Int, span: Int, grid: Int, frame: Int, canvas: Int) {
        guard span > 0, grid > 0, frame > 0, canvas > 0 else {
            taps = []
            return
        }
        let toFrame = Double(frame) / Double(canvas)
        let toGrid = Double(grid) / Double(span)
        var taps: [Tap] = []
        // Canvas pixel c has its centre at frame position (c + 0.5)·toFrame - 0.5.
        let first = max(0, Int(((Double(start) / toFrame) - 0.5).rounded(.down)))
        let last = min(canvas - 1, Int((Double(start + span) / toFrame).rounded(.up)))
        if first <= last {
            for c in first...last {
                let local = (Double(c) + 0.5) * toFrame - 0.5 - Double(start)
                guard local >= -0.5, local < Double(span) - 0.5 else { continue }
                let position = max(0, (local + 0.5) * toGrid - 0.5)
                let lower = min(Int(position), grid - 1)
                taps.append(Tap(canvas: c, lower: lower, upper: min(lower + 1, grid - 1),
                                fraction: Float(position - Double(lower))))
            }
        }
        self.taps = taps
    }
}
