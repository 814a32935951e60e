import AffordCore
import AffordRecording
import Foundation

/// Each action's presence and component count for one frame: the live page's bars, and a
/// channel Foxglove can plot. Live only; a recording has the annotations' labels instead.
struct PresenceMessage: Encodable {
    struct Action: Encodable {
        var action: String
        var presence: Float?
        var components: Int
    }

    struct Time: Encodable {
        var sec: UInt64
        var nsec: UInt64
    }

    var timestamp: Time
    var actions: [Action]

    init(_ result: FrameResult, wallNs: UInt64) {
        timestamp = Time(sec: wallNs / 1_000_000_000, nsec: wallNs % 1_000_000_000)
        actions = result.actions.map {
            Action(action: $0.action, presence: $0.presence.flatMap { $0.isFinite ? $0 : nil }, components: $0.components.count)
        }
    }

    static func channel(camera: String) -> FoxgloveChannel {
        FoxgloveChannel(topic: "/affordd/\(camera)/presence", schemaName: "affordd.Presence", schema: schema,
                        role: "presence", camera: camera)
    }

    private static let schema = """
    {"title":"affordd.Presence","type":"object","properties":{\
    "timestamp":{"type":"object","properties":{"sec":{"type":"integer","minimum":0},"nsec":{"type":"integer","minimum":0}}},\
    "actions":{"type":"array","items":{"type":"object","properties":{"action":{"type":"string"},\
    "components":{"type":"integer","minimum":0}}}}}}
    """
}
