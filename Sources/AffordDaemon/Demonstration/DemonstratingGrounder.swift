import Foundation
import AffordCore
import AffordEngine

/// A grounder that also yields the backbone's patch tokens (GroundingEngine; fakes in tests).
public protocol TokenGrounder: AffordanceGrounder {
    /// Backbone hash, to tie stored prototypes to the backbone that made them.
    var backboneHash: String { get }
    func groundKeepingTokens(_ image: RGBImage, actions: [String]) throws -> (maps: [ActionMap], tokens: PatchTokens)
}

extension GroundingEngine: TokenGrounder {
    public var backboneHash: String { backbone.sourceHash }
}

/// The head's actions plus demonstrated ones, from one backbone pass per frame.
///
/// Head actions come from the head; a demonstrated action's map is the cosine affinity of
/// the frame's tokens to its prototype, and then takes the same post-process and publish
/// path. Demonstrated actions are always grounded, after the ones asked for, until
/// cleared; a demonstrated name shadows a head action of the same name.
public final class DemonstratingGrounder: AffordanceGrounder, @unchecked Sendable {
    public let base: any TokenGrounder
    public let book: DemonstrationBook

    public init(base: any TokenGrounder, book: DemonstrationBook) {
        self.base = base
        self.book = book
    }

    public var vocabulary: [String] {
        let demonstrated = book.actions
        return base.vocabulary.filter { !demonstrated.contains($0) } + demonstrated
    }

    public var modelID: String { base.modelID }
    public var inputSize: Int { base.inputSize }

    public func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        let demonstrated = book.actions
        let wanted = (actions.isEmpty ? vocabulary : actions.filter { !demonstrated.contains($0) }) + (actions.isEmpty ? [] : demonstrated)
        let prototypes = wanted.compactMap { book.prototype(for: $0) }
        let headActions = wanted.filter { name in !prototypes.contains { $0.action == name } }
        guard !prototypes.isEmpty else { return try base.ground(image, actions: headActions) }
        let (maps, tokens) = try base.groundKeepingTokens(image, actions: headActions.isEmpty ? [base.vocabulary[0]] : headActions)
        var byAction = Dictionary(maps.map { ($0.action, $0) }, uniquingKeysWith: { first, _ in first })
        for prototype in prototypes {
            byAction[prototype.action] = ActionMap(action: prototype.action, map: try prototype.affinity(tokens))
        }
        return wanted.compactMap { byAction[$0] }
    }

    /// Builds and stores the prototype of `action` from an interaction image and the person's pose.
    /// `beforeRecording` runs after the backbone pass and may throw to leave the book unchanged.
    @discardableResult
    public func demonstrate(action: String, image: RGBImage, pose: CocoPose, kind: ContactKind? = nil,
                            beforeRecording: () throws -> Void = {}) throws -> DemonstrationPrototype {
        let contact = kind ?? ContactKind.forAction(action)
        let (_, tokens) = try base.groundKeepingTokens(image, actions: [base.vocabulary[0]])
        let prototype = try DemonstrationPrototype(action: action, kind: contact, pose: pose, frameWidth: image.width,
                                                   frameHeight: image.height, tokens: tokens)
        try beforeRecording()
        try book.record(prototype)
        return prototype
    }
}

extension DemonstratingGrounder {
    /// The prototypes file in systemd's state directory ($STATE_DIRECTORY, `StateDirectory=affordd`).
    public static let fileName = "demonstrations.json"

    /// Wraps `grounder` when it can yield tokens; prototypes persist under `stateDirectory`
    /// (nil: $STATE_DIRECTORY, or memory only when that is unset).
    public static func wrap(_ grounder: any AffordanceGrounder, stateDirectory: String? = nil) throws -> any AffordanceGrounder {
        guard let base = grounder as? any TokenGrounder else { return grounder }
        let directory = stateDirectory ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?
            .split(separator: ":").first.map(String.init)
        let path = directory.map { URL(fileURLWithPath: $0).appendingPathComponent(fileName).path }
        return DemonstratingGrounder(base: base, book: try DemonstrationBook(path: path, backboneHash: base.backboneHash))
    }
}
