import AffordTestSupport
import Foundation

/// Writes small safetensors files for loader tests, with hooks to corrupt them.
struct SafetensorsWriter {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var bytes: [UInt8]
    }

    var metadata: [String: String] = [:]
    var entries: [Entry] = []

    mutating func add(_ name: String, floats: [Float], shape: [Int]) {
        entries.append(Entry(name: name, dtype: "F32", shape: shape, bytes: floats.withUnsafeBytes { Array($0) }))
    }

    mutating func add(_ name: String, int8s: [Int8], shape: [Int]) {
        entries.append(Entry(name: name, dtype: "I8", shape: shape, bytes: int8s.map { UInt8(bitPattern: $0) }))
    }

    /// The header JSON (offsets laid out back to back) and the data section.
    func encode(pad: Bool = true) -> (header: String, data: [UInt8]) {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var data: [UInt8] = []
        for entry in entries {
            let start = data.count
            data += entry.bytes
            fields.append("\(quote(entry.name)):{\"dtype\":\"\(entry.dtype)\",\"shape\":\(entry.shape),\"data_offsets\":[\(start),\(data.count)]}")
        }
        var header = "{\(fields.joined(separator: ","))}"
        if pad { while (8 + header.utf8.count) % 8 != 0 { header += " " } }
        return (header, data)
    }

    /// The complete file bytes for a given header text and data.
    static func fileBytes(header: String, data: [UInt8]) -> [UInt8] {
        var length = UInt64(header.utf8.count).littleEndian
        return withUnsafeBytes(of: &length) { Array($0) } + Array(header.utf8) + data
    }

    @discardableResult
    func write(to url: URL) throws -> URL {
        let (header, data) = encode()
        try Data(Self.fileBytes(header: header, data: data)).write(to: url)
        return url
    }

    private func quote(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}

/// A fresh scratch directory per test, removed when the test process exits.
func temporaryDirectory() throws -> URL { try ScratchDirectory.make("engine") }
