import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Scratch folders for tests that write files. All of them live under one folder per test
/// process, removed when the process exits, so a run leaves nothing in the temporary directory.
public enum ScratchDirectory {
    /// A fresh, empty folder named `prefix-<UUID>`.
    public static func make(_ prefix: String) throws -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-tests-\(getpid())")
        atexit { try? FileManager.default.removeItem(at: ScratchDirectory.root) }
        return url
    }()
}
