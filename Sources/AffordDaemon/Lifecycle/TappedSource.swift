import AffordCore

/// A source that shows each frame to `tap` before handing it on.
public final class TappedSource: FrameSource {
    private let inner: FrameSource
    private let tap: ((Frame) -> Void)?
    public var cameraName: String { inner.cameraName }

    public init(_ inner: FrameSource, tap: ((Frame) -> Void)?) {
        self.inner = inner
        self.tap = tap
    }

    public func nextFrame() throws -> Frame? {
        let frame = try inner.nextFrame()
        if let frame { tap?(frame) }
        return frame
    }

    public func close() { inner.close() }
}
