import AffordCore
import AffordImaging
import Foundation

/// Still images as a camera: one JPEG/PNG file or a directory of them in natural
/// name order ("frame2" before "frame10"), optionally looping and paced.
///
/// JPEGs are passed on as `.mjpeg` frames, so the consumer's `FrameDecoder` decodes them
/// with DCT scaling like camera frames; PNGs are decoded here to `.rgb8`.
public final class ImageFileSource: FrameSource {
    public let cameraName: String
    let files: [URL]
    private let loop: Bool
    private var pacer: FramePacer
    private var index = 0
    private var sequence: UInt64 = 0
    private var isClosed = false
    private let jpeg: JPEGDecoder

    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    /// `path` is a file or a directory; `fps` nil delivers as fast as the consumer pulls.
    public init(path: String, cameraName: String, loop: Bool = false, fps: Double? = nil) throws {
        self.cameraName = cameraName
        self.loop = loop
        pacer = FramePacer(fps: fps)
        jpeg = try JPEGDecoder()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AffordError(.io, "image source \(path) does not exist")
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted { $0.compare($1, options: [.numeric]) == .orderedAscending }
            files = names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            guard !files.isEmpty else { throw AffordError(.io, "image directory \(path) has no .jpg, .jpeg or .png files") }
        } else {
            guard Self.extensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased()) else {
                throw AffordError(.unsupported, "image source \(path) is not a .jpg, .jpeg or .png file")
            }
            files = [URL(fileURLWithPath: path)]
        }
    }

    public func nextFrame() throws -> Frame? {
        if isClosed { return nil }
        if index == files.count {
            guard loop else { return nil }
            index = 0
        }
        let file = files[index]
        index += 1
        let frame = try load(file)
        sequence += 1
        return frame
    }

    private func load(_ file: URL) throws -> Frame {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: file))
        } catch {
            throw AffordError(.io, "reading \(file.path): \(error.localizedDescription)")
        }
        let stamp = pacer.waitForNextFrame()
        do {
            if file.pathExtension.lowercased() == "png" {
                let image = try PNGCodec.decodeRGB(bytes)
                return Frame(pixels: image.pixels, width: image.width, height: image.height, format: .rgb8,
                             captureMonotonicNs: stamp, sequence: sequence, camera: cameraName)
            }
            let header = try bytes.withUnsafeBytes { try jpeg.header($0) }
            return Frame(pixels: bytes, width: header.width, height: header.height, format: .mjpeg,
                         captureMonotonicNs: stamp, sequence: sequence, camera: cameraName)
        } catch let error as AffordError {
            throw AffordError(error.code, "\(file.path): \(error.message)")
        }
    }

    public func close() { isClosed = true }
}
