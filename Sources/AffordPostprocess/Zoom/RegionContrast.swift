import AffordCore
import CAffordMath

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much each pixel of a zoom region stands out from that region's own border.
///
/// A region is a few times larger than its object, so its border band is the surface around
/// it: board, paper, cloth, a marker. The border's colours are clustered (CIELAB, k-means), and
/// a pixel's weight is a soft step of its distance to the nearest cluster. Multiplying the merged
/// map by `floor + (1 - floor) · weight` keeps the 16×16 grid's blur off the surface next to a
/// thin handle. A weight map is per frame, shared by every action.
public enum RegionContrast {
    /// The CIELAB distance at which a pixel counts as half object, and the step's softness.
    /// Chosen on the renders and photos of docs/DEFAULT_MODEL.md ("Region contrast").
    static let threshold: Float = 8
    static let softness: Float = 3
    /// Background colours per region, and Lloyd iterations.
    static let clusters = 6
    static let iterations = 8
    /// At most this many border pixels take part in the clustering (evenly subsampled).
    static let maximumSamples = 1024

    /// Which row kernel computes the weights: the tables (`afm_contrast_row`, what runs), or
    /// `reference`, the plain definition with libm's cube root and exp.
    public enum Kernel: Sendable { case tables, reference }

    /// The weight of every pixel of a `canvasWidth`×`canvasHeight` canvas (the merged maps'
    /// grid): 1 outside every box, the lowest box's weight where boxes overlap.
    /// `image` may be decoded at another scale than the `frameWidth`×`frameHeight` frame.
    /// `level` picks a SIMD level of the tables (tests); the CPU's widest by default.
    public static func weights(
        image: RGBImage, boxes: [RegionBox], frameWidth: Int, frameHeight: Int, canvasWidth: Int, canvasHeight: Int,
        kernel: Kernel = .tables, level: Int32? = nil
    ) -> Heatmap {
        var canvas = Heatmap(width: canvasWidth, height: canvasHeight, repeating: 1)
        // The C kernel takes 32-bit byte offsets.
        guard image.width > 0, image.height > 0, frameWidth > 0, frameHeight > 0, image.pixels.count <= Int32.max
        else { return canvas }
        let tableLevel = level ?? afm_best_level()
        let toImageX = Double(image.width) / Double(frameWidth), toImageY = Double(image.height) / Double(frameHeight)
        for box in boxes {
            let background = backgroundColours(image: image, box: box, toImageX: toImageX, toImageY: toImageY)
            let columns = BoxAxis(box: box.x, span: box.width, grid: 1, frame: frameWidth, canvas: canvasWidth)
            let rows = BoxAxis(box: box.y, span: box.height, grid: 1, frame: frameHeight, canvas: canvasHeight)
            // The box's canvas columns are one contiguous run (`BoxAxis` keeps an interval).
            guard !background.isEmpty, let firstColumn = columns.taps.first?.canvas else { continue }
            let imageColumns = columns.taps.map { imageIndex(canvas: $0.canvas, canvasSide: canvasWidth, frameSide: frameWidth,
                                                             toImage: toImageX, imageSide: image.width) }
            var offsets = [Int32](repeating: 0, count: imageColumns.count)
            let centres = background.flatMap { [$0.l, $0.a, $0.b] }
            image.pixels.withUnsafeBufferPointer { pixels in
                canvas.values.withUnsafeMutableBufferPointer { values in
                    guard let values = values.baseAddress else { return }
                    for row in rows.taps {
                        let imageRow = imageIndex(canvas: row.canvas, canvasSide: canvasHeight, frameSide: frameHeight,
                                                  toImage: toImageY, imageSide: image.height)
                        for (index, column) in imageColumns.enumerated() {
                            offsets[index] = Int32((imageRow * image.width + column) * 3)
                        }
                        let target = values + row.canvas * canvasWidth + firstColumn
                        switch kernel {
                        case .tables:
                            tabledRow(level: tableLevel, pixels: pixels, offsets: offsets, centres: centres, into: target)
                        case .reference:
                            referenceRow(pixels: pixels, offsets: offsets, background: background, into: target)
                        }
                    }
                }
            }
        }
        return canvas
    }

