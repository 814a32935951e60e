import Foundation

// affordd-bench SUBCOMMAND [options]: gemm | sources | replay
let arguments = Array(CommandLine.arguments.dropFirst())
let rest = Array(arguments.dropFirst())
switch arguments.first {
case "gemm": GemmBenchmark.run(arguments: rest)
case "sources": SourcesBenchmark.run(arguments: rest)
case "replay": ReplayBenchmark.run(arguments: rest)
default:
    FileHandle.standardError.write(Data("usage: affordd-bench gemm|sources|replay [options]\n".utf8))
    exit(2)
}
