import AffordCore

/// 8-bit RGB resizing with AffordCore's bilinear taps, so images are resampled
/// exactly like heatmaps and the Python tool-chain.
public enum RGBResize {
    /// A bilinear resize (half-pixel centres, no antialiasing), rounded to nearest.
    public static func bilinear(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        if image.width == width && image.height == height { return image }
        let xs = Bilinear.Axis(sourceCount: image.width, targetCount: width)
        let ys = Bilinear.Axis(sourceCount: image.height, targetCount: height)
        let sourceRow = image.width * 3
        var output = [UInt8](repeating: 0, count: width * height * 3)
        var upperRow = [Float](repeating: 0, count: width * 3)
        var lowerRow = [Float](repeating: 0, count: width * 3)
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<height {
                interpolateRow(source, offset: ys.lower[y] * sourceRow, xs: xs, into: &upperRow)
                interpolateRow(source, offset: ys.upper[y] * sourceRow, xs: xs, into: &lowerRow)
                let fy = ys.fraction[y]
                for i in 0..<(width * 3) {
                    let value = upperRow[i] + (lowerRow[i] - upperRow[i]) * fy
                    output[y * width * 3 + i] = UInt8(min(max(value.rounded(), 0), 255))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }

    private static func interpolateRow(
        _ source: UnsafeBufferPointer<UInt8>, offset: Int, xs: Bilinear.Axis, into row: inout [Float]
    ) {
        for x in 0..<xs.lower.count {
            let left = offset + xs.lower[x] * 3
            let right = offset + xs.upper[x] * 3
            let fx = xs.fraction[x]
            for channel in 0..<3 {
                let a = Float(source[left + channel])
                row[x * 3 + channel] = a + (Float(source[right + channel]) - a) * fx
            }
        }
    }
}