    /// `target[i] = min(target[i], step(distance of pixel i to the nearest background colour))`, the plain way.
    static func referenceRow(pixels: UnsafeBufferPointer<UInt8>, offsets: [Int32], background: [Lab],
                             into target: UnsafeMutablePointer<Float>) {
        for (index, offset) in offsets.map(Int.init).enumerated() {
            let colour = Lab(red: pixels[offset], green: pixels[offset + 1], blue: pixels[offset + 2])
            var nearest = Float.infinity
            for centre in background { nearest = min(nearest, colour.squaredDistance(to: centre)) }
            let weight = 1 / (1 + exp(-(nearest.squareRoot() - threshold) / softness))
            target[index] = min(target[index], weight)
        }
    }

    /// `referenceRow` with the sRGB transfer, the cube root and the step read from tables
    /// (`afm_contrast_row`, linear interpolation): within 1e-3 of it, and many times faster.
    /// `centres` holds the background colours as l, a, b triples.
    static func tabledRow(level: Int32, pixels: UnsafeBufferPointer<UInt8>, offsets: [Int32], centres: [Float],
                          into target: UnsafeMutablePointer<Float>) {
        Lab.linear.withUnsafeBufferPointer { linear in
            Table.cubeRoot.values.withUnsafeBufferPointer { roots in
                Table.step.values.withUnsafeBufferPointer { steps in
                    var tables = afm_contrast_tables(
                        linear: linear.baseAddress,
                        cube_root: afm_table(values: roots.baseAddress, count: Int32(roots.count), per_unit: Table.cubeRoot.perUnit),
                        step: afm_table(values: steps.baseAddress, count: Int32(steps.count), per_unit: Table.step.perUnit))
                    afm_contrast_row(level, pixels.baseAddress, pixels.count, offsets, Int32(offsets.count), &tables,
                                     centres, Int32(centres.count / 3), target)
                }
            }
        }
    }

    /// A function sampled on [0, upper], for `afm_table` (read with linear interpolation and
    /// clamped at the ends).
    struct Table {
        let values: [Float]
        let perUnit: Float

        init(upper: Float, samples: Int, _ function: (Float) -> Float) {
            perUnit = Float(samples - 1) / upper
            values = (0..<samples).map { [perUnit] in function(Float($0) / perUnit) }
        }

        /// CIELAB's `f` on XYZ/white up to 1.1 (sRGB white is 1): 1e-6 off `Lab.f` above the knee.
        static let cubeRoot = Table(upper: 1.1, samples: 4096, Lab.f)
        /// The logistic step up to 64 CIELAB units, past which it is 1 within 1e-9.
        static let step = Table(upper: 64, samples: 1025) { 1 / (1 + exp(-($0 - threshold) / softness)) }
    }

    /// `map · (floor + (1 - floor) · weights)`, in place; the two share a grid.
    public static func apply(_ weights: Heatmap, floor: Float, to map: inout Heatmap) {
        guard weights.width == map.width, weights.height == map.height, floor < 1 else { return }
        let rest = 1 - floor
        weights.values.withUnsafeBufferPointer { weights in
            map.values.withUnsafeMutableBufferPointer { values in
                guard let weight = weights.baseAddress, let value = values.baseAddress else { return }
                // 16 lanes with the scalar tail's arithmetic, so it vectorises.
                let whole = values.count / 16 * 16
                for start in stride(from: 0, to: whole, by: 16) {
                    let w = UnsafeRawPointer(weight + start).loadUnaligned(as: SIMD16<Float>.self)
                    let v = UnsafeRawPointer(value + start).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(value + start).storeBytes(of: v * (floor + rest * w), as: SIMD16<Float>.self)
                }
                for index in whole..<values.count { value[index] *= floor + rest * weight[index] }
            }
        }
    }

    /// The image pixel whose area holds a canvas pixel's centre.
    static func imageIndex(canvas: Int, canvasSide: Int, frameSide: Int, toImage: Double, imageSide: Int) -> Int {
        let frame = (Double(canvas) + 0.5) * Double(frameSide) / Double(canvasSide)
        return max(0, min(imageSide - 1, Int(frame * toImage)))
    }

