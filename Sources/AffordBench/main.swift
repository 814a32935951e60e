// Benchmarks land with the engine work (issue 2).
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "gemm" { GemmBenchmark.run(arguments: Array(arguments.dropFirst())) }
else if arguments.first == "pipeline" { await PipelineBenchmark.run(arguments: Array(arguments.dropFirst())) }
else { print("{}") }
