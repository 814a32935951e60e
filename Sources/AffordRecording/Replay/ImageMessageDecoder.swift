import AffordCore
import AffordImaging
import Foundation

/// Turns an image message of any schema replay understands into frame pixels.
struct ImageMessageDecoder {
    /// The image schemas replay can read, by (schema name, message encoding).
    enum Kind: Sendable {
        case foxgloveCompressed, foxgloveRaw, rosCompressed, rosRaw

        init?(schema: MCAPSchema?, channel: MCAPChannel) {
            switch (schema?.name, channel.messageEncoding) {
            case (FoxgloveSchemas.compressedImageName, "json"): self = .foxgloveCompressed
            case (FoxgloveSchemas.rawImageName, "json"): self = .foxgloveRaw
            case (ROS2Images.compressedImageSchema, "cdr"): self = .rosCompressed
            case (ROS2Images.imageSchema, "cdr"): self = .rosRaw
            default: return nil
            }
        }
    }

    struct Image {
        var pixels: [UInt8]
        var width: Int
        var height: Int
        var format: PixelFormat
        var stride: Int
        /// The stamp inside the message (capture time, CLOCK_REALTIME); 0 when it has none.
        var stampNs: UInt64
        /// A ROS header's `frame_id`; nil for Foxglove messages or an empty one.
        var frameID: String? = nil
    }

    private let decoder = JSONDecoder()

    func decode(_ data: [UInt8], kind: Kind, context: String) throws -> Image {
        switch kind {
        case .foxgloveCompressed:
            let message = try json(Foxglove.CompressedImage.self, data, context)
            return try compressed(Array(message.data), format: message.format, stampNs: message.timestamp.nanoseconds, context)
        case .foxgloveRaw:
            let message = try json(Foxglove.RawImage.self, data, context)
            return try raw(Array(message.data), width: Int(message.width), height: Int(message.height),
                           step: Int(message.step), encoding: message.encoding,
                           stampNs: message.timestamp.nanoseconds, context)
        case .rosCompressed:
            let message = try ROS2Images.decodeCompressedImage(data, context: context)
            var image = try compressed(message.data, format: message.format, stampNs: message.header.stampNs, context)
            image.frameID = message.header.frameID.isEmpty ? nil : message.header.frameID
            return image
        case .rosRaw:
            let message = try ROS2Images.decodeImage(data, context: context)
            var image = try raw(message.data, width: message.width, height: message.height, step: message.step,
                                encoding: message.encoding, stampNs: message.header.stampNs, context)
            image.frameID = message.header.frameID.isEmpty ? nil : message.header.frameID
            return image
        }
    }

    /// A depth image message: `16UC1` or `mono16` in millimetres, `32FC1` in metres (the ROS
    /// depth conventions), as a raw ROS or Foxglove image.
    func decodeDepth(_ data: [UInt8], kind: Kind, context: String) throws -> DepthImage {
        let width: Int, height: Int, step: Int, encoding: String, stampNs: UInt64, bigEndian: Bool, bytes: [UInt8]
        switch kind {
        case .rosRaw:
            let message = try ROS2Images.decodeImage(data, context: context)
            (width, height, step, encoding) = (message.width, message.height, message.step, message.encoding)
            (stampNs, bigEndian, bytes) = (message.header.stampNs, message.isBigEndian, message.data)
        case .foxgloveRaw:
            let message = try json(Foxglove.RawImage.self, data, context)
            (width, height, step, encoding) = (Int(message.width), Int(message.height), Int(message.step), message.encoding)
            (stampNs, bigEndian, bytes) = (message.timestamp.nanoseconds, false, Array(message.data))
        case .rosCompressed, .foxgloveCompressed:
            throw AffordError(.unsupported, "\(context): compressed depth images are not supported; record depth raw (16UC1 or 32FC1)")
        }
        try Self.checkSize(width: width, height: height, step: step, context)
        switch encoding {
        case "16UC1", "mono16":
            return try DepthImage(unsigned16: bytes, width: width, height: height, stride: step, bigEndian: bigEndian,
                                  stampNs: stampNs, context: context)
        case "32FC1":
            return try DepthImage(float32: bytes, width: width, height: height, stride: step, bigEndian: bigEndian,
                                  stampNs: stampNs, context: context)
        default:
            throw AffordError(.unsupported, "\(context): depth encoding '\(encoding)' is not 16UC1, mono16 or 32FC1")
        }
    }

    /// Sizes are capped before any product of them: a side over `Frame.maximumSide`, or more pixels than a
    /// decoded JPEG may have (every map downstream is allocated at frame size), is a corrupt message.
    private static func checkSize(width: Int, height: Int, step: Int, _ context: String) throws {
        guard (1...Frame.maximumSide).contains(width), (1...Frame.maximumSide).contains(height), step <= Int(UInt32.max),
              width * height <= DecodeLimits.maximumPixels else {
            throw AffordError(.corruptLog, "\(context): image size \(width)x\(height) (step \(step)) is out of range "
                              + "(at most \(Frame.maximumSide) a side and \(DecodeLimits.maximumPixels) pixels)")
        }
    }

    private func json<T: Decodable>(_ type: T.Type, _ data: [UInt8], _ context: String) throws -> T {
        do {
            return try decoder.decode(type, from: Data(data))
        } catch {
            throw AffordError(.corruptLog, "\(context): not a valid \(type) JSON message: \(error)")
        }
    }

    /// Only JPEG travels as a compressed frame; ROS formats read like "jpeg" or "bgr8; jpeg compressed bgr8".
    private func compressed(_ bytes: [UInt8], format: String, stampNs: UInt64, _ context: String) throws -> Image {
        let lowered = format.lowercased()
        guard lowered.contains("jpeg") || lowered.contains("jpg") else {
            throw AffordError(.unsupported, "\(context): compressed format '\(format)' is not JPEG")
        }
        let size: (width: Int, height: Int)
        do { size = try JPEGGeometry.size(of: bytes) } catch let error as AffordError {
            throw AffordError(.decode, "\(context): \(error.message)")
        }
        return Image(pixels: bytes, width: size.width, height: size.height, format: .mjpeg, stride: 0, stampNs: stampNs)
    }

    private func raw(_ bytes: [UInt8], width: Int, height: Int, step: Int, encoding: String,
                     stampNs: UInt64, _ context: String) throws -> Image {
        let format: PixelFormat
        var pixels = bytes
        switch encoding {
        case "rgb8": format = .rgb8
        case "bgr8": format = .bgr8
        case "mono8", "8UC1": format = .mono8
        case "yuyv", "yuv422_yuy2": format = .yuyv
        // ROS's "yuv422" and "uyvy" are U Y0 V Y1: swapping byte pairs gives Y0 U Y1 V.
        case "yuv422", "uyvy":
            format = .yuyv
            for i in stride(from: 0, to: pixels.count - 1, by: 2) { pixels.swapAt(i, i + 1) }
        default:
            throw AffordError(.unsupported, "\(context): image encoding '\(encoding)' is not rgb8, bgr8, mono8 or yuyv")
        }
        try Self.checkSize(width: width, height: height, step: step, context)
        let rowBytes = width * (format.bytesPerPixel ?? 1)
        guard step >= rowBytes, bytes.count >= step * (height - 1) + rowBytes else {
            throw AffordError(.corruptLog, "\(context): \(width)x\(height) \(encoding) image with step \(step) "
                              + "does not fit its \(bytes.count) data bytes")
        }
        return Image(pixels: pixels, width: width, height: height, format: format, stride: step, stampNs: stampNs)
    }
}
