import AffordCore

/// Turns a request body into a `ControlRequest`, or says exactly why not.
///
/// Pure and total: any byte sequence gives a value, never a crash, which is
/// what the fuzz test checks. Strict: unknown ops and fields, wrong types and
/// missing fields are errors, so typos never silently do nothing.
public enum ControlParser {
    /// Larger bodies are refused before parsing.
    static let maxBodyBytes = 64 * 1024
    static let maxActions = 64
    static let maxIDLength = 128
    static let maxPolygonVertices = 256
    static let maxRings = 16
    static let maxClicks = 64

    public static func parse(_ body: [UInt8], attachments: [[UInt8]] = []) -> Result<ControlRequest, ControlParseError> {
        guard body.count <= maxBodyBytes else {
            return .failure(ControlParseError(code: "oversized", reason: "body is \(body.count) bytes; the limit is \(maxBodyBytes)"))
        }
        let value: JSONValue
        do {
            value = try StrictJSON.parse(body)
        } catch {
            return .failure(ControlParseError(code: "bad_json", reason: "body is not valid JSON: \(error)"))
        }
        guard case .object(let fields) = value else {
            return .failure(ControlParseError(code: "bad_request", reason: "body must be a JSON object"))
        }
        var request = Request(fields: fields, attachments: attachments)
        return request.parse()
    }

    /// One request's fields, consumed as they are read so leftovers are unknown.
    private struct Request {
        var fields: [String: JSONValue]
        let attachments: [[UInt8]]
        var id: String?
        var opName: String?

        func error(_ code: String, _ reason: String) -> ControlParseError {
            ControlParseError(code: code, reason: reason, op: opName, id: id)
        }

