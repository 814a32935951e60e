/// A rectangle of a frame in frame pixels: columns `x ..< x + width`, rows `y ..< y + height`.
/// Zoom's regions are these (square unless the frame is smaller than the region).
public struct RegionBox: Sendable, Equatable, Hashable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Whether the point (frame pixels, origin at the top-left pixel's centre) lies in the box.
    public func contains(u: Double, v: Double) -> Bool {
        u >= Double(x) - 0.5 && u < Double(x + width) - 0.5 && v >= Double(y) - 0.5 && v < Double(y + height) - 0.5
    }
}