    /// The k-means centres of the colours in the box's border band (image pixels).
    static func backgroundColours(image: RGBImage, box: RegionBox, toImageX: Double, toImageY: Double) -> [Lab] {
        let left = max(0, Int((Double(box.x) * toImageX).rounded(.down)))
        let top = max(0, Int((Double(box.y) * toImageY).rounded(.down)))
        let right = min(image.width, Int((Double(box.x + box.width) * toImageX).rounded(.up)))
        let bottom = min(image.height, Int((Double(box.y + box.height) * toImageY).rounded(.up)))
        guard right > left, bottom > top else { return [] }
        let band = max(2, min(right - left, bottom - top) / 20)
        var positions: [Int] = []
        for y in top..<bottom {
            let inBand = y < top + band || y >= bottom - band
            for x in left..<right where inBand || x < left + band || x >= right - band { positions.append(y * image.width + x) }
        }
        let step = max(1, positions.count / maximumSamples)
        let samples = stride(from: 0, to: positions.count, by: step).map { index -> Lab in
            let pixel = positions[index] * 3
            return Lab(red: image.pixels[pixel], green: image.pixels[pixel + 1], blue: image.pixels[pixel + 2])
        }
        return kMeans(samples, count: clusters, iterations: iterations)
    }

    /// Lloyd's k-means with a deterministic start: the sample nearest the mean, then each sample
    /// farthest from the centres so far (a region's rare colours, a marker or a paper edge, get a
    /// centre too). Every centre starts on a border colour, so one that no sample chooses still is one.
    static func kMeans(_ samples: [Lab], count: Int, iterations: Int) -> [Lab] {
        let mean = Lab.mean(samples)
        guard count > 0, let first = samples.min(by: { $0.distance(to: mean) < $1.distance(to: mean) }) else { return [] }
        var centres = [first]
        var nearest = samples.map { $0.distance(to: first) }
        while centres.count < min(count, samples.count) {
            guard let far = nearest.indices.max(by: { nearest[$0] < nearest[$1] }), nearest[far] > 0 else { break }
            centres.append(samples[far])
            for index in samples.indices { nearest[index] = min(nearest[index], samples[index].distance(to: samples[far])) }
        }
        for _ in 0..<iterations {
            var sums = [Lab](repeating: Lab(l: 0, a: 0, b: 0), count: centres.count)
            var members = [Int](repeating: 0, count: centres.count)
            for sample in samples {
                var closest = 0, best = Float.infinity
                for (index, centre) in centres.enumerated() {
                    let distance = sample.squaredDistance(to: centre)
                    if distance < best { (closest, best) = (index, distance) }
                }
                sums[closest].l += sample.l
                sums[closest].a += sample.a
                sums[closest].b += sample.b
                members[closest] += 1
            }
            for index in centres.indices where members[index] > 0 {
                let n = Float(members[index])
                centres[index] = Lab(l: sums[index].l / n, a: sums[index].a / n, b: sums[index].b / n)
            }
        }
        return centres
    }

    /// A CIELAB colour (D65 white), from 8-bit sRGB.
    struct Lab: Equatable {
        var l: Float, a: Float, b: Float

        init(l: Float, a: Float, b: Float) {
            self.l = l
            self.a = a
            self.b = b
        }

        init(red: UInt8, green: UInt8, blue: UInt8) {
            let r = Self.linear[Int(red)], g = Self.linear[Int(green)], b = Self.linear[Int(blue)]
            let fx = Self.f((0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.950456)
            let fy = Self.f(0.212671 * r + 0.715160 * g + 0.072169 * b)
            let fz = Self.f((0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.088754)
            self.init(l: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz))
        }

        func squaredDistance(to other: Lab) -> Float {
            let dl = l - other.l, da = a - other.a, db = b - other.b
            return dl * dl + da * da + db * db
        }

        func distance(to other: Lab) -> Float { squaredDistance(to: other).squareRoot() }

        static func mean(_ colours: [Lab]) -> Lab {
            let n = Float(max(1, colours.count))
            return Lab(l: colours.reduce(0) { $0 + $1.l } / n, a: colours.reduce(0) { $0 + $1.a } / n,
                       b: colours.reduce(0) { $0 + $1.b } / n)
        }

        /// The sRGB transfer function undone, per 8-bit code.
        static let linear: [Float] = (0..<256).map { code in
            let c = Float(code) / 255
            return c <= 0.04045 ? c / 12.92 : powf((c + 0.055) / 1.055, 2.4)
        }

        static func f(_ t: Float) -> Float {
            t > 0.008856 ? cbrtf(t) : 7.787 * t + 16.0 / 116.0
        }
    }
}
