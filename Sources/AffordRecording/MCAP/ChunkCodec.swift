import AffordCore
import CLZ4
import CZstd

/// Compresses and decompresses chunk records: LZ4 frame format (liblz4) and zstd (libzstd).
enum ChunkCodec {
    static func compress(_ input: [UInt8], _ compression: MCAPCompression) throws -> [UInt8] {
        switch compression {
        case .none: return input
        case .lz4: return try lz4Compress(input)
        case .zstd: return try zstdCompress(input)
        }
    }

    /// Decompresses to exactly `expectedSize` bytes; the output buffer grows with what
    /// the decoder actually produces, so a lying size field cannot force a huge allocation.
    static func decompress(
        _ input: UnsafeRawBufferPointer, _ compression: MCAPCompression, expectedSize: Int
    ) throws -> [UInt8] {
        switch compression {
        case .none:
            guard input.count == expectedSize else {
                throw ChunkCodecError("uncompressed chunk holds \(input.count) bytes, header says \(expectedSize)")
            }
            return Array(input)
        case .lz4: return try lz4Decompress(input, expectedSize: expectedSize)
        case .zstd: return try zstdDecompress(input, expectedSize: expectedSize)
        }
    }

    private static func lz4Compress(_ input: [UInt8]) throws -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentSize = UInt64(input.count)
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                LZ4F_compressFrame(target.baseAddress, bound, source.baseAddress, input.count, &preferences)
            }
        }
        guard LZ4F_isError(written) == 0 else {
            throw ChunkCodecError("lz4 compression failed: \(String(cString: LZ4F_getErrorName(written)))")
        }
        output.removeSubrange(written...)
        return output
    }

    private static func zstdCompress(_ input: [UInt8]) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                ZSTD_compress(target.baseAddress, bound, source.baseAddress, input.count, 3)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw ChunkCodecError("zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
        }
        output.removeSubrange(written...)
        return output
    }

    /// One byte more than expected, so an over-long stream is caught rather than truncated.
    private static func initialCapacity(compressed: Int, expected: Int) -> Int {
        min(expected + 1, max(64 << 10, compressed * 4))
    }

    private static func lz4Decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else { throw ChunkCodecError("lz4 context allocation failed") }
        defer { LZ4F_freeDecompressionContext(context) }

        var output = [UInt8](repeating: 0, count: initialCapacity(compressed: input.count, expected: expectedSize))
        var produced = 0
        var consumed = 0
        var finished = false
        while true {
            if produced == output.count {
                guard output.count <= expectedSize else { break }
                output += [UInt8](repeating: 0, count: min(output.count, expectedSize + 1 - output.count))
            }
            var sourceSize = input.count - consumed
            var targetSize = output.count - produced
            let hint = output.withUnsafeMutableBytes { target in
                LZ4F_decompress(context, target.baseAddress.map { $0 + produced }, &targetSize,
                                input.baseAddress.map { $0 + consumed }, &sourceSize, nil)
            }
            guard LZ4F_isError(hint) == 0 else {
                throw ChunkCodecError("lz4 data is corrupt: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            consumed += sourceSize
            produced += targetSize
            if hint == 0 { finished = true; break }
            if consumed == input.count && targetSize == 0 {
                throw ChunkCodecError("lz4 frame is truncated")
            }
        }
        guard finished, produced == expectedSize else {
            throw ChunkCodecError("lz4 chunk decompressed to \(finished ? "" : "more than ")\(produced) bytes, header says \(expectedSize)")
        }
        output.removeSubrange(produced...)
        return output
    }

    private static func zstdDecompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw ChunkCodecError("zstd context allocation failed") }
        defer { ZSTD_freeDStream(stream) }

        var output = [UInt8](repeating: 0, count: initialCapacity(compressed: input.count, expected: expectedSize))
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var produced = 0
        var finished = false
        while true {
            if produced == output.count {
                guard output.count <= expectedSize else { break }
                output += [UInt8](repeating: 0, count: min(output.count, expectedSize + 1 - output.count))
            }
            let before = (source.pos, produced)
            let hint = output.withUnsafeMutableBytes { target in
                var sink = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: produced)
                let result = ZSTD_decompressStream(stream, &sink, &source)
                produced = sink.pos
                return result
            }
            guard ZSTD_isError(hint) == 0 else {
                throw ChunkCodecError("zstd data is corrupt: \(String(cString: ZSTD_getErrorName(hint)))")
            }
            if hint == 0 && source.pos == input.count { finished = true; break }
            if before == (source.pos, produced) { throw ChunkCodecError("zstd frame is truncated") }
        }
        guard finished, produced == expectedSize else {
            throw ChunkCodecError("zstd chunk decompressed to \(finished ? "" : "more than ")\(produced) bytes, header says \(expectedSize)")
        }
        output.removeSubrange(produced...)
        return output
    }
}

/// A codec failure; the reader wraps it with the chunk's offset.
struct ChunkCodecError: Error {
    let problem: String
    init(_ problem: String) { self.problem = problem }
}
