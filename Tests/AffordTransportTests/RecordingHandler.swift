import AffordCore
import AffordTransport
import Foundation

/// A control handler that records what reached it and answers `{"handled": op, …}`.
final class RecordingHandler: ControlHandler {
    private let lock = NSLock()
    nonisolated(unsafe) private var seen: [(ControlRequest, ControlOrigin)] = []

    var received: [(ControlRequest, ControlOrigin)] { lock.withLock { seen } }

    func handle(_ request: ControlRequest, origin: ControlOrigin) async throws -> JSONValue {
        lock.withLock { seen.append((request, origin)) }
        var result: [String: JSONValue] = ["handled": .string(request.command.op.rawValue)]
        switch request.command {
        case .setActions(let actions):
            if actions.contains("unknown_action") {
                throw AffordError(.invalidInput, "action 'unknown_action' is not in the model's vocabulary")
            }
            result["actions"] = .array(actions.map(JSONValue.string))
        case .snapshot(let camera):
            result["camera"] = camera.map(JSONValue.string) ?? .null
        case .demonstrate(let demonstration):
            result["action"] = .string(demonstration.action)
            result["attachment_bytes"] = .int(Int64(request.attachments.first?.count ?? 0))
        case .clearDemonstrations(let actions), .forget(let actions):
            result["actions"] = .array(actions.map(JSONValue.string))
        case .teach(let teaching):
            result["action"] = .string(teaching.action)
            result["attachment_bytes"] = .int(Int64(request.attachments.first?.count ?? 0))
        case .status, .pause, .resume, .reload, .taught:
            break
        }
        return .object(result)
    }
}
