import AffordCore

/// The pixels of a region, cut from the decoded image.
public enum RegionCrop {
    /// `box` (frame pixels) cut from `image`, which may be decoded at another scale than the
    /// `frameWidth`×`frameHeight` frame (a DCT-scaled MJPEG decode): the box is scaled to the
    /// image and rounded outwards, so the crop covers at least the region.
    public static func crop(_ image: RGBImage, box: RegionBox, frameWidth: Int, frameHeight: Int) -> RGBImage {
        let sx = Double(image.width) / Double(max(1, frameWidth)), sy = Double(image.height) / Double(max(1, frameHeight))
        let left = max(0, min(image.width - 1, Int((Double(box.x) * sx).rounded(.down))))
        let top = max(0, min(image.height - 1, Int((Double(box.y) * sy).rounded(.down))))
        let right = max(left + 1, min(image.width, Int((Double(box.x + box.width) * sx).rounded(.up))))
        let bottom = max(top + 1, min(image.height, Int((Double(box.y + box.height) * sy).rounded(.up))))
        let width = right - left, height = bottom - top
        if width == image.width && height == image.height { return image }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for row in 0..<height {
                    let from = ((top + row) * image.width + left) * 3
                    let to = row * width * 3
                    for index in 0..<(width * 3) { target[to + index] = source[from + index] }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
