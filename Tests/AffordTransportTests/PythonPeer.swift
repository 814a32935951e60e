import AffordTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Python peer script from Tests/ZMQPeers, run as a child process with bounded waits.
///
/// Output goes to temporary files (never pipes) so a chatty peer cannot block.
final class PythonPeer {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/ZMQPeers")

    /// `$AFFORDD_PYTHON`, else the project's venv after `make setup`, else `python3` from PATH.
    static let interpreter: [String] = {
        if let override = ProcessInfo.processInfo.environment["AFFORDD_PYTHON"] { return [override] }
        let venv = Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? [venv] : ["/usr/bin/env", "python3"]
    }()

    private let process = Process()
    private let stdin = Pipe()
    private let outputURL: URL
    private let errorURL: URL

    /// Runs `script` (a file in Tests/ZMQPeers) with `arguments`.
    convenience init(_ script: String, _ arguments: [String]) throws {
        try self.init(interpreterArguments: [Self.directory.appendingPathComponent(script).path] + arguments)
    }

    init(interpreterArguments arguments: [String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-peer-\(UUID().uuidString)")
        outputURL = base.appendingPathExtension("out")
        errorURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.interpreter[0])
        process.arguments = Self.interpreter.dropFirst() + arguments
        process.currentDirectoryURL = Self.directory
        process.standardInput = stdin
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
    }

    deinit {
        if process.isRunning { kill() }
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }

    var isRunning: Bool { process.isRunning }

    // SIGKILL, not SIGTERM: a test process that ran ServiceLifecycle ignores
    // SIGTERM, and children inherit ignored signals across exec.
    private func kill() { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
    var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    var errorOutput: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Waits until stdout or stderr contains `text`; false after `timeout` seconds or if the peer exited.
    func waitFor(_ text: String, timeout: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(text) || errorOutput.contains(text) { return true }
            if !process.isRunning { return output.contains(text) || errorOutput.contains(text) }
            await pause()
        }
        return false
    }

    /// Closes the peer's stdin (its signal to stop, for peers that read it).
    func closeInput() { try? stdin.fileHandleForWriting.close() }

    /// Waits for exit up to `timeout` seconds, killing the peer after that. Returns the exit status (-1 if killed).
    func finish(timeout: Double = 10) async -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { await pause() }
        guard !process.isRunning else {
            kill()
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    /// The last stdout line parsed as a JSON object.
    func summary() -> [String: Any] {
        guard let line = output.split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [:] }
        return object
    }

    /// "stdout / stderr" for test failure messages.
    var transcript: String { "stdout: \(output)\nstderr: \(errorOutput)" }

    /// Runs a one-off Python snippet and returns its stdout.
    static func evaluate(_ code: String, timeout: Double = 20) async throws -> String {
        let peer = try PythonPeer(interpreterArguments: ["-c", code])
        let status = await peer.finish(timeout: timeout)
        guard status == 0 else { throw PeerFailure(status: status, transcript: peer.transcript) }
        return peer.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Sleeps without holding a cooperative thread (control handlers need one to run).
func pause(seconds: Double = 0.02) async {
    try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
}

struct PeerFailure: Error, CustomStringConvertible {
    let status: Int32
    let transcript: String
    var description: String { "python exited \(status)\n\(transcript)" }
}
