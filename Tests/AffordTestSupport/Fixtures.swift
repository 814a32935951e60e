import Foundation

/// Locates generated test fixtures (written by `make fixtures`, never committed).
public enum Fixtures {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // AffordTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `fixtures/` at the repository root, or `$AFFORDD_FIXTURES`.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["AFFORDD_FIXTURES"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.appendingPathComponent("fixtures")
    }

    /// `models/` at the repository root, or `$AFFORDD_MODELS`.
    public static var models: URL {
        if let override = ProcessInfo.processInfo.environment["AFFORDD_MODELS"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.appendingPathComponent("models")
    }
}
