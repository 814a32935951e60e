/// Anything that yields frames: a V4L2 camera, a recorded log, still images, a synthetic pattern.
///
/// Sources are pulled from one dedicated thread, so `nextFrame()` may block
/// (on poll, on replay pacing). Returning nil means the stream ended normally;
/// throwing means it ended abnormally and says why.
public protocol FrameSource: AnyObject {
    /// The camera name frames are stamped with.
    var cameraName: String { get }
    /// Blocks until the next frame is available.
    func nextFrame() throws -> Frame?
    /// Releases the device or file; safe to call more than once.
    func close()
}
