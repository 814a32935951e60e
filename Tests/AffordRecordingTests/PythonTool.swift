import AffordTestSupport
import Foundation
import Testing

/// Runs the Python tool-chain's reference scripts (`toolchain/affordtools`).
enum PythonTool {
    /// `$AFFORDD_PYTHON`, else the project's `.venv`, else `python3` on PATH.
    static var interpreter: [String] {
        if let override = ProcessInfo.processInfo.environment["AFFORDD_PYTHON"] { return [override] }
        let venv = Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return [venv] }
        return ["/usr/bin/env", "python3"]
    }

    /// Runs `python -m affordtools.<module> arguments...` and returns its stdout; throws on a non-zero exit.
    static func run(_ module: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        let command = interpreter + ["-m", "affordtools.\(module)"] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = Fixtures.repositoryRoot.appendingPathComponent("toolchain").path
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonToolError(command: command.joined(separator: " "), status: process.terminationStatus,
                                  stderr: String(decoding: stderr, as: UTF8.self))
        }
        return stdout
    }

    /// What the reference `mcap` reader sees in `path` (see affordtools/mcapcheck.py).
    static func check(_ path: String) throws -> [String: Any] {
        let data = try run("mcapcheck", [path])
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Reference-writer logs and their manifest, made once per test run and removed at exit.
    static let referenceLogs: Result<URL, any Error> = Result {
        _ = try run("mcapfixtures", ["--out", referenceLogDirectory.path])
        atexit { try? FileManager.default.removeItem(at: PythonTool.referenceLogDirectory) }
        return referenceLogDirectory
    }

    private static let referenceLogDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("affordd-mcap-fixtures-\(getpid())")
}

struct PythonToolError: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let stderr: String
    var description: String { "\(command) exited \(status): \(stderr)" }
}

/// A fresh temporary file path, removed by the caller's `defer`.
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("affordd-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)").path
}