        mutating func parse() -> Result<ControlRequest, ControlParseError> {
            do {
                id = try optionalString("id", maxLength: maxIDLength)
                let name = try requiredString("op")
                opName = name
                guard let op = ControlOp(rawValue: name) else {
                    throw error("unknown_op", "unknown op '\(name.prefix(64))'; known: \(ControlOp.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let command = try command(for: op)
                if let extra = fields.keys.sorted().first {
                    throw error("unknown_field", "op '\(name)' takes no field '\(extra.prefix(64))'")
                }
                guard attachments.isEmpty || op == .demonstrate || op == .teach else {
                    throw error("bad_request", "op '\(name)' takes no attachment frames, got \(attachments.count)")
                }
                return .success(ControlRequest(id: id, command: command, attachments: attachments))
            } catch let parseError as ControlParseError {
                return .failure(parseError)
            } catch {
                return .failure(self.error("bad_request", "\(error)"))
            }
        }

        mutating func command(for op: ControlOp) throws -> ControlCommand {
            switch op {
            case .status: return .status
            case .pause: return .pause
            case .resume: return .resume
            case .reload: return .reload
            case .snapshot:
                let camera = try optionalString("camera", maxLength: 64)
                if let camera { try checkName(camera, field: "camera") }
                return .snapshot(camera: camera)
            case .setActions:
                return .setActions(try actions())
            case .demonstrate:
                return .demonstrate(try demonstration())
            case .clearDemonstrations:
                guard fields["actions"] != nil else { return .clearDemonstrations([]) }
                return .clearDemonstrations(try actions())
            case .teach:
                return .teach(try teaching())
            case .taught:
                return .taught
            case .forget:
                guard fields["actions"] != nil else { return .forget([]) }
                return .forget(try actions())
            }
        }

        /// The frame, the camera and the attachment count, as `demonstrate` and `teach` take them.
        mutating func frameReference(op: String) throws -> (frame: FrameReference, camera: String?) {
            let frame: FrameReference
            switch fields.removeValue(forKey: "frame") {
            case nil, .string("attached"): frame = .attachedJPEG
            case .string("latest"): frame = .latest
            case .object(let reference): frame = try recordedFrame(reference)
            default:
                throw error("bad_field", "'frame' must be 'attached', 'latest' or {\"log\": path, \"sequence\": n}")
            }
            let camera = try optionalString("camera", maxLength: 64)
            if let camera {
                try checkName(camera, field: "camera")
                guard frame == .latest else { throw error("bad_field", "'camera' goes only with \"frame\": \"latest\"") }
            }
            let expected = frame == .attachedJPEG ? 1 : 0
            guard attachments.count == expected else {
                throw error("bad_request", frame == .attachedJPEG
                    ? "\(op) needs one attachment frame with the JPEG, got \(attachments.count)"
                    : "\(op) with a 'latest' or recorded frame takes no attachment, got \(attachments.count)")
            }
            return (frame, camera)
        }

        mutating func teaching() throws -> TeachRequest {
            let action = try requiredString("action")
            try checkName(action, field: "action")
            let (frame, camera) = try frameReference(op: "teach")
            let given = ["polygon", "polygons", "points"].filter { fields[$0] != nil }
            guard given.count == 1, let kind = given.first else {
                throw given.isEmpty
                    ? error("missing_field", "teach needs the part as 'polygon' ([[x, y], ...]), 'polygons' (a list of those) or 'points' (positive clicks)")
                    : error("bad_field", "teach takes one of 'polygon', 'polygons' and 'points', not both \(given.joined(separator: " and "))")
            }
            let value = fields.removeValue(forKey: kind) ?? .null
            let negative = fields.removeValue(forKey: "negative")
            guard negative == nil || kind == "points" else { throw error("bad_field", "'negative' goes only with 'points'") }
            let marking: PartMarking
            switch kind {
            case "polygon":
                marking = .polygons([try pixelList(value, field: "polygon", count: 3...maxPolygonVertices)])
            case "polygons":
                guard case .array(let rings) = value, (1...maxRings).contains(rings.count) else {
                    throw error("bad_field", "'polygons' must be a list of 1 to \(maxRings) polygons")
                }
                marking = .polygons(try rings.enumerated().map { index, ring in
                    try pixelList(ring, field: "polygons[\(index)]", count: 3...maxPolygonVertices)
                })
            default:
                marking = .points(positive: try pixelList(value, field: "points", count: 1...maxClicks),
                                  negative: try negative.map { try pixelList($0, field: "negative", count: 0...maxClicks) } ?? [])
            }
            return TeachRequest(action: action, frame: frame, camera: camera, marking: marking)
        }

        /// A list of `[x, y]` pairs within ±2^24 (frame pixels; the handler checks them against the frame).
        func pixelList(_ value: JSONValue, field: String, count: ClosedRange<Int>) throws -> [[Double]] {
            guard case .array(let rows) = value, count.contains(rows.count) else {
                throw error("bad_field", "'\(field)' must be a list of \(count.lowerBound) to \(count.upperBound) [x, y] pairs")
            }
            return try numberRows(rows, field: field, shape: "[x, y]", within: -16_777_216...16_777_216)
        }

        /// Rows of `shape`'s width holding finite numbers, `within` a range when given.
        func numberRows(_ rows: [JSONValue], field: String, shape: String, within range: ClosedRange<Double>? = nil) throws -> [[Double]] {
            let width = shape.split(separator: ",").count
            return try rows.enumerated().map { index, row in
                guard case .array(let items) = row, items.count == width else {
                    throw error("bad_field", "'\(field)'[\(index)] must be \(shape)")
                }
                return try items.map { item in
                    let number: Double
                    switch item {
                    case .int(let integer): number = Double(integer)
                    case .double(let double) where double.isFinite: number = double
                    default: throw error("bad_field", "'\(field)'[\(index)] must hold \(width) finite numbers")
                    }
                    // A range test on the Double, not abs() on the integer: abs(Int64.min) traps.
                    guard range.map({ $0.contains(number) }) ?? true else {
                        throw error("bad_field", "'\(field)'[\(index)] must hold \(width) finite numbers within ±2^24")
                    }
                    return number
                }
            }
        }

        mutating func demonstration() throws -> DemonstrationRequest {
            let action = try requiredString("action")
            try checkName(action, field: "action")
            let contact = try optionalString("contact", maxLength: 16)
            let (frame, camera) = try frameReference(op: "demonstrate")
            return DemonstrationRequest(action: action, keypoints: try keypoints(), contact: contact, frame: frame, camera: camera)
        }

        /// `{"log": "/path/run.mcap", "sequence": 42}`: a frame of a recording on the daemon's disk.
        func recordedFrame(_ reference: [String: JSONValue]) throws -> FrameReference {
            guard reference.count == 2, case .string(let log)? = reference["log"], !log.isEmpty, log.utf8.count <= 4096,
                  case .int(let sequence)? = reference["sequence"], sequence >= 0 else {
                throw error("bad_field", "a recorded 'frame' is {\"log\": path, \"sequence\": n >= 0} and nothing else")
            }
            return .recorded(log: log, sequence: UInt64(sequence))
        }

        mutating func keypoints() throws -> [[Double]] {
            guard let value = fields.removeValue(forKey: "keypoints") else {
                throw error("missing_field", "demonstrate needs 'keypoints': 17 [x, y, score] triples in COCO order")
            }
            guard case .array(let rows) = value, rows.count == 17 else {
                throw error("bad_field", "'keypoints' must be 17 [x, y, score] triples in COCO order")
            }
            // Any finite number: the handler range-checks keypoints against the frame and says which.
            return try numberRows(rows, field: "keypoints", shape: "[x, y, score]")
        }

        mutating func actions() throws -> [String] {
            guard let value = fields.removeValue(forKey: "actions") else {
                throw error("missing_field", "set_actions needs 'actions': a list of action names")
            }
            guard case .array(let items) = value else { throw error("bad_field", "'actions' must be a list of strings") }
            guard (1...maxActions).contains(items.count) else {
                throw error("bad_field", "'actions' must hold 1 to \(maxActions) names, got \(items.count)")
            }
            var names: [String] = []
            for item in items {
                guard case .string(let name) = item else { throw error("bad_field", "'actions' must hold only strings") }
                try checkName(name, field: "actions")
                guard !names.contains(name) else { throw error("bad_field", "'actions' names '\(name)' twice") }
                names.append(name)
            }
            return names
        }

        func checkName(_ name: String, field: String) throws {
            guard Topic.isValidName(name) else {
                throw error("bad_field", "'\(field)': '\(name.prefix(64))' must be 1–64 characters of A–Z a–z 0–9 _ - .")
            }
        }

        mutating func requiredString(_ key: String) throws -> String {
            guard let value = try optionalString(key, maxLength: 64) else { throw error("missing_field", "'\(key)' is required") }
            return value
        }

        mutating func optionalString(_ key: String, maxLength: Int) throws -> String? {
            guard let value = fields.removeValue(forKey: key) else { return nil }
            guard case .string(let text) = value else { throw error("bad_field", "'\(key)' must be a string") }
            guard text.utf8.count <= maxLength else { throw error("bad_field", "'\(key)' is longer than \(maxLength) bytes") }
            return text
        }
    }
}
