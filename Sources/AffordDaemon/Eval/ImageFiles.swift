import AffordCapture
import AffordCore
import AffordImaging
import Foundation

/// Reads still images from disk by their extension.
enum ImageFiles {
    static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AffordError(.io, "cannot read \(path)")
        }
        return [UInt8](data)
    }

    /// A JPEG or PNG as RGB, through the same source and decoder cameras use. A damaged
    /// JPEG that still decodes (truncated scan, grey below) comes with libjpeg's warning.
    static func loadRGB(_ path: String) throws -> (image: RGBImage, warning: String?) {
        let source = try ImageFileSource(path: path, cameraName: "still")
        defer { source.close() }
        guard let frame = try source.nextFrame() else { throw AffordError(.io, "no image in \(path)") }
        let decoder = try FrameDecoder(warningPolicy: .accept)
        let image = try decoder.decode(frame)
        return (image, decoder.lastWarning.map { "\(path): damaged JPEG, decoded in part: \($0)" })
    }

    /// An 8-bit grayscale PNG as a float map of 0...255 values.
    static func loadGray(_ path: String) throws -> Heatmap {
        do {
            let image = try PNGCodec.decodeMono(bytes(path))
            return Heatmap(width: image.width, height: image.height, values: image.pixels.map(Float.init))
        } catch let error as AffordError {
            throw AffordError(error.code, "\(path): \(error.message)")
        }
    }

    /// Writes `map` (values in 0...1) as an 8-bit grayscale PNG, creating folders.
    static func saveGray(_ map: Heatmap, to path: String) throws {
        let pixels = map.values.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        let png = try PNGCodec.encode(MonoImage(width: map.width, height: map.height, pixels: pixels))
        try write(png, to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        } catch {
            throw AffordError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
