@testable import AffordCapture
import AffordCore
@testable import AffordImaging
import Foundation
import Testing

@Suite struct SyntheticSourceTests {
    @Test func framesAreDeterministicAndMove() throws {
        let a = try SyntheticSource(width: 64, height: 48, format: .rgb8, frameCount: 3)
        let b = try SyntheticSource(width: 64, height: 48, format: .rgb8)
        let first = try #require(try a.nextFrame()), second = try #require(try a.nextFrame())
        #expect(first.pixels == (try #require(try b.nextFrame())).pixels)
        #expect(first.pixels != second.pixels)
        #expect(second.sequence == 1 && first.camera == "synthetic")
        _ = try a.nextFrame()
        #expect(try a.nextFrame() == nil)
    }

    @Test(arguments: [PixelFormat.yuyv, .mjpeg, .bgr8, .mono8])
    func everyFormatDecodesBackToThePattern(format: PixelFormat) throws {
        let source = try SyntheticSource(width: 96, height: 64, format: format)
        let frame = try #require(try source.nextFrame())
        let decoded = try FrameDecoder().decode(frame)
        let pattern = SyntheticSource.pattern(sequence: 0, width: 96, height: 64)
        let expected = format == .mono8 ? try PixelConversion.toRGB(PixelConversion.toMono(pattern).pixels, width: 96,
                                                                    height: 64, stride: 96, format: .mono8) : pattern
        let meanError = zip(decoded.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / expected.pixels.count
        #expect(meanError <= (format == .bgr8 || format == .mono8 ? 0 : 4), "\(format): \(meanError)")
    }

    @Test func pacingSpacesFramesByTheRate() throws {
        let source = try SyntheticSource(width: 16, height: 16, format: .rgb8, fps: 100)
        let stamps = try (0..<4).map { _ in try #require(try source.nextFrame()).captureMonotonicNs }
        // Frames are due every 10 ms from the first; a late wake-up delays one stamp, not the schedule.
        #expect(stamps[3] - stamps[0] >= 29_000_000, "\(stamps)")
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 })
    }
}

@Suite struct ImageFileSourceTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-images-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = try JPEGEncoder()
        for (name, sequence) in [("frame1.jpg", 1), ("frame10.JPEG", 10)] {
            let jpeg = try encoder.encode(SyntheticSource.pattern(sequence: UInt64(sequence), width: 64, height: 40))
            try Data(jpeg).write(to: directory.appendingPathComponent(name))
        }
        try Data(PNGCodec.encode(SyntheticSource.pattern(sequence: 2, width: 30, height: 20))).write(to: directory.appendingPathComponent("frame2.png"))
        try Data("ignore me".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        return directory
    }

    @Test func directoryIsReadInNaturalOrderAndLoops() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try ImageFileSource(path: directory.path, cameraName: "stills", loop: true)
        #expect(source.files.map(\.lastPathComponent) == ["frame1.jpg", "frame2.png", "frame10.JPEG"])
        let frames = try (0..<4).map { _ in try #require(try source.nextFrame()) }
        #expect(frames.map(\.format) == [.mjpeg, .rgb8, .mjpeg, .mjpeg])
        #expect(frames[0].width == 64 && frames[0].height == 40)
        #expect(frames[1].pixels == SyntheticSource.pattern(sequence: 2, width: 30, height: 20).pixels)
        #expect(frames[3].pixels == frames[0].pixels && frames.map(\.sequence) == [0, 1, 2, 3])
        source.close()
        #expect(try source.nextFrame() == nil)
    }

    @Test func singleFileEndsWithoutLoop() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try ImageFileSource(path: directory.appendingPathComponent("frame2.png").path, cameraName: "still")
        #expect(try source.nextFrame()?.width == 30)
        #expect(try source.nextFrame() == nil)
    }

    @Test func badPathsAndFilesAreClearErrors() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: AffordError.self) { try ImageFileSource(path: directory.appendingPathComponent("missing").path, cameraName: "x") }
        #expect(throws: AffordError.self) { try ImageFileSource(path: directory.appendingPathComponent("notes.txt").path, cameraName: "x") }
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let error = #expect(throws: AffordError.self) { try ImageFileSource(path: empty.path, cameraName: "x") }
        #expect(error?.message.contains("has no .jpg") == true)
        let broken = directory.appendingPathComponent("frame2.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2]).write(to: broken)
        let source = try ImageFileSource(path: broken.path, cameraName: "x")
        let decodeError = #expect(throws: AffordError.self) { try source.nextFrame() }
        #expect(decodeError?.message.hasPrefix(broken.path) == true)
    }
}
