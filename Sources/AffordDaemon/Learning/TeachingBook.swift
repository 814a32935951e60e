import AffordCore
import AffordEngine
import Foundation

/// One view of a taught frame (the whole frame, or a zoom region of it): the probe's features
/// per patch (`ProbeFeatures`; the backbone's tokens alone in version 1 files) and the
/// operator's marking rasterised onto them.
struct TaughtView: Sendable, Equatable {
    var features: [Float]
    var mask: PartMask
}

/// One frame an operator marked, as the views grounding sees it through.
struct TaughtFrame: Sendable, Equatable {
    var views: [TaughtView]
    /// ISO 8601, UTC.
    var taughtAt: String
}

/// A taught action: its frames (kept, so a later frame refits on all of them), the probe fitted
/// on them, and for a new action the head action whose map best matched its first marking.
struct TaughtAction: Sendable, Equatable {
    var action: String
    var frames: [TaughtFrame]
    var probe: PartProbe
    var partner: String?
}

/// The taught actions, shared by the control handler (writes) and inference (reads), and
/// persisted with their features and masks as one safetensors file, replaced atomically on
/// every change.
public final class TeachingBook: Sendable {
    static let format = "affordd-taught"
    /// 2: the features are the tokens followed by the head's maps. Version 1 files (tokens
    /// alone) still load and ground; a new frame for one of their actions asks to re-teach it.
    static let version = 2
    /// Each taught action costs a probe map per view and frame: the counts are bounded.
    static let maximumActions = 16
    static let maximumFrames = 8

    /// nil keeps taught actions in memory only.
    let path: String?
    /// The backbone the features come from; a file from another backbone is refused.
    let backboneHash: String
    let training: PartProbe.Training
    private let taught: Shared<[String: TaughtAction]>

    /// Loads `path` when it exists; a corrupt or foreign file is an error naming it.
    public init(path: String?, backboneHash: String, training: PartProbe.Training = PartProbe.Training()) throws {
        self.path = path
        self.backboneHash = backboneHash
        self.training = training
        taught = Shared(try path.map { try Self.load(path: $0, backboneHash: backboneHash) } ?? [:])
    }

    /// In memory only: nothing is read or written.
    init(backboneHash: String, training: PartProbe.Training = PartProbe.Training()) {
        path = nil
        self.backboneHash = backboneHash
        self.training = training
        taught = Shared([:])
    }

    /// Refuses probes the loaded model cannot feed. A probe reads the tokens alone (version 1
    /// files) or the tokens plus one map per head action, so a head with another number of
    /// actions on the same backbone would make every frame's grounding fail.
    func checkFeatureWidths(tokens: Int, headActions: Int) throws {
        let widths = [tokens, tokens + headActions]
        let mismatched = taught.withLock { taught in taught.filter { !widths.contains($0.value.probe.weights.count) } }
        guard let (name, action) = mismatched.min(by: { $0.key < $1.key }) else { return }
        throw AffordError(.invalidConfig, "\(path ?? "taught actions"): '\(name)' was taught on \(action.probe.weights.count)-wide "
            + "features, but this backbone and head give \(tokens) plus \(headActions) head maps; forget it or remove the file")
    }

    /// Taught action names, sorted.
    var actions: [String] { taught.withLock { $0.keys.sorted() } }

    func probe(for action: String) -> PartProbe? { taught.withLock { $0[action]?.probe } }

    /// A new action's partner head action and its weight in the blend: half with one frame,
    /// fading as 1/frames² (on the validation renders the head's map helped one frame, not three).
    func partner(for action: String) -> (action: String, weight: Float)? {
        taught.withLock { taught in
            guard let entry = taught[action], let partner = entry.partner, !entry.frames.isEmpty else { return nil }
            return (partner, 0.5 / Float(entry.frames.count * entry.frames.count))
        }
    }

    /// Per action: frames taught, when the last one was, and its partner head action.
    var summary: [(action: String, frames: Int, updated: String, partner: String?)] {
        taught.withLock { taught in
            taught.keys.sorted().compactMap { name in
                taught[name].map { (name, $0.frames.count, $0.frames.last?.taughtAt ?? "", $0.partner) }
            }
        }
    }

