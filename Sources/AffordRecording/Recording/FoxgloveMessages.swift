import Foundation

/// The Foxglove message types affordd records, as JSON (`message_encoding` "json",
/// `schema_encoding` "jsonschema"). Field names follow foxglove's public schemas;
/// `bytes` fields are base64 strings in JSON.
enum Foxglove {
    /// `time`: seconds and nanoseconds since the Unix epoch.
    struct Time: Codable, Sendable, Equatable {
        var sec: UInt32
        var nsec: UInt32

        init(nanoseconds: UInt64) {
            sec = UInt32(truncatingIfNeeded: nanoseconds / 1_000_000_000)
            nsec = UInt32(nanoseconds % 1_000_000_000)
        }

        var nanoseconds: UInt64 { UInt64(sec) * 1_000_000_000 + UInt64(nsec) }
    }

    /// foxglove.CompressedImage
    struct CompressedImage: Codable, Sendable {
        var timestamp: Time
        var frame_id: String
        var data: Data
        /// "jpeg", "png", ...
        var format: String

        init(timestamp: Time, frame_id: String, data: Data, format: String) {
            self.timestamp = timestamp
            self.frame_id = frame_id
            self.data = data
            self.format = format
        }
    }

    /// foxglove.RawImage
    struct RawImage: Codable, Sendable {
        var timestamp: Time
        var frame_id: String
        var width: UInt32
        var height: UInt32
        /// "rgb8", "bgr8", "mono8", "yuyv", ...
        var encoding: String
        var step: UInt32
        var data: Data

        init(timestamp: Time, frame_id: String, width: UInt32, height: UInt32,
                    encoding: String, step: UInt32, data: Data) {
            self.timestamp = timestamp
            self.frame_id = frame_id
            self.width = width
            self.height = height
            self.encoding = encoding
            self.step = step
            self.data = data
        }
    }

    struct Point2: Codable, Sendable, Equatable {
        var x: Double
        var y: Double
    }

    /// RGBA in [0, 1].
    struct Color: Codable, Sendable, Equatable {
        var r: Double
        var g: Double
        var b: Double
        var a: Double
    }

    struct CircleAnnotation: Codable, Sendable {
        var timestamp: Time
        var position: Point2
        var diameter: Double
        var thickness: Double
        var fill_color: Color
        var outline_color: Color
    }

    struct PointsAnnotation: Codable, Sendable {
        /// foxglove.PointsAnnotationType: 1 POINTS, 2 LINE_LOOP, 3 LINE_STRIP, 4 LINE_LIST.
        static let points = 1
        static let lineList = 4

        var timestamp: Time
        var type: Int
        var points: [Point2]
        var outline_color: Color
        var outline_colors: [Color]
        var fill_color: Color
        var thickness: Double
    }

    struct TextAnnotation: Codable, Sendable {
        var timestamp: Time
        var position: Point2
        var text: String
        var font_size: Double
        var text_color: Color
        var background_color: Color
    }

    /// foxglove.ImageAnnotations
    struct ImageAnnotations: Codable, Sendable {
        var circles: [CircleAnnotation]
        var points: [PointsAnnotation]
        var texts: [TextAnnotation]
    }
}
