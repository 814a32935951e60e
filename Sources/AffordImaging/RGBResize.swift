import AffordCore

/// 8-bit RGB resizing with AffordCore's bilinear taps, so images are resampled
/// exactly like heatmaps and the Python tool-chain.
public enum RGBResize {
    /// A bilinear resize (half-pixel centres, no antialiasing), rounded to nearest.
    public static func bilinear(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        if image.width == width && image.height == height { return image }
        let xs = Bilinear.Axis(sourceCount: image.width, targetCount: width)
        let ys = Bilinear.Axis(sourceCount: image.height, targetCount: height)
        let rowFloats = width * 3
        var output = [UInt8](repeating: 0, count: width * height * 3)
        // Horizontal passes of the two source rows in use; consecutive output rows
        // usually share one, so each source row is resampled about once.
        var rows = [Float](repeating: 0, count: 2 * rowFloats)
        var cached = (-1, -1)
        image.pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { rows in
                output.withUnsafeMutableBufferPointer { output in
                    for y in 0..<height {
                        let wanted = (ys.lower[y], ys.upper[y])
                        if wanted.0 == cached.1 {
                            // Slide the previous lower row up instead of recomputing it.
                            for i in 0..<rowFloats { rows[i] = rows[rowFloats + i] }
                        } else if wanted.0 != cached.0 {
                            interpolateRow(source, row: wanted.0, width: image.width, xs: xs, into: rows, at: 0)
                        }
                        if wanted.1 != cached.1 || wanted.0 == cached.1 {
                            interpolateRow(source, row: wanted.1, width: image.width, xs: xs, into: rows, at: rowFloats)
                        }
                        cached = wanted
                        let fy = ys.fraction[y]
                        let base = y * rowFloats
                        for i in 0..<rowFloats {
                            let top = rows[i]
                            let value = top + (rows[rowFloats + i] - top) * fy
                            // Truncating value + 0.5 rounds like .rounded() for non-negative values,
                            // without a libm call per byte.
                            output[base + i] = UInt8(min(max(value, 0), 255) + 0.5)
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }

    private static func interpolateRow(
        _ source: UnsafeBufferPointer<UInt8>, row: Int, width: Int, xs: Bilinear.Axis,
        into rows: UnsafeMutableBufferPointer<Float>, at start: Int
    ) {
        let offset = row * width * 3
        for x in 0..<xs.lower.count {
            let left = offset + xs.lower[x] * 3
            let right = offset + xs.upper[x] * 3
            let fx = xs.fraction[x]
            for channel in 0..<3 {
                let a = Float(source[left + channel])
                rows[start + x * 3 + channel] = a + (Float(source[right + channel]) - a) * fx
            }
        }
    }
}
