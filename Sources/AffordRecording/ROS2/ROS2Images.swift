import AffordCore

/// sensor_msgs/msg/Image and sensor_msgs/msg/CompressedImage in CDR.
enum ROS2Images {
    static let imageSchema = "sensor_msgs/msg/Image"
    static let compressedImageSchema = "sensor_msgs/msg/CompressedImage"

    /// std_msgs/Header: builtin_interfaces/Time stamp, then frame_id.
    struct Header {
        var stampNs: UInt64
        var frameID: String
    }

    struct Image {
        var header: Header
        var height: Int
        var width: Int
        var encoding: String
        var isBigEndian: Bool
        var step: Int
        var data: [UInt8]
    }

    struct CompressedImage {
        var header: Header
        var format: String
        var data: [UInt8]
    }

    static func decodeImage(_ bytes: [UInt8], context: String) throws -> Image {
        var cdr = try CDRReader(bytes, context: context)
        let header = try decodeHeader(&cdr)
        let height = Int(try cdr.u32("height"))
        let width = Int(try cdr.u32("width"))
        let encoding = try cdr.string("encoding")
        let isBigEndian = try cdr.u8("is_bigendian") != 0
        let step = Int(try cdr.u32("step"))
        let data = try cdr.byteSequence("data")
        return Image(header: header, height: height, width: width, encoding: encoding,
                     isBigEndian: isBigEndian, step: step, data: data)
    }

    static func decodeCompressedImage(_ bytes: [UInt8], context: String) throws -> CompressedImage {
        var cdr = try CDRReader(bytes, context: context)
        let header = try decodeHeader(&cdr)
        let format = try cdr.string("format")
        return CompressedImage(header: header, format: format, data: try cdr.byteSequence("data"))
    }

    private static func decodeHeader(_ cdr: inout CDRReader) throws -> Header {
        let seconds = try cdr.i32("header.stamp.sec")
        let nanoseconds = try cdr.u32("header.stamp.nanosec")
        let frameID = try cdr.string("header.frame_id")
        let stamp = seconds < 0 ? 0 : UInt64(seconds) * 1_000_000_000 + UInt64(nanoseconds)
        return Header(stampNs: stamp, frameID: frameID)
    }
}
