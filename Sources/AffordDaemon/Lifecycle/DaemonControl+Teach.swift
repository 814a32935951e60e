import AffordCore
import AffordTransport

extension DaemonControl {
    /// `teach`: decode the frame, fit the action's probe on all of its frames, publish it from the next frame on.
    func teach(_ request: TeachRequest, attachments: [[UInt8]]) throws -> JSONValue {
        let grounder = try learningGrounder()
        let image = try controlFrame(request.frame, camera: request.camera, attachments: attachments, op: "teach")
        let settings = runtime.currentSettings
        // A request that timed out must not change what is published after its error reply.
        try Task.checkCancellation()
        let result = try grounder.teach(action: request.action, image: image, marking: request.marking,
                                        zoom: settings.zoom.enabled ? settings.zoom : nil,
                                        proposalActions: settings.actions,
                                        beforeRecording: { try Task.checkCancellation() })
        return .object(["action": .string(result.action), "frames": .int(Int64(result.frames)),
                        "views": .int(Int64(result.views)), "adapt_ms": .double((result.adaptMs * 10).rounded() / 10),
                        "width": .int(Int64(image.width)), "height": .int(Int64(image.height)),
                        "taught": .array(grounder.teachings.actions.map(JSONValue.string))])
    }

    /// `taught`: each taught action, its frame count, when it was last taught and its partner head action.
    func taught() throws -> JSONValue {
        let teachings = try learningGrounder().teachings
        return .object(["taught": .array(teachings.summary.map { entry in
            .object(["action": .string(entry.action), "frames": .int(Int64(entry.frames)), "updated": .string(entry.updated),
                     "partner": entry.partner.map(JSONValue.string) ?? .null])
        }), "maximum_actions": .int(Int64(TeachingBook.maximumActions)),
            "maximum_frames": .int(Int64(TeachingBook.maximumFrames))])
    }

    /// `forget`: drop the named (or all) taught actions.
    func forget(_ actions: [String]) throws -> JSONValue {
        let teachings = try learningGrounder().teachings
        let removed = try teachings.forget(actions)
        return .object(["removed": .array(removed.map(JSONValue.string)),
                        "taught": .array(teachings.actions.map(JSONValue.string))])
    }
}