    /// Adds a frame to `action` (new or taught before), refits its probe on all of its frames
    /// and saves. The fit runs outside the lock: grounding keeps the old probe until the swap.
    /// `partner` counts for a new action only; later frames keep the first one's.
    /// `beforeRecording` may throw to leave the book unchanged.
    func teach(_ action: String, views: [TaughtView], dim: Int, partner: String? = nil,
               beforeRecording: () throws -> Void = {}) throws -> TaughtAction {
        guard views.contains(where: { $0.mask.hasPart }) else {
            throw AffordError(.invalidInput, "teach '\(action)': the marking covers no patch of the frame")
        }
        let (existing, count) = taught.withLock { ($0[action], $0.count) }
        guard existing != nil || count < Self.maximumActions else {
            throw AffordError(.invalidInput, "teach: \(Self.maximumActions) actions are taught already; forget one first")
        }
        if let existing, existing.probe.weights.count != dim {
            throw AffordError(.invalidInput,
                "teach '\(action)': its frames were taught by an older affordd, without the head's maps; forget it and teach it again")
        }
        let frames = (existing?.frames ?? []) + [TaughtFrame(views: views, taughtAt: Self.now())]
        guard frames.count <= Self.maximumFrames else {
            throw AffordError(.invalidInput, "teach '\(action)': \(Self.maximumFrames) frames are taught already; forget it to start again")
        }
        let examples = frames.flatMap(\.views).map {
            PartProbe.Example(tokens: $0.features, target: $0.mask.target, weight: $0.mask.weight)
        }
        let taughtAction = TaughtAction(action: action, frames: frames,
                                        probe: try PartProbe.fit(examples, dim: dim, training: training),
                                        partner: existing.map(\.partner) ?? partner)
        try beforeRecording()
        try taught.withLock { taught in
            // The fit ran unlocked: a teach or forget of this action meanwhile would be lost.
            guard taught[action]?.frames == existing?.frames else {
                throw AffordError(.invalidInput, "teach '\(action)': it changed while this frame was fitted; send it again")
            }
            var next = taught
            next[action] = taughtAction
            try save(next)
            taught = next
        }
        return taughtAction
    }

