import AffordCore
import AffordTransport

/// Carries out validated control commands against the running pipeline.
struct DaemonControl: ControlHandler {
    let runtime: PipelineRuntime
    let status: @Sendable () -> [PipelineStatus]
    let reload: @Sendable () async throws -> JSONValue
    /// Folders whose MCAP files `demonstrate` and `teach` may read: the recording's folder and $STATE_DIRECTORY.
    var recordingRoots: [String] = []
    /// Counts every request by op and outcome, when set.
    var metrics: DaemonMetrics?

    func handle(_ request: ControlRequest, origin: ControlOrigin) async throws -> JSONValue {
        do {
            let result = try await perform(request)
            metrics?.countControl(op: request.command.op.rawValue, outcome: "ok")
            return result
        } catch {
            metrics?.countControl(op: request.command.op.rawValue, outcome: (error as? AffordError)?.code.name ?? "error")
            throw error
        }
    }

    private func perform(_ request: ControlRequest) async throws -> JSONValue {
        switch request.command {
        case .status:
            return try JSONValue(encoding: status())
        case .setActions(let actions):
            try runtime.setActions(actions)
            return .object(["actions": .array(actions.map(JSONValue.string))])
        case .snapshot(let camera):
            var results = runtime.latestResults()
            if let camera {
                guard runtime.cameras.contains(where: { $0.name == camera }) else {
                    throw AffordError(.invalidInput, "unknown camera '\(camera)'")
                }
                results = results.filter { $0.key == camera }
            }
            return try JSONValue(encoding: CentroidSnapshot(results))
        case .pause:
            runtime.pause()
            return .object(["paused": .bool(true)])
        case .resume:
            runtime.resume()
            return .object(["paused": .bool(false)])
        case .reload:
            return try await reload()
        case .demonstrate(let demonstration):
            return try demonstrate(demonstration, attachments: request.attachments)
        case .clearDemonstrations(let actions):
            return try clearDemonstrations(actions)
        case .teach(let teaching):
            return try teach(teaching, attachments: request.attachments)
        case .taught:
            return try taught()
        case .forget(let actions):
            return try forget(actions)
        }
    }
}
