import AffordCore
import AffordCore
import AffordTransport

extension PipelineRuntime {
    /// The daemon's own control handler over this runtime, without sockets: status is built as
    /// the daemon publishes it, `reload` stands in for re-reading the configuration file, and
    /// `demonstrate` may read recordings under `recordingRoots`.
    ///
    /// For harnesses that must reach the handlers' arithmetic (the fuzzers), not only the parser.
    public func controlHandler(uptimeSeconds: Double = 0, recordingRoots: [String] = [],
                               reload: @escaping @Sendable () async throws -> JSONValue) -> any ControlHandler {
        DaemonControl(runtime: self, status: { PipelineStatusReport.make(self.status(), uptimeSeconds: uptimeSeconds) },
                      reload: reload, recordingRoots: recordingRoots)
    }
}
