import AffordCore
import Foundation

extension SafetensorsFile {
    /// Upper bound on the JSON header; real ones are a few tens of KiB.
    static let maxHeaderBytes = 100 << 20

    /// Parses and checks the header: JSON shape, dtypes, shapes vs byte lengths,
    /// offsets inside the file and not overlapping.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws -> ([String: String], [String: TensorInfo]) {
        func invalid(_ message: String) -> AffordError { AffordError(.invalidModel, "\(path): \(message)") }

        let headerLength = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength > 0, headerLength <= UInt64(maxHeaderBytes) else {
            throw invalid("header length \(headerLength) is implausible; not a safetensors file")
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= bytes.count else {
            throw invalid("truncated: header needs \(dataStart) bytes, file has \(bytes.count)")
        }
        let headerData = Data(bytes[8..<dataStart])
        guard let object = try? JSONSerialization.jsonObject(with: headerData),
              let header = object as? [String: Any] else {
            throw invalid("header is not a JSON object; not a safetensors file")
        }

        var metadata: [String: String] = [:]
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let entries = value as? [String: Any] else { throw invalid("__metadata__ is not an object") }
                for (key, entry) in entries {
                    guard let text = entry as? String else { throw invalid("metadata '\(key)' is not a string") }
                    metadata[key] = text
                }
                continue
            }
            tensors[name] = try parseEntry(name, value, dataStart: dataStart, fileSize: bytes.count, invalid: invalid)
        }

        let ordered = tensors.values.filter { !$0.byteRange.isEmpty }.sorted { $0.byteRange.lowerBound < $1.byteRange.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.byteRange.overlaps(next.byteRange) {
            throw invalid("tensors '\(previous.name)' and '\(next.name)' overlap")
        }
        return (metadata, tensors)
    }

    private static func parseEntry(
        _ name: String, _ value: Any, dataStart: Int, fileSize: Int, invalid: (String) -> AffordError
    ) throws -> TensorInfo {
        guard let entry = value as? [String: Any],
              let dtypeName = entry["dtype"] as? String,
              let shapeValues = entry["shape"] as? [Any],
              let offsetValues = entry["data_offsets"] as? [Any], offsetValues.count == 2 else {
            throw invalid("tensor '\(name)' needs dtype, shape and two data_offsets")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw invalid("tensor '\(name)' has unknown dtype '\(dtypeName)'")
        }
        let shape = try shapeValues.map { dim -> Int in
            guard let number = dim as? NSNumber, number.int64Value >= 0, number.int64Value < 1 << 40 else {
                throw invalid("tensor '\(name)' has a bad dimension in \(shapeValues)")
            }
            return number.intValue
        }
        let offsets = try offsetValues.map { offset -> Int in
            guard let number = offset as? NSNumber, number.int64Value >= 0, number.int64Value < 1 << 50 else {
                throw invalid("tensor '\(name)' has a bad data offset in \(offsetValues)")
            }
            return number.intValue
        }
        guard offsets[0] <= offsets[1] else {
            throw invalid("tensor '\(name)' has data_offsets \(offsets) that run backwards")
        }
        let (count, overflow) = shape.reduce((1, false)) { partial, dim in
            let product = partial.0.multipliedReportingOverflow(by: dim)
            return (product.partialValue, partial.1 || product.overflow)
        }
        guard !overflow, count * dtype.byteSize == offsets[1] - offsets[0] else {
            throw invalid("tensor '\(name)' \(dtypeName)\(shape) needs \(count * dtype.byteSize) bytes but spans \(offsets[1] - offsets[0])")
        }
        let range = (dataStart + offsets[0])..<(dataStart + offsets[1])
        guard range.upperBound <= fileSize else {
            throw invalid("truncated: tensor '\(name)' ends at byte \(range.upperBound), file has \(fileSize)")
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: range)
    }
}
