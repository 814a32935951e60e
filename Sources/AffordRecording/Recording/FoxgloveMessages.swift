import Foundation

/// The Foxglove message types affordd records, as JSON (`message_encoding` "json",
/// `schema_encoding` "jsonschema"). Field names follow foxglove's public schemas;
/// `bytes` fields are base64 strings in JSON.
public enum Foxglove {
    /// `time`: seconds and nanoseconds since the Unix epoch.
    public struct Time: Codable, Sendable, Equatable {
        public var sec: UInt32
        public var nsec: UInt32

        public init(nanoseconds: UInt64) {
            sec = UInt32(truncatingIfNeeded: nanoseconds / 1_000_000_000)
            nsec = UInt32(nanoseconds % 1_000_000_000)
        }

        public var nanoseconds: UInt64 { UInt64(sec) * 1_000_000_000 + UInt64(nsec) }
    }

    /// foxglove.CompressedImage
    public struct CompressedImage: Codable, Sendable {
        public var timestamp: Time
        public var frame_id: String
        public var data: Data
        /// "jpeg", "png", ...
        public var format: String

        public init(timestamp: Time, frame_id: String, data: Data, format: String) {
            self.timestamp = timestamp
            self.frame_id = frame_id
            self.data = data
            self.format = format
        }
    }

    /// foxglove.RawImage
    public struct RawImage: Codable, Sendable {
        public var timestamp: Time
        public var frame_id: String
        public var width: UInt32
        public var height: UInt32
        /// "rgb8", "bgr8", "mono8", "yuyv", ...
        public var encoding: String
        public var step: UInt32
        public var data: Data

        public init(timestamp: Time, frame_id: String, width: UInt32, height: UInt32,
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

    public struct Point2: Codable, Sendable, Equatable {
        public var x: Double
        public var y: Double
    }

    /// RGBA in [0, 1].
    public struct Color: Codable, Sendable, Equatable {
        public var r: Double
        public var g: Double
        public var b: Double
        public var a: Double
    }

    public struct CircleAnnotation: Codable, Sendable {
        public var timestamp: Time
        public var position: Point2
        public var diameter: Double
        public var thickness: Double
        public var fill_color: Color
        public var outline_color: Color
    }

    public struct PointsAnnotation: Codable, Sendable {
        /// foxglove.PointsAnnotationType: 1 POINTS, 2 LINE_LOOP, 3 LINE_STRIP, 4 LINE_LIST.
        public static let points = 1

        public var timestamp: Time
        public var type: Int
        public var points: [Point2]
        public var outline_color: Color
        public var outline_colors: [Color]
        public var fill_color: Color
        public var thickness: Double
    }

    public struct TextAnnotation: Codable, Sendable {
        public var timestamp: Time
        public var position: Point2
        public var text: String
        public var font_size: Double
        public var text_color: Color
        public var background_color: Color
    }

    /// foxglove.ImageAnnotations
    public struct ImageAnnotations: Codable, Sendable {
        public var circles: [CircleAnnotation]
        public var points: [PointsAnnotation]
        public var texts: [TextAnnotation]
    }
}
