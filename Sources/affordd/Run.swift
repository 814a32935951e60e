import AffordDaemon
import AffordImaging
import ArgumentParser
import Logging

/// `affordd run`: the daemon.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: capture, ground, publish; SIGHUP reloads, SIGTERM stops.")

    @Option(help: "The daemon's YAML configuration.")
    var config: String

    func run() async throws {
        LogSetup.bootstrapJournal()
        FrameAllocations.keepPagesMapped()
        let logger = Logger(label: "affordd")
        do {
            let loaded = try ConfigLoader.load(path: config)
            // Demonstrated actions (issue 7) persist in systemd's StateDirectory.
            let grounder = try LearningGrounder.wrap(ModelLoader.grounder(loaded.model))
            let live = try LiveView.start(http: loaded.endpoints.http, foxglove: loaded.endpoints.foxglove,
                                          cameras: loaded.cameras.map(\.name), logger: logger)
            defer { live?.close() }
            let daemon = try Daemon(config: loaded, configPath: config, grounder: grounder,
                                    extraSinks: LiveView.sinks(live), frameObserver: LiveView.frameObserver(live),
                                    logger: logger)
            if let live { LiveView.attach(live, to: daemon) }
            logger.info("started", metadata: ["model": "\(grounder.modelID)", "actions": "\(loaded.actions)"])
            try await daemon.run()
            logger.info("stopped")
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }
}

enum LogSetup {
    /// One journald-prefixed line per event on stderr.
    static func bootstrapJournal() {
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
    }
}
