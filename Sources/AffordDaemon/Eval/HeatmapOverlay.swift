import AffordCore

/// Draws a heatmap over an image for people to look at: colormap blend, centroid crosses, each
/// component's major axis as a line through its centroid, and zoom's region outlines.
enum HeatmapOverlay {
    /// `heatmap` (0...1) is resized to the image; `opacity` weights the colour map; `regions`
    /// (frame pixels of an image this size) are outlined.
    static func render(_ image: RGBImage, heatmap: Heatmap, components: [AffordanceComponent],
                              regions: [RegionBox] = [], opacity: Float = 0.5) -> RGBImage {
        let map = Bilinear.resize(heatmap, width: image.width, height: image.height)
        var pixels = image.pixels
        for index in 0..<(image.width * image.height) {
            let colour = jet(map.values[index])
            for channel in 0..<3 {
                let base = Float(pixels[index * 3 + channel])
                pixels[index * 3 + channel] = UInt8(max(0, min(255, base + (colour[channel] - base) * opacity)))
            }
        }
        let arm = max(4, min(image.width, image.height) / 40)
        for component in components { drawAxis(&pixels, image, component) }
        for centroid in components {
            let cx = Int(centroid.u.rounded()), cy = Int(centroid.v.rounded())
            for offset in -arm...arm {
                for thickness in -1...1 {
                    mark(&pixels, image, cx + offset, cy + thickness)
                    mark(&pixels, image, cx + thickness, cy + offset)
                }
            }
        }
        for region in regions {
            let right = region.x + region.width - 1, bottom = region.y + region.height - 1
            for x in region.x...max(region.x, right) {
                mark(&pixels, image, x, region.y)
                mark(&pixels, image, x, bottom)
            }
            for y in region.y...max(region.y, bottom) {
                mark(&pixels, image, region.x, y)
                mark(&pixels, image, right, y)
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }

    /// Magenta, so the axis stands apart from the white crosses and outlines.
    static let axisColour: (UInt8, UInt8, UInt8) = (255, 0, 255)

    /// The major axis from centroid − length/2 to centroid + length/2; none for a round blob,
    /// whose axis means nothing.
    private static func drawAxis(_ pixels: inout [UInt8], _ image: RGBImage, _ component: AffordanceComponent) {
        guard let shape = component.shape, !shape.isIsotropic, shape.lengthPx.isFinite,
              component.u.isFinite, component.v.isFinite else { return }
        // Bounded by the image diagonal so a huge length cannot make a huge loop.
        let diagonal = Double(image.width + image.height)
        let half = min(shape.lengthPx / 2, diagonal)
        let steps = Int((2 * half).rounded(.up)) * 2
        guard steps > 0 else { return }
        for step in 0...steps {
            let t = -half + 2 * half * Double(step) / Double(steps)
            let x = component.u + t * shape.axis.x, y = component.v + t * shape.axis.y
            mark(&pixels, image, Int(x.rounded()), Int(y.rounded()), colour: axisColour)
        }
    }

    private static func mark(_ pixels: inout [UInt8], _ image: RGBImage, _ x: Int, _ y: Int,
                             colour: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let index = (y * image.width + x) * 3
        pixels[index] = colour.0
        pixels[index + 1] = colour.1
        pixels[index + 2] = colour.2
    }

    /// The classic jet ramp: blue, cyan, yellow, red.
    static func jet(_ value: Float) -> [Float] {
        let v = max(0, min(1, value))
        func ramp(_ centre: Float) -> Float { max(0, min(1, 1.5 - abs(4 * v - centre))) * 255 }
        return [ramp(3), ramp(2), ramp(1)]
    }
}
