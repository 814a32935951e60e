import AffordFuzzing
import Foundation

/// `affordd-fuzz HARNESS [libFuzzer flags | files…]`.
///
/// Built with `-sanitize=fuzzer -DAFFORD_LIBFUZZER` (scripts/fuzz.sh) it is a libFuzzer binary.
/// SwiftPM links every executable with `--defsym main=<module>_main`, so this `main` replaces
/// libFuzzer's own and starts its driver with `LLVMFuzzerRunDriver`, the harness name removed
/// from argv. In a plain build it replays files, so a crash input can be re-run under a debugger.
@main
enum FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let harness = FuzzHarness(rawValue: arguments[1]) else {
            let names = FuzzHarness.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: affordd-fuzz \(names) [libFuzzer flags | input files…]\n".utf8))
            exit(2)
        }
        selected = harness
        #if AFFORD_LIBFUZZER
        // The harness's own -max_len unless one is given; strdup'd strings live until exit.
        var flags = Array(arguments.dropFirst(2))
        if !flags.contains(where: { $0.hasPrefix("-max_len=") }) { flags.insert("-max_len=\(harness.maxInputLength)", at: 0) }
        var argv: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[0]] + flags.map { strdup($0) } + [nil]
        var argc = CInt(argv.count - 1)
        let status = argv.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &base, fuzzOneInput)
        }
        exit(status)
        #else
        for path in arguments.dropFirst(2) {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("affordd-fuzz: cannot read \(path)\n".utf8))
                exit(1)
            }
            harness.run(Array(data))
            print("\(harness.rawValue): \(path): ok")
        }
        #endif
    }
}

/// The harness chosen on the command line; set once before libFuzzer starts calling.
nonisolated(unsafe) private var selected = FuzzHarness.control

#if AFFORD_LIBFUZZER
/// libFuzzer's entry, from its FuzzerInterface.h.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// One input; libFuzzer reuses the buffer, so it is copied. The C name is the one libFuzzer's
/// own (unused) main refers to, so the link resolves it.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#endif
