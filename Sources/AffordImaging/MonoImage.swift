/// A tightly packed 8-bit greyscale image (masks, depth previews, mono cameras).
public struct MonoImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `width * height` bytes, row-major, no padding.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "MonoImage needs width*height bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
