import AffordCore
import Foundation

/// The demonstrated prototypes, shared by the control handler (writes) and inference (reads),
/// persisted as one small JSON file that is rewritten atomically on every change.
public final class DemonstrationBook: Sendable {
    /// The file's format tag and version, checked on load.
    static let format = "affordd-demonstrations"
    static let version = 1
    /// Every demonstrated action costs a cosine map per frame: the count is bounded.
    static let maximumActions = 32

    /// nil keeps prototypes in memory only.
    let path: String?
    private let prototypes: Shared<[String: DemonstrationPrototype]>

    private struct File: Codable {
        var format: String
        var version: Int
        var backbone: String
        var prototypes: [DemonstrationPrototype]
    }

    /// The backbone the prototypes were built with; a file from another backbone is refused.
    let backboneHash: String

    /// Loads `path` when it exists; a corrupt or foreign file is an error naming it.
    public init(path: String?, backboneHash: String) throws {
        self.path = path
        self.backboneHash = backboneHash
        prototypes = Shared(try Self.load(path: path, backboneHash: backboneHash))
    }

    private static func load(path: String?, backboneHash: String) throws -> [String: DemonstrationPrototype] {
        guard let path, FileManager.default.fileExists(atPath: path) else { return [:] }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw AffordError(.invalidConfig, "\(path): not a demonstrations file (\(error))")
        }
        guard file.format == Self.format, file.version == Self.version else {
            throw AffordError(.invalidConfig, "\(path): format \(file.format) v\(file.version), expected \(Self.format) v\(Self.version)")
        }
        guard file.backbone == backboneHash else {
            throw AffordError(.invalidConfig, "\(path): prototypes come from backbone \(file.backbone.prefix(12)), loaded backbone is \(backboneHash.prefix(12)); clear_demonstrations or remove the file")
        }
        guard file.prototypes.count <= Self.maximumActions else {
            throw AffordError(.invalidConfig, "\(path): \(file.prototypes.count) prototypes, more than the \(Self.maximumActions) allowed")
        }
        return Dictionary(file.prototypes.map { ($0.action, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Demonstrated action names, sorted.
    var actions: [String] { prototypes.withLock { $0.keys.sorted() } }

    func prototype(for action: String) -> DemonstrationPrototype? { prototypes.withLock { $0[action] } }

    /// Adds or replaces the action's prototype and saves.
    func record(_ prototype: DemonstrationPrototype) throws {
        try prototypes.withLock { prototypes in
            guard prototypes[prototype.action] != nil || prototypes.count < Self.maximumActions else {
                throw AffordError(.invalidInput,
                    "demonstrate: \(Self.maximumActions) actions are demonstrated already; clear_demonstrations first")
            }
            var next = prototypes
            next[prototype.action] = prototype
            try save(next)
            prototypes = next
        }
    }

    /// Forgets the named actions (all when empty) and saves; returns those removed.
    @discardableResult
    public func clear(_ actions: [String] = []) throws -> [String] {
        try prototypes.withLock { prototypes in
            let (next, removed) = prototypes.removing(actions)
            try save(next)
            prototypes = next
            return removed
        }
    }

    private func save(_ next: [String: DemonstrationPrototype]) throws {
        guard let path else { return }
        let url = URL(fileURLWithPath: path)
        let file = File(format: Self.format, version: Self.version, backbone: backboneHash,
                        prototypes: next.keys.sorted().compactMap { next[$0] })
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try encoder.encode(file).write(to: url, options: .atomic)
        } catch {
            throw AffordError(.io, "\(path): cannot save demonstrations: \(error)")
        }
    }
}
