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
        // The project's own strict parser: Foundation's traps on some nestings, and a model
        // file is input like any other.
        let header: [String: JSONValue]
        do {
            guard case .object(let fields) = try StrictJSON.parse(Array(bytes[8..<dataStart])) else {
                throw invalid("header is not a JSON object; not a safetensors file")
            }
            header = fields
        } catch let failure as StrictJSON.Failure {
            throw invalid("header is not valid JSON (\(failure)); not a safetensors file")
        }

        var metadata: [String: String] = [:]
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard case .object(let entries) = value else { throw invalid("__metadata__ is not an object") }
                for (key, entry) in entries {
                    guard case .string(let text) = entry else { throw invalid("metadata '\(key.prefix(64))' is not a string") }
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

    /// Bounds on what one tensor may declare: dimensions and offsets past these are no real model.
    static let maxDimension: Int64 = 1 << 40
    static let maxOffset: Int64 = 1 << 50

    private static func parseEntry(
        _ name: String, _ value: JSONValue, dataStart: Int, fileSize: Int, invalid: (String) -> AffordError
    ) throws -> TensorInfo {
        let shown = name.prefix(128)
        guard case .object(let entry) = value, case .string(let dtypeName)? = entry["dtype"],
              case .array(let shapeValues)? = entry["shape"],
              case .array(let offsetValues)? = entry["data_offsets"], offsetValues.count == 2 else {
            throw invalid("tensor '\(shown)' needs dtype, shape and two data_offsets")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw invalid("tensor '\(shown)' has unknown dtype '\(dtypeName.prefix(16))'")
        }
        guard shapeValues.count <= 8 else { throw invalid("tensor '\(shown)' has \(shapeValues.count) dimensions; at most 8") }
        func bounded(_ item: JSONValue, below limit: Int64, _ what: String) throws -> Int {
            guard case .int(let number) = item, number >= 0, number < limit else {
                throw invalid("tensor '\(shown)' has a bad \(what) in its header")
            }
            return Int(number)
        }
        let shape = try shapeValues.map { try bounded($0, below: maxDimension, "dimension") }
        let offsets = try offsetValues.map { try bounded($0, below: maxOffset, "data offset") }
        guard offsets[0] <= offsets[1] else {
            throw invalid("tensor '\(shown)' has data_offsets \(offsets) that run backwards")
        }
        // Every product is checked: a header can declare shapes whose byte count overflows.
        var bytes = dtype.byteSize
        for dim in shape {
            let product = bytes.multipliedReportingOverflow(by: dim)
            guard !product.overflow else { throw invalid("tensor '\(shown)' \(dtypeName)\(shape) is too large") }
            bytes = product.partialValue
        }
        guard bytes == offsets[1] - offsets[0] else {
            throw invalid("tensor '\(shown)' \(dtypeName)\(shape) needs \(bytes) bytes but spans \(offsets[1] - offsets[0])")
        }
        let range = (dataStart + offsets[0])..<(dataStart + offsets[1])
        guard range.upperBound <= fileSize else {
            throw invalid("truncated: tensor '\(shown)' ends at byte \(range.upperBound), file has \(fileSize)")
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: range)
    }
}
