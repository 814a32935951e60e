import AffordCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Element types a safetensors header may name.
public enum TensorDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool: 1
        }
    }
}

/// One tensor's header entry; `byteRange` is relative to the start of the file.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: TensorDType
    public let shape: [Int]
    let byteRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file mapped read-only, its header validated before any data is touched.
///
/// Accessors hand out pointers into the mapping, so they live as long as this object.
public final class SafetensorsFile: @unchecked Sendable {
    let path: String
    /// The `__metadata__` block (safetensors only allows string values).
    public let metadata: [String: String]
    /// Every tensor, by name.
    public let tensors: [String: TensorInfo]

    private let base: UnsafeMutableRawPointer
    private let length: Int
    // Unaligned tensors are copied once so typed pointers stay valid; load time only.
    private let alignedCopies = Shared<[String: AlignedCopy]>([:])

    /// Maps `path` and validates its header; throws `invalidModel`/`io` naming the file and tensor.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw AffordError(.io, "\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw AffordError(.io, "\(path): fstat failed (\(String(cString: strerror(errno))))")
        }
        let size = Int(status.st_size)
        guard size >= 8 else {
            throw AffordError(.invalidModel, "\(path): \(size) bytes is too short for a safetensors header")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw AffordError(.io, "\(path): mmap failed (\(String(cString: strerror(errno))))")
        }
        do {
            (metadata, tensors) = try Self.parseHeader(UnsafeRawBufferPointer(start: mapped, count: size), path: path)
        } catch {
            munmap(mapped, size)
            throw error
        }
        base = mapped
        length = size
    }

    deinit {
        for copy in alignedCopies.value.values { copy.pointer.deallocate() }
        munmap(base, length)
    }

    /// The entry for `name`, or an error naming the file and the missing tensor.
    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else {
            throw AffordError(.invalidModel, "\(path): missing tensor '\(name)'")
        }
        return info
    }

    /// Whether the file holds `name`.
    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// `name` as F32 with exactly `shape` (nil skips the shape check).
    public func floats(_ name: String, shape: [Int]? = nil) throws -> UnsafeBufferPointer<Float> {
        try typed(name, dtype: .f32, shape: shape, as: Float.self)
    }

    /// `name` as I8 with exactly `shape` (nil skips the shape check).
    public func int8s(_ name: String, shape: [Int]? = nil) throws -> UnsafeBufferPointer<Int8> {
        try typed(name, dtype: .i8, shape: shape, as: Int8.self)
    }

    /// `name` as U8 with exactly `shape` (nil skips the shape check).
    public func uint8s(_ name: String, shape: [Int]? = nil) throws -> UnsafeBufferPointer<UInt8> {
        try typed(name, dtype: .u8, shape: shape, as: UInt8.self)
    }

    /// A metadata string, or an error naming the missing key.
    func metadata(_ key: String) throws -> String {
        guard let value = metadata[key] else {
            throw AffordError(.invalidModel, "\(path): metadata key '\(key)' is missing")
        }
        return value
    }

    /// Checks the `format` and `format_version` metadata every affordd model file carries.
    func requireFormat(_ kind: String, version expected: Int) throws {
        let format = try metadata("format")
        guard format == kind else {
            throw AffordError(.invalidModel, "\(path): format is '\(format)', expected '\(kind)'")
        }
        let version = try metadataInt("format_version")
        guard version == expected else {
            throw AffordError(.invalidModel,
                              "\(path): format_version \(version) is not supported (expected \(expected))")
        }
    }

    /// A metadata value parsed as an integer.
    /// A metadata integer inside `range`: shapes built from it must not overflow.
    public func metadataInt(_ key: String, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
        let text = try metadata(key)
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw AffordError(.invalidModel, "\(path): metadata '\(key)' = '\(text.prefix(64))' is not an integer")
        }
        guard range.contains(value) else {
            throw AffordError(.invalidModel,
                "\(path): metadata '\(key)' = \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A metadata value parsed as a JSON list (or a bare number) of floats.
    public func metadataFloats(_ key: String) throws -> [Float] {
        let text = try metadata(key)
        if let single = Double(text.trimmingCharacters(in: .whitespaces)) { return [Float(single)] }
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else {
            throw AffordError(.invalidModel, "\(path): metadata '\(key)' = '\(text)' is not a list of numbers")
        }
        return try list.map {
            guard let number = $0 as? NSNumber else {
                throw AffordError(.invalidModel, "\(path): metadata '\(key)' = '\(text)' is not a list of numbers")
            }
            return number.floatValue
        }
    }

    /// A metadata value parsed as a JSON list of strings.
    public func metadataStrings(_ key: String) throws -> [String] {
        let text = try metadata(key)
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw AffordError(.invalidModel, "\(path): metadata '\(key)' = '\(text)' is not a JSON list of strings")
        }
        return list
    }

    private func typed<T>(_ name: String, dtype: TensorDType, shape: [Int]?, as type: T.Type) throws -> UnsafeBufferPointer<T> {
        let info = try info(name)
        guard info.dtype == dtype else {
            throw AffordError(.invalidModel, "\(path): tensor '\(name)' is \(info.dtype.rawValue), expected \(dtype.rawValue)")
        }
        if let shape, shape != info.shape {
            throw AffordError(.invalidModel, "\(path): tensor '\(name)' has shape \(info.shape), expected \(shape)")
        }
        var start = UnsafeRawPointer(base) + info.byteRange.lowerBound
        if Int(bitPattern: start) % MemoryLayout<T>.alignment != 0 {
            start = UnsafeRawPointer(alignedCopy(of: info, from: start))
        }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: T.self), count: info.elementCount)
    }

    private func alignedCopy(of info: TensorInfo, from source: UnsafeRawPointer) -> UnsafeMutableRawPointer {
        alignedCopies.withLock { copies in
            if let existing = copies[info.name] { return existing.pointer }
            let copy = UnsafeMutableRawPointer.allocate(byteCount: max(info.byteRange.count, 1), alignment: 64)
            copy.copyMemory(from: source, byteCount: info.byteRange.count)
            copies[info.name] = AlignedCopy(pointer: copy)
            return copy
        }
    }
}

/// A tensor copied to aligned memory; the file owns it until `deinit`, and it is never written after the copy.
private struct AlignedCopy: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}
