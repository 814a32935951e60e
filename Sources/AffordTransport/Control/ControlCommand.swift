/// The operations a controller may request; the wire name is the raw value.
public enum ControlOp: String, Sendable, CaseIterable {
    case status
    case setActions = "set_actions"
    case snapshot
    case pause
    case resume
    case reload
    case demonstrate
    case clearDemonstrations = "clear_demonstrations"
    case teach
    case taught
    case forget
}

/// A validated control command: only well-formed values can exist.
///
/// Adding an op (e.g. issue 7's `demonstrate`, which brings JPEG bytes as an
/// attachment frame) means: a `ControlOp` case, a case here, and one parse
/// branch in `ControlParser`; the handler's switch then shows what is missing.
public enum ControlCommand: Sendable, Equatable {
    /// Report health: the daemon answers with its `PipelineStatus` list.
    case status
    /// Replace the published actions (each must be in the model's vocabulary).
    case setActions([String])
    /// Return the latest frame's centroids, for one camera or all.
    case snapshot(camera: String?)
    /// Stop inference and publishing; cameras stay open.
    case pause
    case resume
    /// Re-read the configuration file, as SIGHUP does.
    case reload
    /// Learn an action's contact region from a person's demonstration (issue 7).
    case demonstrate(DemonstrationRequest)
    /// Forget demonstrated actions (all when the list is empty).
    case clearDemonstrations([String])
    /// Learn a part from an operator's marking on a frame (issue 13).
    case teach(TeachRequest)
    /// List the taught actions.
    case taught
    /// Forget taught actions (all when the list is empty).
    case forget([String])

    public var op: ControlOp {
        switch self {
        case .status: .status
        case .setActions: .setActions
        case .snapshot: .snapshot
        case .pause: .pause
        case .resume: .resume
        case .reload: .reload
        case .demonstrate: .demonstrate
        case .clearDemonstrations: .clearDemonstrations
        case .teach: .teach
        case .taught: .taught
        case .forget: .forget
        }
    }
}

/// Which frame a `demonstrate` or `teach` refers to.
public enum FrameReference: Sendable, Equatable {
    /// The request's single attachment frame holds JPEG bytes.
    case attachedJPEG
    /// The newest full-resolution frame of `camera` (optional with a single camera).
    case latest
    /// Frame `sequence` of an MCAP recording inside the daemon's recording or state directory.
    case recorded(log: String, sequence: UInt64)
}

/// `demonstrate`'s fields: the frame comes as one JPEG attachment, is the latest camera frame, or is a recorded one.
public struct DemonstrationRequest: Sendable, Equatable {

    public var action: String
    /// COCO-17 order, `[x, y, score]` each, in the frame's pixels.
    public var keypoints: [[Double]]
    /// A contact kind name (back, hips, hands, feet, mouth, outside); nil: chosen from the action.
    public var contact: String?
    public var frame: FrameReference
    /// Which camera's frame `latest` means; only with `latest`.
    public var camera: String?

    init(action: String, keypoints: [[Double]], contact: String? = nil, frame: FrameReference, camera: String? = nil) {
        self.action = action
        self.keypoints = keypoints
        self.contact = contact
        self.frame = frame
        self.camera = camera
    }
}

/// How an operator marks the part on a frame, in the frame's pixels. Only finite numbers
/// reach here; the handler checks them against the frame's size.
public enum PartMarking: Sendable, Equatable {
    /// The part's outline: rings of 3 or more `[x, y]` vertices, filled even-odd over all of
    /// them (a ring inside another is a hole; two apart are two pieces).
    case polygons([[[Double]]])
    /// Clicks on the part, and optionally on what is not the part.
    case points(positive: [[Double]], negative: [[Double]])
}

/// `teach`'s fields.
public struct TeachRequest: Sendable, Equatable {
    public var action: String
    public var frame: FrameReference
    /// Which camera's frame `latest` means; only with `latest`.
    public var camera: String?
    public var marking: PartMarking

    init(action: String, frame: FrameReference, camera: String? = nil, marking: PartMarking) {
        self.action = action
        self.frame = frame
        self.camera = camera
        self.marking = marking
    }
}

/// A parsed request: the command and the caller's optional correlation id.
public struct ControlRequest: Sendable, Equatable {
    /// Echoed in the reply so a DEALER client can match pipelined replies.
    public var id: String?
    public var command: ControlCommand
    /// Binary frames after the JSON body (only `demonstrate` and `teach` take one: a JPEG).
    public var attachments: [[UInt8]]

    init(id: String? = nil, command: ControlCommand, attachments: [[UInt8]] = []) {
        self.id = id
        self.command = command
        self.attachments = attachments
    }
}

/// Why a request was refused before reaching the handler.
public struct ControlParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable: `oversized`, `bad_json`, `bad_request`, `unknown_op`, `bad_field`, `missing_field`, `unknown_field`.
    var code: String
    var reason: String
    /// The op and id when they could be read, so the reply can name them.
    var op: String?
    var id: String?

    init(code: String, reason: String, op: String? = nil, id: String? = nil) {
        self.code = code
        self.reason = reason
        self.op = op
        self.id = id
    }

    public var description: String { "\(code): \(reason)" }
}
