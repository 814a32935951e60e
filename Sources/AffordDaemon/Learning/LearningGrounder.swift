import Foundation
import AffordCore
import AffordEngine
import AffordPostprocess

/// A grounder that also yields the backbone's patch tokens (GroundingEngine; fakes in tests).
public protocol TokenGrounder: AffordanceGrounder {
    /// Backbone hash, to tie stored prototypes to the backbone that made them.
    var backboneHash: String { get }
    /// Features per patch token.
    var tokenWidth: Int { get }
    func groundKeepingTokens(_ image: RGBImage, actions: [String]) throws -> (maps: [ActionMap], tokens: PatchTokens)
}

extension GroundingEngine: TokenGrounder {
    public var backboneHash: String { backbone.sourceHash }
    public var tokenWidth: Int { backbone.config.embedDim }
}

/// The head's actions plus those learnt at run time, from one backbone pass per frame.
///
/// Head actions come from the head. A demonstrated action's map (`demonstrate`, a person's
/// pose) is the cosine affinity of the frame's tokens to its prototype; a taught action's
/// (`teach`, an operator's marking) is its probe's probability per patch. Both then take
/// the same post-process and publish path, are always grounded, after the ones asked for,
/// until cleared, and shadow a head action of the same name.
public final class LearningGrounder: AffordanceGrounder, Sendable {
    let base: any TokenGrounder
    public let book: DemonstrationBook
    public let teachings: TeachingBook

    /// `teachings` nil: taught actions live in memory only.
    public init(base: any TokenGrounder, book: DemonstrationBook, teachings: TeachingBook? = nil) {
        self.base = base
        self.book = book
        self.teachings = teachings ?? TeachingBook(backboneHash: base.backboneHash)
    }

    /// Demonstrated, then taught action names (a name is one or the other).
    var learnt: [String] { book.actions + teachings.actions }

    public var vocabulary: [String] {
        let learnt = self.learnt
        return base.vocabulary.filter { !learnt.contains($0) } + learnt
    }

    /// The head's own actions: every answer carries the learnt ones, asked for or not.
    public var proposalVocabulary: [String] {
        let learnt = self.learnt
        return base.vocabulary.filter { !learnt.contains($0) }
    }

    public var modelID: String { base.modelID }
    public var inputSize: Int { base.inputSize }

    public func ground(_ image: RGBImage, actions: [String]) throws -> [ActionMap] {
        let learnt = self.learnt
        let wanted = (actions.isEmpty ? vocabulary : actions.filter { !learnt.contains($0) }) + (actions.isEmpty ? [] : learnt)
        let prototypes = wanted.compactMap { book.prototype(for: $0) }
        let probes = wanted.compactMap { name in teachings.probe(for: name).map { (name, $0) } }
        // A taught head action keeps the head's map too: the two are blended (`blend`).
        var headActions = wanted.filter { name in
            !prototypes.contains { $0.action == name } && (!probes.contains { $0.0 == name } || base.vocabulary.contains(name))
        }
        // A new taught action is blended with its partner head action's map (`TeachingBook.partner`).
        let partners = Dictionary(probes.compactMap { name, _ in
            teachings.partner(for: name).flatMap { base.vocabulary.contains($0.action) ? (name, $0) : nil }
        }, uniquingKeysWith: { first, _ in first })
        for partner in partners.values where !headActions.contains(partner.action) { headActions.append(partner.action) }
        guard !prototypes.isEmpty || !probes.isEmpty else { return try base.ground(image, actions: headActions) }
        // Probes read every head map (`ProbeFeatures`); the head makes them all in one pass anyway.
        let asked = !probes.isEmpty ? base.vocabulary : headActions.isEmpty ? [base.vocabulary[0]] : headActions
        let (maps, tokens) = try base.groundKeepingTokens(image, actions: asked)
        var byAction = Dictionary(maps.map { ($0.action, $0) }, uniquingKeysWith: { first, _ in first })
        for prototype in prototypes {
            byAction[prototype.action] = ActionMap(action: prototype.action, map: try prototype.affinity(tokens))
        }
        let features = probes.isEmpty ? tokens : try ProbeFeatures.make(tokens: tokens, headMaps: maps)
        for (name, probe) in probes {
            // A probe from a version 1 file was fitted on the tokens alone.
            let (map, presence) = try probe.map(probe.weights.count == tokens.dim ? tokens : features)
            let taught = ActionMap(action: name, map: map, presence: presence)
            if base.vocabulary.contains(name), let head = byAction[name] {
                byAction[name] = Self.blend(head: head, taught: taught)
            } else if let partner = partners[name], let head = byAction[partner.action] {
                byAction[name] = Self.blend(head: head, taught: taught, headWeight: partner.weight, keepsHeadPresence: false)
            } else {
                byAction[name] = taught
            }
        }
        return wanted.compactMap { byAction[$0] }
    }

