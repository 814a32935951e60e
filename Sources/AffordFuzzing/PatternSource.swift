import AffordCore

/// `count` RGB frames of a colour gradient, then the end: unlike a flat frame, a demonstration
/// on it has a contact region that differs from the person, so the prototype is actually built.
final class PatternSource: FrameSource, @unchecked Sendable {
    // @unchecked: read only from the camera's capture thread, as FrameSource requires.
    let cameraName: String
    private let count: Int, width: Int, height: Int
    private var produced = 0

    init(camera: String, count: Int, width: Int, height: Int) {
        cameraName = camera
        self.count = count
        self.width = width
        self.height = height
    }

    func nextFrame() throws -> Frame? {
        guard produced < count else { return nil }
        produced += 1
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8(x * 255 / width)
                pixels[i + 1] = UInt8(y * 255 / height)
                pixels[i + 2] = UInt8(truncatingIfNeeded: (x + y) * 4 + produced)
            }
        }
        return Frame(pixels: pixels, width: width, height: height, format: .rgb8,
                     captureMonotonicNs: MonotonicClock.nowNs(), sequence: UInt64(produced), camera: cameraName)
    }

    func close() {}
}
