import AffordCore
@testable import AffordRecording
import AffordTestSupport
import Foundation
import Glibc
import Testing

/// Truncated and corrupted logs: the valid prefix comes out, then a clear error; never a crash.
@Suite struct DamagedLogTests {
    /// Top-level records of a file: (opcode, start offset, end offset).
    static func topLevelRecords(_ bytes: [UInt8]) -> [(opcode: UInt8, start: Int, end: Int)] {
        var records: [(UInt8, Int, Int)] = []
        var position = MCAP.magic.count
        while position + 9 <= bytes.count {
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[position + 1 + $1]) << (8 * UInt64($1)) }
            let end = position + 9 + Int(length)
            records.append((bytes[position], position, end))
            if bytes[position] == MCAP.Opcode.footer.rawValue { break }
            position = end
        }
        return records
    }

    /// Each chunk's end offset and message count, counted from the MessageIndex records
    /// that follow it: a file cut at `c` must yield the messages of every chunk ending by `c`.
    static func chunkMessageCounts(_ bytes: [UInt8]) -> [(end: Int, messages: Int)] {
        var chunks: [(end: Int, messages: Int)] = []
        for record in topLevelRecords(bytes) {
            if record.opcode == MCAP.Opcode.chunk.rawValue { chunks.append((record.end, 0)) }
            if record.opcode == MCAP.Opcode.messageIndex.rawValue, !chunks.isEmpty {
                let entriesLength = (0..<4).reduce(0) { $0 | Int(bytes[record.start + 11 + $1]) << (8 * $1) }
                chunks[chunks.count - 1].messages += entriesLength / 16
            }
        }
        return chunks
    }

    @Test(arguments: [MCAPCompression.none, .lz4, .zstd])
    func truncationAtEveryChunkBoundaryAndRandomOffsetsReplaysThePrefix(compression: MCAPCompression) throws {
        let original = temporaryPath("whole.mcap")
        let cutPath = temporaryPath("cut.mcap")
        defer {
            try? FileManager.default.removeItem(atPath: original)
            try? FileManager.default.removeItem(atPath: cutPath)
        }
        let log = try TestLog.write(to: original, compression: compression, chunkSize: 4096, messageCount: 90)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: original)))
        let chunks = Self.chunkMessageCounts(bytes)
        let chunkEnds = chunks.map(\.end)
        #expect(chunks.map(\.messages).reduce(0, +) == log.messages.count)
        #expect(chunkEnds.count > 5)

        var generator = SplitMix64(seed: 7)
        var cuts = Set(chunkEnds.flatMap { [$0 - 1, $0, $0 + 1] })
        cuts.formUnion(Self.topLevelRecords(bytes).map(\.start))
        for _ in 0..<150 { cuts.insert(Int.random(in: 0..<bytes.count, using: &generator)) }
        for cut in cuts.sorted() {
            try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: cutPath))
            let outcome = ReadOutcome.read(cutPath)
            let error = outcome.error as? AffordError
            #expect(error?.code == .corruptLog, "cut at \(cut): \(String(describing: outcome.error))")
            #expect(error?.message.contains("offset") == true)
            #expect(outcome.messages == Array(log.messages.prefix(chunks.filter { $0.end <= cut }.map(\.messages).reduce(0, +))), "cut at \(cut)")
        }
    }

    @Test func replaySourceYieldsThePrefixThenThrows() throws {
        let directory = try PythonTool.referenceLogs.get()
        let original = directory.appendingPathComponent("foxglove_zstd.mcap").path
        let whole = ReplayFrames.read(original)
        #expect(whole.error == nil)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: original)))
        let cutPath = temporaryPath("replay-cut.mcap")
        defer { try? FileManager.default.removeItem(atPath: cutPath) }
        try Data(bytes[0..<(bytes.count * 2 / 3)]).write(to: URL(fileURLWithPath: cutPath))
        let cut = ReplayFrames.read(cutPath)
        #expect(cut.frames.count > 0 && cut.frames.count < whole.frames.count)
        #expect(cut.frames.map(\.pixels) == whole.frames.prefix(cut.frames.count).map(\.pixels))
        #expect((cut.error as? AffordError)?.code == .corruptLog)
    }

    @Test func fuzzedLogsNeverCrashAndStayWithinMemory() throws {
        let directory = try PythonTool.referenceLogs.get()
        var seeds: [[UInt8]] = []
        for (compression, chunkSize) in [(MCAPCompression.none, 2048), (.lz4, 2048), (.zstd, 2048), (.none, 0)] {
            let path = temporaryPath("seed.mcap")
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = try TestLog.write(to: path, compression: compression, chunkSize: chunkSize, messageCount: 30)
            seeds.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        for name in ["ros2_image.mcap", "foxglove_lz4.mcap", "foxglove_unchunked.mcap"] {
            seeds.append(Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }

        let path = temporaryPath("fuzz.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rssBefore = Self.peakRSSKiB()
        var generator = SplitMix64(seed: 2024)
        var failures = [String: Int]()
        let iterations = 3000
        for iteration in 0..<iterations {
            var bytes = seeds[iteration % seeds.count]
            Self.mutate(&bytes, &generator)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            // Half the runs skip CRCs so the record parsers themselves see the damage.
            let limits = MCAPReader.Limits(validateCRCs: iteration % 2 == 0)
            let outcome = ReadOutcome.read(path, limits: limits)
            // The reference logs (after the four TestLogs) also go through replay's image decoding.
            let replay = iteration % seeds.count >= 4 ? ReplayFrames.read(path, limits: limits) : ReplayFrames()
            for error in [outcome.error, replay.error].compactMap({ $0 }) {
                let affordError = try #require(error as? AffordError, "iteration \(iteration): \(error)")
                failures[affordError.code.name, default: 0] += 1
            }
        }
        let growthMiB = (Self.peakRSSKiB() - rssBefore) / 1024
        print("fuzz: \(iterations) mutated logs, errors by code \(failures), peak RSS growth \(growthMiB) MiB")
        #expect(failures[AffordError.Code.corruptLog.name, default: 0] > iterations / 2)
        #expect(growthMiB < 256)
    }

    /// Bit flips, truncations, or a record's length field (or a chunk's size field) overwritten.
    static func mutate(_ bytes: inout [UInt8], _ generator: inout SplitMix64) {
        switch generator.next() % 4 {
        case 0:
            for _ in 0..<(1 + generator.next() % 8) {
                bytes[Int(generator.next() % UInt64(bytes.count))] ^= UInt8(1) << (generator.next() % 8)
            }
        case 1:
            bytes.removeSubrange(Int(generator.next() % UInt64(bytes.count))...)
        default:
            let records = topLevelRecords(bytes)
            guard let record = records.randomElement(using: &generator) else { return }
            // The record's own length, or for a chunk its uncompressed or compressed size field.
            let field = [record.start + 1, record.start + 25, record.end - 8].randomElement(using: &generator) ?? record.start + 1
            let values: [UInt64] = [0, 1, UInt64.max, UInt64(Int64.max), 1 << 40, generator.next() % 100_000,
                                    UInt64(bytes.count)]
            let value = values.randomElement(using: &generator) ?? 0
            for i in 0..<8 where field + i < bytes.count {
                bytes[field + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
            }
        }
    }

    static func peakRSSKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}

/// Every frame a replay source yields, stopping at the first error.
struct ReplayFrames {
    var frames: [Frame] = []
    var error: (any Error)?

    static func read(_ path: String, limits: MCAPReader.Limits = .init()) -> ReplayFrames {
        var result = ReplayFrames()
        do {
            let source = try ReplaySource(path: path, options: .init(pacing: .asFastAsPossible, limits: limits))
            defer { source.close() }
            while let frame = try source.nextFrame() { result.frames.append(frame) }
        } catch {
            result.error = error
        }
        return result
    }
}

@Suite struct LyingLengthTests {
    /// A chunk that claims 400 MiB of records but holds a few KiB must fail without allocating them.
    @Test func aChunkLyingAboutItsSizeFailsWithoutAllocatingIt() throws {
        let path = temporaryPath("liar.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try TestLog.write(to: path, compression: .zstd, chunkSize: 4096, messageCount: 30)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let chunk = try #require(DamagedLogTests.topLevelRecords(bytes).first { $0.opcode == MCAP.Opcode.chunk.rawValue })
        let claimed: UInt64 = 400 << 20
        for i in 0..<8 { bytes[chunk.start + 9 + 16 + i] = UInt8(truncatingIfNeeded: claimed >> (8 * UInt64(i))) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let before = DamagedLogTests.peakRSSKiB()
        let outcome = ReadOutcome.read(path)
        let growthMiB = (DamagedLogTests.peakRSSKiB() - before) / 1024
        let error = try #require(outcome.error as? AffordError)
        #expect(error.code == .corruptLog)
        #expect(error.message.contains("offset \(chunk.start)"))
        #expect(error.message.contains("header says \(claimed)"))
        #expect(growthMiB < 100, "peak RSS grew by \(growthMiB) MiB")
    }

    @Test func aRecordLongerThanTheFileIsRejectedBeforeReading() throws {
        let path = temporaryPath("long.mcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try TestLog.write(to: path, compression: .none, chunkSize: 4096, messageCount: 30)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let record = try #require(DamagedLogTests.topLevelRecords(bytes).dropFirst(2).first)
        for i in 0..<8 { bytes[record.start + 1 + i] = 0x7F }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(ReadOutcome.read(path).error as? AffordError)
        #expect(error.message.contains("at offset \(record.start)"))
        #expect(error.message.contains("remain"))
    }
}
