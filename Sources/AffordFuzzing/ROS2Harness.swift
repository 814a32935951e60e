import AffordCore
import AffordRecording

/// One rosbag2 message: the first input byte picks, by its value mod 3, a colour
/// `sensor_msgs/msg/Image`, a `CompressedImage`, or a depth `Image` replayed beside a valid
/// colour frame; the rest is its CDR payload. It is wrapped in a minimal ros2-profile log so it
/// takes the replay path: CDR reading, ROS image or depth decoding, pairing, pixel conversion or JPEG.
enum ROS2Harness {
    static let image = "sensor_msgs/msg/Image"
    static let schemas = [image, "sensor_msgs/msg/CompressedImage", image]
    static let depthTopic = "/camera/depth"

    /// A 1×1 rgb8 `sensor_msgs/msg/Image` stamped 1 µs, in CDR (little endian).
    static let colourFrame: [UInt8] = {
        var cdr: [UInt8] = [0, 1, 0, 0]  // encapsulation: CDR_LE
        func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { cdr += $0 } }
        func string(_ text: String) {
            while cdr.count % 4 != 0 { cdr.append(0) }
            u32(UInt32(text.utf8.count + 1))
            cdr += Array(text.utf8) + [0]
        }
        u32(0); u32(1_000)  // stamp
        string("camera")
        while cdr.count % 4 != 0 { cdr.append(0) }
        u32(1); u32(1)  // height, width
        string("rgb8")
        cdr.append(0)  // is_bigendian
        while cdr.count % 4 != 0 { cdr.append(0) }
        u32(3)  // step
        u32(3); cdr += [10, 20, 30]
        return cdr
    }()

    /// The frames the log replayed as.
    @discardableResult
    static func run(_ input: [UInt8]) -> [Frame] {
        guard let selector = input.first else { return [] }
        let isDepth = Int(selector) % schemas.count == 2
        return ScratchFile.with([], suffix: ".mcap") { path -> [Frame] in
            do {
                let writer = try MCAPWriter(path: path, options: .init(compression: .none, profile: "ros2", library: "affordd-fuzz"))
                let schemaID = try writer.addSchema(name: schemas[Int(selector) % schemas.count], encoding: "ros2msg", data: [])
                let channel = try writer.addChannel(topic: "/camera/image", messageEncoding: "cdr", schemaID: schemaID)
                if isDepth {
                    let depth = try writer.addChannel(topic: depthTopic, messageEncoding: "cdr", schemaID: schemaID)
                    try writer.addMessage(MCAPMessage(channelID: channel, sequence: 1, logTime: 1_000, publishTime: 1_000,
                                                      data: colourFrame))
                    try writer.addMessage(MCAPMessage(channelID: depth, sequence: 1, logTime: 1_000, publishTime: 1_000,
                                                      data: Array(input.dropFirst())))
                } else {
                    try writer.addMessage(MCAPMessage(channelID: channel, sequence: 1, logTime: 1_000, publishTime: 1_000,
                                                      data: Array(input.dropFirst())))
                }
                try writer.close()
            } catch {
                return []
            }
            return ReplayDrain.run(path: path, depthTopic: isDepth ? depthTopic : nil)
        } ?? []
    }
}
