import AffordCore
import AffordImaging
import AffordRecording
import AffordTransport
import Foundation

extension DaemonControl {
    /// An attached JPEG over the control socket may hold at most this many pixels (a 4K frame
    /// is 8.3 M): decoding is synchronous on the control path, and the pose needs no more.
    static let maximumControlPixels = 12_000_000

    /// `demonstrate`: decode the frame, build the contact prototype, publish the action from then on.
    func demonstrate(_ request: DemonstrationRequest, attachments: [[UInt8]]) throws -> JSONValue {
        let grounder = try learningGrounder()
        let image = try controlFrame(request.frame, camera: request.camera, attachments: attachments, op: "demonstrate")
        var kind: ContactKind?
        if let name = request.contact {
            guard let parsed = ContactKind(rawValue: name) else {
                throw AffordError(.invalidInput, "contact '\(name)' is not one of \(ContactKind.allCases.map(\.rawValue))")
            }
            kind = parsed
        }
        let pose = try CocoPose(triples: request.keypoints, frameWidth: image.width, frameHeight: image.height)
        // A request that timed out must not change what is published after its error reply.
        try Task.checkCancellation()
        let prototype = try grounder.demonstrate(action: request.action, image: image, pose: pose, kind: kind,
                                                 beforeRecording: { try Task.checkCancellation() })
        return .object(["action": .string(prototype.action), "contact": .string(prototype.kind.rawValue),
                        "width": .int(Int64(image.width)), "height": .int(Int64(image.height)),
                        "demonstrated": .array(grounder.book.actions.map(JSONValue.string))])
    }

    /// The frame a `demonstrate` or `teach` refers to, at full resolution (keypoints and
    /// markings are in its pixels).
    func controlFrame(_ reference: FrameReference, camera: String?, attachments: [[UInt8]], op: String) throws -> RGBImage {
        let decoder = try FrameDecoder(maximumPixels: Self.maximumControlPixels)
        switch reference {
        case .attachedJPEG:
            guard let jpeg = attachments.first else { throw AffordError(.invalidInput, "\(op): no JPEG attachment") }
            do {
                let jpegDecoder = try JPEGDecoder()
                jpegDecoder.maximumPixels = Self.maximumControlPixels
                return try jpegDecoder.decode(jpeg)
            } catch let error as AffordError {
                throw AffordError(.invalidInput, "\(op): the attached JPEG: \(error.message)")
            }
        case .latest:
            let camera = try latestCamera(camera, op: op)
            guard let frame = runtime.latestFrame(camera: camera) else {
                throw AffordError(.invalidInput, "\(op): camera '\(camera)' has no frame yet; attach a JPEG instead")
            }
            return try decoder.decode(frame)
        case .recorded(let log, let sequence):
            return try Self.recordedFrame(log: try Self.recordingPath(log, roots: recordingRoots, op: op), sequence: sequence,
                                          decoder: decoder, op: op)
        }
    }

    /// The named camera, or the only one; with several cameras a name is required.
    private func latestCamera(_ requested: String?, op: String) throws -> String {
        let names = runtime.cameras.map(\.name)
        if let requested {
            guard names.contains(requested) else {
                throw AffordError(.invalidInput, "\(op): unknown camera '\(requested)'; cameras are \(names)")
            }
            return requested
        }
        guard names.count == 1, let only = names.first else {
            throw AffordError(.invalidInput, "\(op): \"frame\": \"latest\" needs a 'camera' field; cameras are \(names)")
        }
        return only
    }

    /// `log` resolved (symlinks too) and checked to lie inside one of `roots`.
    static func recordingPath(_ log: String, roots: [String], op: String = "demonstrate") throws -> String {
        guard let resolved = Self.realPath(log) else {
            throw AffordError(.invalidInput, "\(op): recording '\(log.prefix(256))' does not exist")
        }
        let inside = roots.compactMap(Self.realPath).contains { root in
            resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        }
        guard inside else {
            throw AffordError(.invalidInput,
                "\(op): '\(log.prefix(256))' is outside the recording and state directories \(roots)")
        }
        return resolved
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `clear_demonstrations`: forget the named (or all) demonstrated actions.
    func clearDemonstrations(_ actions: [String]) throws -> JSONValue {
        let book = try learningGrounder().book
        let removed = try book.clear(actions)
        return .object(["removed": .array(removed.map(JSONValue.string)),
                        "demonstrated": .array(book.actions.map(JSONValue.string))])
    }

    /// Scans the log for the frame with that sequence number and decodes it at full size.
    static func recordedFrame(log: String, sequence: UInt64, decoder: FrameDecoder, op: String = "demonstrate") throws -> RGBImage {
        let source = try ReplaySource(path: log, options: .init(pacing: .asFastAsPossible))
        defer { source.close() }
        while let frame = try source.nextFrame() {
            try Task.checkCancellation()
            if frame.sequence == sequence { return try decoder.decode(frame) }
        }
        throw AffordError(.invalidInput, "\(op): \(log) has no frame with sequence \(sequence)")
    }

    func learningGrounder() throws -> LearningGrounder {
        guard let grounder = runtime.grounder as? LearningGrounder else {
            throw AffordError(.unsupported, "this model cannot learn at run time (its grounder yields no backbone tokens)")
        }
        return grounder
    }
}
