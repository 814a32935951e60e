import ArgumentParser

@main
struct Affordd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "affordd",
        abstract: "Affordance grounding for robot cameras: capture, int8 inference, ZeroMQ publishing.",
        version: "0.1.0",
        subcommands: [Snapshot.self, Eval.self]
    )
}
