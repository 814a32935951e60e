import Foundation

/// The loaders under test read paths, so an input is written to a fresh temporary file
/// (`mkstemp`: harness runs in parallel tests never share one) and removed afterwards.
enum ScratchFile {
    static func with<T>(_ bytes: [UInt8], suffix: String = "", _ body: (String) throws -> T) rethrows -> T? {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(directory)/affordd-fuzz-XXXXXX\(suffix)".utf8CString)
        let fd = mkstemps(&template, Int32(suffix.utf8.count))
        guard fd >= 0 else { return nil }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { return nil }
        return try body(path)
    }
}
