import AffordRecording

/// One rosbag2 message: the first input byte picks `sensor_msgs/msg/Image` (even) or
/// `CompressedImage` (odd), the rest is its CDR payload. It is wrapped in a minimal ros2-profile
/// log so it takes the replay path: CDR reading, ROS image decoding, pixel conversion or JPEG.
enum ROS2Harness {
    static let schemas = ["sensor_msgs/msg/Image", "sensor_msgs/msg/CompressedImage"]

    static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let schema = schemas[Int(selector) % schemas.count]
        _ = ScratchFile.with([], suffix: ".mcap") { path in
            do {
                let writer = try MCAPWriter(path: path, options: .init(compression: .none, profile: "ros2", library: "affordd-fuzz"))
                let schemaID = try writer.addSchema(name: schema, encoding: "ros2msg", data: [])
                let channel = try writer.addChannel(topic: "/camera/image", messageEncoding: "cdr", schemaID: schemaID)
                try writer.addMessage(MCAPMessage(channelID: channel, sequence: 1, logTime: 1_000, publishTime: 1_000,
                                                  data: Array(input.dropFirst())))
                try writer.close()
            } catch {
                return
            }
            ReplayDrain.run(path: path)
        }
    }
}
