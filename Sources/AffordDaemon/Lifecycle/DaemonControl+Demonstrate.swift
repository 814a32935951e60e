import AffordCore
import AffordImaging
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

    private func demonstrationGrounder() throws -> DemonstratingGrounder {
        guard let grounder = runtime.grounder as? DemonstratingGrounder else {
            throw AffordError(.unsupported, "this model cannot learn demonstrations (its grounder yields no backbone tokens)")
        }
        return grounder
    }
}
