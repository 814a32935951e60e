import AffordCore
import AffordImaging
import AffordRecording
import AffordTransport

extension DaemonControl {
    /// `demonstrate`: decode the frame, build the contact prototype, publish the action from then on.
    func demonstrate(_ request: DemonstrationRequest, attachments: [[UInt8]]) throws -> JSONValue {
        let grounder = try demonstrationGrounder()
        let image: RGBImage
        switch request.frame {
        case .attachedJPEG:
            guard let jpeg = attachments.first else { throw AffordError(.invalidInput, "demonstrate: no JPEG attachment") }
            image = try JPEGDecoder().decode(jpeg)
        case .latest:
            guard let latest = grounder.latestImage else {
                throw AffordError(.invalidInput, "demonstrate: no frame has been grounded yet; attach a JPEG instead")
            }
            image = latest
        case .recorded(let log, let sequence):
            image = try Self.recordedFrame(log: log, sequence: sequence)
        }
        var kind: ContactKind?
        if let name = request.contact {
            guard let parsed = ContactKind(rawValue: name) else {
                throw AffordError(.invalidInput, "contact '\(name)' is not one of \(ContactKind.allCases.map(\.rawValue))")
            }
            kind = parsed
        }
        let prototype = try grounder.demonstrate(action: request.action, image: image,
                                                 pose: try CocoPose(triples: request.keypoints), kind: kind)
        return .object(["action": .string(prototype.action), "contact": .string(prototype.kind.rawValue),
                        "width": .int(Int64(image.width)), "height": .int(Int64(image.height)),
                        "demonstrated": .array(grounder.book.actions.map(JSONValue.string))])
    }

    /// `clear_demonstrations`: forget the named (or all) demonstrated actions.
    func clearDemonstrations(_ actions: [String]) throws -> JSONValue {
        let book = try demonstrationGrounder().book
        let removed = try book.clear(actions)
        return .object(["removed": .array(removed.map(JSONValue.string)),
                        "demonstrated": .array(book.actions.map(JSONValue.string))])
    }

    /// Scans the log for the frame with that sequence number and decodes it at full size.
    static func recordedFrame(log: String, sequence: UInt64) throws -> RGBImage {
        let source = try ReplaySource(path: log, options: .init(pacing: .asFastAsPossible))
        defer { source.close() }
        while let frame = try source.nextFrame() {
            if frame.sequence == sequence { return try FrameDecoder().decode(frame) }
        }
        throw AffordError(.invalidInput, "demonstrate: \(log) has no frame with sequence \(sequence)")
    }

    private func demonstrationGrounder() throws -> DemonstratingGrounder {
        guard let grounder = runtime.grounder as? DemonstratingGrounder else {
            throw AffordError(.unsupported, "this model cannot learn demonstrations (its grounder yields no backbone tokens)")
        }
        return grounder
    }
}