    /// A head action taught on this workcell's frames: the mean of the two min-max normalised
    /// maps (the head knows the action in general, the probe knows this part), and the larger
    /// presence. A new action's partner counts `headWeight` and lends no presence.
    static func blend(head: ActionMap, taught: ActionMap, headWeight: Float = 0.5, keepsHeadPresence: Bool = true) -> ActionMap {
        guard head.map.width == taught.map.width, head.map.height == taught.map.height else { return taught }
        let a = HeatmapPostprocessor.normalised(head.map).values, b = HeatmapPostprocessor.normalised(taught.map).values
        let presence = keepsHeadPresence ? [head.presence, taught.presence].compactMap { $0 }.max() : taught.presence
        return ActionMap(action: taught.action, map: Heatmap(width: taught.map.width, height: taught.map.height,
                                                             values: zip(a, b).map { headWeight * $0 + (1 - headWeight) * $1 }),
                         presence: presence)
    }

    /// Builds and stores the prototype of `action` from an interaction image and the person's pose.
    /// `beforeRecording` runs after the backbone pass and may throw to leave the book unchanged.
    @discardableResult
    func demonstrate(action: String, image: RGBImage, pose: CocoPose, kind: ContactKind? = nil,
                            beforeRecording: () throws -> Void = {}) throws -> DemonstrationPrototype {
        guard !teachings.actions.contains(action) else {
            throw AffordError(.invalidInput, "demonstrate: '\(action)' is taught; forget it first")
        }
        let contact = kind ?? ContactKind.forAction(action)
        let (_, tokens) = try base.groundKeepingTokens(image, actions: [base.vocabulary[0]])
        let prototype = try DemonstrationPrototype(action: action, kind: contact, pose: pose, frameWidth: image.width,
                                                   frameHeight: image.height, tokens: tokens)
        try beforeRecording()
        try book.record(prototype)
        return prototype
    }
}

extension LearningGrounder {
    /// The prototypes and taught-action files in systemd's state directory ($STATE_DIRECTORY, `StateDirectory=affordd`).
    static let demonstrationsFile = "demonstrations.json"
    static let taughtFile = "taught.safetensors"

    /// Wraps `grounder` when it can yield tokens; what it learns persists under `stateDirectory`
    /// (nil: $STATE_DIRECTORY, or memory only when that is unset).
    public static func wrap(_ grounder: any AffordanceGrounder, stateDirectory: String? = nil) throws -> any AffordanceGrounder {
        guard let base = grounder as? any TokenGrounder else { return grounder }
        let directory = stateDirectory ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?
            .split(separator: ":").first.map(String.init)
        func path(_ name: String) -> String? { directory.map { URL(fileURLWithPath: $0).appendingPathComponent(name).path } }
        let teachings = try TeachingBook(path: path(taughtFile), backboneHash: base.backboneHash)
        try teachings.checkFeatureWidths(tokens: base.tokenWidth, headActions: base.vocabulary.count)
        return LearningGrounder(base: base,
                                book: try DemonstrationBook(path: path(demonstrationsFile), backboneHash: base.backboneHash),
                                teachings: teachings)
    }
}
