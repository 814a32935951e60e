import AffordCore

/// Topic strings of the publish socket. Every topic ends with `/` so a
/// subscription to one camera or action never matches a longer name.
public enum Topic {
    static let root = "afford"

    /// `afford/<camera>/heatmap/<action>/`
    static func heatmap(camera: String, action: String) -> String { "\(root)/\(camera)/heatmap/\(action)/" }
    /// `afford/<camera>/centroids/`
    static func centroids(camera: String) -> String { "\(root)/\(camera)/centroids/" }
    /// `afford/<camera>/status/`
    static func status(camera: String) -> String { "\(root)/\(camera)/status/" }

    /// Whether `name` can be a topic segment (camera or action): 1–64 of
    /// `A–Z a–z 0–9 _ - .`, so it cannot contain `/` or break prefix matching.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
    }

    /// Throws naming `what` (e.g. "camera") when `name` is not a valid segment.
    static func validate(_ name: String, as what: String) throws(AffordError) {
        guard isValidName(name) else {
            throw AffordError(.invalidInput, "\(what) name '\(name)' must be 1–64 characters of A–Z a–z 0–9 _ - .")
        }
    }
}
