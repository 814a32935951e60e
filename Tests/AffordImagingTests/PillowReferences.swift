import AffordTestSupport
import Foundation

/// Runs Tests/Scripts/pillow_references.py once into a scratch directory and
/// loads what Pillow and OpenCV wrote: inputs and their own decodes and conversions.
struct PillowReferences: Sendable {
    struct JPEGCase: Decodable, Sendable {
        let name, file, full: String
        let width, height: Int
        let draft: String?
        let draftRequest: [Int]?
        let draftWidth, draftHeight: Int?
    }

    struct PNGCase: Decodable, Sendable {
        let name, file, rgb: String
        let width, height: Int
    }

    struct Resize: Decodable, Sendable {
        let width, height: Int
        let file: String
    }

    struct OpenCVCases: Decodable, Sendable {
        let yuyv, yuyvRgb, resizeSource: String
        let resizeWidth, resizeHeight: Int
        let resizes: [Resize]
    }

    struct Manifest: Decodable, Sendable {
        let jpeg: [JPEGCase]
        let png: [PNGCase]
        let opencv: OpenCVCases
    }

    let directory: URL
    let manifest: Manifest

    static let shared: Result<PillowReferences, Error> = Result { try PillowReferences() }

    private init() throws {
        directory = try ScratchDirectory.make("pillow")
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Scripts/pillow_references.py")
        try Python.run([script.path, directory.path])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        manifest = try decoder.decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
    }

    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// The project's Python (`.venv` after `make setup`), else the system one.
enum Python {
    /// `.venv/bin/python` when present, else `python3` from PATH.
    static var command: [String] {
        let venv = Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? [venv] : ["/usr/bin/env", "python3"]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs Python with `arguments`, returns stdout, throws with stderr on failure.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python \(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
        return output
    }
}

/// Mean and maximum absolute difference; infinite when the lengths differ.
func differences(_ a: [UInt8], _ b: [UInt8]) -> (mean: Double, max: Int) {
    guard a.count == b.count else { return (.infinity, .max) }
    var total = 0, largest = 0
    for i in a.indices {
        let d = abs(Int(a[i]) - Int(b[i]))
        total += d
        largest = max(largest, d)
    }
    return (Double(total) / Double(max(a.count, 1)), largest)
}