    /// Forgets the named actions (all when empty) and saves; returns those removed.
    @discardableResult
    public func forget(_ actions: [String] = []) throws -> [String] {
        try taught.withLock { taught in
            let (next, removed) = taught.removing(actions)
            try save(next)
            taught = next
            return removed
        }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    // MARK: File

    /// The index in the file's metadata; the tensors are named `action/frame/view/{features,target,weight}`
    /// and `action/probe` (the weights, then the bias).
    private struct Index: Codable {
        struct Frame: Codable {
            var taughtAt: String
            var views: Int
            var side: Int
        }
        struct Action: Codable {
            var action: String
            var frames: [Frame]
            /// Absent in files from before partners, and for taught head actions.
            var partner: String?
            /// Features per patch; absent in version 1 files, where every action has `Index.dim`.
            /// Per action, since a version 1 action (tokens alone) may share a file with new ones.
            var dim: Int?
        }
        /// Version 1's one width for every action; not written since.
        var dim: Int?
        var actions: [Action]
    }

    /// Wider than any backbone's tokens plus a head's maps; bounds the file's sizes before arithmetic.
    static let maximumFeatureWidth = 1 << 16
    /// The token grid of the largest input the config allows (14-pixel patches): what `save` can write.
    static let maximumSide = ConfigLoader.Limits.inputSize.upperBound / 14

    private func save(_ taught: [String: TaughtAction]) throws {
        guard let path else { return }
        var tensors: [SafetensorsWriter.Tensor] = []
        var index = Index(dim: nil, actions: [])
        for name in taught.keys.sorted() {
            guard let action = taught[name] else { continue }
            let dim = action.probe.weights.count
            var frames: [Index.Frame] = []
            for (f, frame) in action.frames.enumerated() {
                let side = frame.views.first?.mask.side ?? 0
                for (v, view) in frame.views.enumerated() {
                    let positions = view.mask.target.count
                    tensors.append(.init(name: "\(name)/\(f)/\(v)/features", shape: [positions, dim], values: view.features))
                    tensors.append(.init(name: "\(name)/\(f)/\(v)/target", shape: [positions], values: view.mask.target))
                    tensors.append(.init(name: "\(name)/\(f)/\(v)/weight", shape: [positions], values: view.mask.weight))
                }
                frames.append(.init(taughtAt: frame.taughtAt, views: frame.views.count, side: side))
            }
            tensors.append(.init(name: "\(name)/probe", shape: [dim + 1], values: action.probe.weights + [action.probe.bias]))
            index.actions.append(.init(action: name, frames: frames, partner: action.partner, dim: dim))
        }
        let indexJSON = String(decoding: try JSONEncoder().encode(index), as: UTF8.self)
        try SafetensorsWriter.write(tensors, metadata: ["format": Self.format, "version": String(Self.version),
                                                        "backbone": backboneHash, "index": indexJSON], to: path)
    }

    private static func load(path: String, backboneHash: String) throws -> [String: TaughtAction] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let file = try SafetensorsFile(path: path)
        let meta = file.metadata
        guard meta["format"] == format, let fileVersion = meta["version"].flatMap(Int.init), (1...version).contains(fileVersion) else {
            throw AffordError(.invalidConfig, "\(path): format \(meta["format"] ?? "none") v\(meta["version"] ?? "?"), expected \(format) v1–v\(version)")
        }
        guard meta["backbone"] == backboneHash else {
            throw AffordError(.invalidConfig, "\(path): taught with backbone \((meta["backbone"] ?? "unknown").prefix(12)), loaded backbone is \(backboneHash.prefix(12)); forget or remove the file")
        }
        let index: Index
        do {
            index = try JSONDecoder().decode(Index.self, from: Data((meta["index"] ?? "").utf8))
        } catch {
            throw AffordError(.invalidConfig, "\(path): the index is not valid (\(error))")
        }
        guard index.actions.count <= maximumActions, index.actions.allSatisfy({ (1...maximumFrames).contains($0.frames.count) }) else {
            throw AffordError(.invalidConfig, "\(path): more than \(maximumActions) actions or \(maximumFrames) frames per action")
        }
        var taught: [String: TaughtAction] = [:]
        for action in index.actions {
            guard let dim = action.dim ?? index.dim, (1...maximumFeatureWidth).contains(dim) else {
                throw AffordError(.invalidConfig, "\(path): '\(action.action)' has no feature width in 1...\(maximumFeatureWidth)")
            }
            let frames = try action.frames.enumerated().map { f, frame in
                guard (1...Self.maximumSide).contains(frame.side), (1...LearningGrounder.maximumViews).contains(frame.views) else {
                    throw AffordError(.invalidConfig, "\(path): '\(action.action)' frame \(f) has \(frame.views) views of side \(frame.side)")
                }
                let positions = frame.side * frame.side
                let views = try (0..<frame.views).map { v in
                    let prefix = "\(action.action)/\(f)/\(v)"
                    return TaughtView(
                        features: Array(try file.floats("\(prefix)/\(fileVersion == 1 ? "tokens" : "features")", shape: [positions, dim])),
                        mask: PartMask(side: frame.side, target: Array(try file.floats("\(prefix)/target", shape: [positions])),
                                       weight: Array(try file.floats("\(prefix)/weight", shape: [positions]))))
                }
                return TaughtFrame(views: views, taughtAt: frame.taughtAt)
            }
            let probe = Array(try file.floats("\(action.action)/probe", shape: [dim + 1]))
            taught[action.action] = TaughtAction(action: action.action, frames: frames,
                                                 probe: PartProbe(weights: Array(probe.dropLast()), bias: probe.last ?? 0),
                                                 partner: action.partner)
        }
        return taught
    }
}

extension Dictionary where Key == String {
    /// Without the named actions (all of them when `actions` is empty), and the names that were there.
    func removing(_ actions: [String]) -> (remaining: Self, removed: [String]) {
        let removed = actions.isEmpty ? keys.sorted() : actions.filter { self[$0] != nil }
        var remaining = self
        for action in removed { remaining[action] = nil }
        return (remaining, removed)
    }
}
