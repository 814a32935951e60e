import ArgumentParser

@main
struct Affordd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "affordd",
        abstract: "Affordance grounding for robot cameras: capture, int8 inference, ZeroMQ publishing.",
        version: "0.1.0",
        subcommands: [Run.self, Replay.self, Snapshot.self, Eval.self, InspectModel.self, Keygen.self]
    )
}
