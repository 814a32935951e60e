import Foundation

// affordd-bench SUBCOMMAND [options]: gemm | engine | engine-server | sources | replay | pipeline | zoom
let arguments = Array(CommandLine.arguments.dropFirst())
let rest = Array(arguments.dropFirst())
do {
    switch arguments.first {
    case "gemm": GemmBenchmark.run(arguments: rest)
    case "engine": try EngineBenchmark.run(arguments: rest)
    case "engine-server": try EngineServer.run(arguments: rest)
    case "sources": SourcesBenchmark.run(arguments: rest)
    case "replay": ReplayBenchmark.run(arguments: rest)
    case "pipeline": await PipelineBenchmark.run(arguments: rest)
    case "zoom": try ZoomBenchmark.run(arguments: rest)
    default:
        FileHandle.standardError.write(Data("usage: affordd-bench gemm|engine|engine-server|sources|replay|pipeline|zoom [options]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("affordd-bench: \(error)\n".utf8))
    exit(1)
}
