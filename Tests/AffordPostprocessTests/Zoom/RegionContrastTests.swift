import AffordCore
import CAffordMath
import AffordTestSupport
import Foundation
import Testing
@testable import AffordPostprocess

/// The colour contrast of a region's pixels against its own border, on drawn scenes.
@Suite struct RegionContrastTests {
    /// A board (dark left half, white paper on the right) with a red bar across the middle.
    static func scene(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let onBar = abs(y - height / 2) < height / 10 && abs(x - width / 2) < width / 4
                let colour: (UInt8, UInt8, UInt8) = onBar ? (200, 30, 30) : x < width / 2 ? (60, 60, 60) : (230, 230, 225)
                let index = (y * width + x) * 3
                (pixels[index], pixels[index + 1], pixels[index + 2]) = colour
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Published CIE values (D65): white, sRGB red, mid grey.
    @Test func labMatchesTheStandardConversion() {
        let cases: [((UInt8, UInt8, UInt8), (Float, Float, Float))] = [
            ((255, 255, 255), (100, 0, 0)), ((255, 0, 0), (53.24, 80.09, 67.20)), ((128, 128, 128), (53.59, 0, 0)),
        ]
        for ((r, g, b), (l, a, bb)) in cases {
            let lab = RegionContrast.Lab(red: r, green: g, blue: b)
            #expect(abs(lab.l - l) < 0.05 && abs(lab.a - a) < 0.05 && abs(lab.b - bb) < 0.05, "\(r),\(g),\(b) -> \(lab)")
        }
    }

    /// A surface pixel sits on a centre: the step at distance 0.
    static let onSurface: Float = 1 / (1 + exp(RegionContrast.threshold / RegionContrast.softness)) + 1e-4

    @Test func theObjectStandsOutAndBothSurfacesDoNot() {
        let image = Self.scene(width: 200, height: 150)
        let box = RegionBox(x: 10, y: 10, width: 180, height: 130)
        let weights = RegionContrast.weights(image: image, boxes: [box], frameWidth: 200, frameHeight: 150,
                                             canvasWidth: 200, canvasHeight: 150)
        #expect(weights[100, 75] > 0.99, "the bar")
        #expect(Self.onSurface < 0.07)
        #expect(weights[30, 30] <= Self.onSurface && weights[170, 120] <= Self.onSurface, "board and paper")
        #expect(weights[5, 5] == 1 && weights[195, 145] == 1, "outside the box nothing changes")
    }

    /// A half-scale decode (a DCT-scaled MJPEG frame) and a smaller canvas sample the same places.
    @Test func anImageAtAnotherScaleAndASmallerCanvasAgree() {
        let full = RegionContrast.weights(image: Self.scene(width: 200, height: 150), boxes: [RegionBox(x: 0, y: 0, width: 200, height: 150)],
                                          frameWidth: 200, frameHeight: 150, canvasWidth: 100, canvasHeight: 75)
        let half = RegionContrast.weights(image: Self.scene(width: 100, height: 75), boxes: [RegionBox(x: 0, y: 0, width: 200, height: 150)],
                                          frameWidth: 200, frameHeight: 150, canvasWidth: 100, canvasHeight: 75)
        #expect(full[50, 37] > 0.99 && half[50, 37] > 0.99)
        #expect(full[10, 10] <= Self.onSurface && half[10, 10] <= Self.onSurface)
    }

    /// Where boxes overlap the lower weight wins: a box whose border is red sees the bar as surface.
    @Test func overlappingBoxesKeepTheLowerWeight() {
        let image = Self.scene(width: 200, height: 150)
        let onBar = RegionBox(x: 80, y: 70, width: 40, height: 10)
        let around = RegionBox(x: 0, y: 0, width: 200, height: 150)
        let alone = RegionContrast.weights(image: image, boxes: [around], frameWidth: 200, frameHeight: 150, canvasWidth: 200, canvasHeight: 150)
        let both = RegionContrast.weights(image: image, boxes: [around, onBar], frameWidth: 200, frameHeight: 150, canvasWidth: 200, canvasHeight: 150)
        #expect(alone[100, 75] > 0.99 && both[100, 75] <= Self.onSurface)
        #expect(both[30, 30] == alone[30, 30])
    }

    /// The tabled kernel that runs against the plain one, on noise (every colour, every distance)
    /// with overlapping boxes, a half-scale decode and a canvas of another size.
    @Test func theTabledKernelMatchesTheReference() {
        var random = SplitMix64(seed: 17)
        let image = RGBImage(width: 160, height: 120, pixels: (0..<(160 * 120 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let boxes = [RegionBox(x: 0, y: 0, width: 240, height: 240), RegionBox(x: 300, y: 100, width: 20, height: 140),
                     RegionBox(x: 100, y: 50, width: 150, height: 150)]
        for canvas in [(320, 240), (211, 97)] {
            let tabled = RegionContrast.weights(image: image, boxes: boxes, frameWidth: 320, frameHeight: 240,
                                                canvasWidth: canvas.0, canvasHeight: canvas.1)
            let reference = RegionContrast.weights(image: image, boxes: boxes, frameWidth: 320, frameHeight: 240,
                                                   canvasWidth: canvas.0, canvasHeight: canvas.1, kernel: .reference)
            let worst = zip(tabled.values, reference.values).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-3, "\(canvas): \(worst)")
            #expect(reference.values.contains { $0 < 0.5 } && reference.values.contains { $0 > 0.5 && $0 < 1 })
        }
    }

    /// Every SIMD level of the tabled row against the scalar level, bit for bit: noise, overlapping
    /// boxes, a canvas of another size, and rows that end at the image's last byte (the SIMD
    /// levels read 4 bytes a pixel and leave such pixels to the scalar loop).
    @Test(arguments: Array(0...afm_best_level())) func everyLevelGivesTheScalarBits(level: Int32) {
        var random = SplitMix64(seed: 23)
        let image = RGBImage(width: 160, height: 120, pixels: (0..<(160 * 120 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let boxes = [RegionBox(x: 0, y: 0, width: 240, height: 240), RegionBox(x: 280, y: 200, width: 40, height: 40),
                     RegionBox(x: 100, y: 50, width: 150, height: 150)]
        for canvas in [(320, 240), (211, 97), (160, 120)] {
            let scalar = RegionContrast.weights(image: image, boxes: boxes, frameWidth: 320, frameHeight: 240,
                                                canvasWidth: canvas.0, canvasHeight: canvas.1, level: 0)
            let simd = RegionContrast.weights(image: image, boxes: boxes, frameWidth: 320, frameHeight: 240,
                                              canvasWidth: canvas.0, canvasHeight: canvas.1, level: level)
            let differing = zip(scalar.values, simd.values).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "level \(level), canvas \(canvas): \(differing) weights differ")
            #expect(scalar.values.contains { $0 < 0.5 } && scalar.values.contains { $0 > 0.5 && $0 < 1 })
        }
    }

    @Test func applyMatchesTheScalarDefinition() {
        var random = SplitMix64(seed: 3)
        let weights = Heatmap(width: 37, height: 3, values: (0..<111).map { _ in Float(random.next() % 1001) / 1000 })
        var map = Heatmap(width: 37, height: 3, values: (0..<111).map { _ in Float(random.next() % 997) / 97 })
        let expected = zip(map.values, weights.values).map { $0 * (0.2 + (1 - 0.2) * $1) }
        RegionContrast.apply(weights, floor: 0.2, to: &map)
        #expect(map.values == expected)
    }

    @Test func applyScalesBetweenTheFloorAndOne() {
        var map = Heatmap(width: 2, height: 1, values: [1, 1])
        RegionContrast.apply(Heatmap(width: 2, height: 1, values: [0, 1]), floor: 0.2, to: &map)
        #expect(map.values == [0.2, 1])
        RegionContrast.apply(Heatmap(width: 2, height: 1, values: [0, 0]), floor: 1, to: &map)
        #expect(map.values == [0.2, 1], "floor 1 is off")
    }

    /// The start is deterministic and every colour of a two-colour border gets a centre.
    @Test func kMeansFindsEachSurfaceColour() {
        let dark = RegionContrast.Lab(red: 60, green: 60, blue: 60), light = RegionContrast.Lab(red: 230, green: 230, blue: 225)
        let samples = Array(repeating: dark, count: 30) + Array(repeating: light, count: 10)
        let centres = RegionContrast.kMeans(samples, count: 6, iterations: 8)
        #expect(centres == RegionContrast.kMeans(samples, count: 6, iterations: 8))
        #expect(centres.count == 2, "identical samples give no further centres")
        #expect(centres.contains { $0.distance(to: dark) < 1e-3 } && centres.contains { $0.distance(to: light) < 1e-3 })
        #expect(RegionContrast.kMeans([], count: 6, iterations: 8).isEmpty)
    }
}
