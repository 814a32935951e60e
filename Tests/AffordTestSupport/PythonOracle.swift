import Foundation

/// Runs a Python snippet as an independent reference (OpenCV, scipy, numpy): JSON in on stdin, JSON out on stdout.
public enum PythonOracle {
    /// The project's `.venv` interpreter when set up, else `python3` from PATH.
    public static var interpreter: String {
        let venv = Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/env"
    }

    /// Whether `import <module>` works, so a test can say clearly what is missing.
    public static func has(_ module: String) -> Bool {
        (try? run("import \(module)\nprint('null')", input: Data("null".utf8))) != nil
    }

    /// Runs `script` with `input` on stdin and returns its stdout; throws with stderr on failure.
    public static func run(_ script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = (interpreter == "/usr/bin/env" ? ["python3"] : []) + ["-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OracleError(message: String(decoding: errors, as: UTF8.self))
        }
        return output
    }

    /// Encodes `input`, runs the script and decodes its answer.
    public static func call<In: Encodable, Out: Decodable>(_ script: String, _ input: In, as: Out.Type) throws -> Out {
        try JSONDecoder().decode(Out.self, from: run(script, input: JSONEncoder().encode(input)))
    }

    public struct OracleError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { "python oracle failed: \(message)" }
    }
}

/// A small deterministic generator so failures reproduce.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
