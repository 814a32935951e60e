import AffordCore
import Foundation

/// Writes F32 tensors in the safetensors layout `SafetensorsFile` reads: an 8-byte
/// little-endian header length, the JSON header (padded with spaces to 8 bytes), the data.
public enum SafetensorsWriter {
    public struct Tensor: Sendable {
        var name: String
        var shape: [Int]
        var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    static func encode(_ tensors: [Tensor], metadata: [String: String]) throws -> [UInt8] {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for tensor in tensors {
            guard tensor.shape.reduce(1, *) == tensor.values.count else {
                throw AffordError(.invalidInput, "tensor '\(tensor.name)': shape \(tensor.shape) does not hold \(tensor.values.count) values")
            }
            let bytes = tensor.values.count * MemoryLayout<Float>.size
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for tensor in tensors {
            for value in tensor.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes to a temporary file beside `path`, then renames it over `path`: readers see the old file or the new one.
    public static func write(_ tensors: [Tensor], metadata: [String: String], to path: String) throws {
        let bytes = try encode(tensors, metadata: metadata)
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw AffordError(.io, "\(path): cannot write (\(error))")
        }
    }
}
