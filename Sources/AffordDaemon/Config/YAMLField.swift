import AffordCore
import AffordTransport
import Foundation
import Yams

/// A YAML node with the key path that led to it, so every error names its key.
struct YAMLField {
    let node: Node?
    /// e.g. `cameras[0].image_width`.
    let path: String

    init(_ node: Node?, path: String) {
        self.node = node
        self.path = path
    }

    /// A YAML file's text; `what` names it in errors ("config", "calibration"). Foundation's
    /// own message says only "the operation could not be completed", so the cause is named here.
    static func readText(_ path: String, what: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AffordError(.io, "cannot read \(what) \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw AffordError(.io, "cannot read \(what) \(path): it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AffordError(.io, "cannot read \(what) \(path): permission denied or unreadable")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw AffordError(.invalidConfig, "\(what) \(path): not UTF-8 text")
        }
        return text
    }

    /// Parses a whole document; `source` names the file in errors.
    static func document(_ text: String, source: String) throws -> YAMLField {
        do {
            return YAMLField(try Yams.compose(yaml: text), path: "")
        } catch {
            throw AffordError(.invalidConfig, "\(source): not valid YAML: \(error)")
        }
    }

    func fail(_ message: String) -> AffordError {
        AffordError(.invalidConfig, path.isEmpty ? message : "\(path): \(message)")
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    var isMissing: Bool {
        guard let node else { return true }
        if case .scalar(let scalar) = node, scalar.style == .plain, node.null != nil { return true }
        return false
    }

    /// What the value looked like, for "got ..." in messages.
    var shown: String {
        switch node {
        case .none: return "nothing"
        case .scalar(let scalar)?: return scalar.style == .plain && node?.null != nil ? "null" : "\"\(scalar.string)\""
        case .mapping?: return "a mapping"
        case .sequence?: return "a list"
        case .alias?: return "an alias"
        }
    }

    /// The fields of a mapping; any key outside `allowed` is an error.
    func mapping(allowed: Set<String>) throws -> [String: YAMLField] {
        guard case .mapping(let mapping)? = node else { throw fail("expected a mapping, got \(shown)") }
        var fields: [String: YAMLField] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw fail("keys must be strings") }
            guard allowed.contains(name) else {
                throw AffordError(.invalidConfig,
                    "\(child(name)): unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))")
            }
            fields[name] = YAMLField(value, path: child(name))
        }
        return fields
    }

    /// The fields of a mapping, any keys accepted (calibration files carry extras).
    func fields() throws -> [String: YAMLField] {
        guard case .mapping(let mapping)? = node else { throw fail("expected a mapping, got \(shown)") }
        var fields: [String: YAMLField] = [:]
        for (key, value) in mapping {
            if let name = key.string { fields[name] = YAMLField(value, path: child(name)) }
        }
        return fields
    }

    func list() throws -> [YAMLField] {
        guard case .sequence(let sequence)? = node else { throw fail("expected a list, got \(shown)") }
        return sequence.enumerated().map { YAMLField($1, path: "\(path)[\($0)]") }
    }

    func string() throws -> String {
        guard case .scalar(let scalar)? = node, !isMissing, !scalar.string.isEmpty else {
            throw fail("expected a non-empty string, got \(shown)")
        }
        return scalar.string
    }

    func int() throws -> Int {
        guard let value = node?.int else { throw fail("expected an integer, got \(shown)") }
        return value
    }

    /// An integer inside `range`: every count and size from the file is bounded before arithmetic.
    func int(in range: ClosedRange<Int>) throws -> Int {
        let value = try int()
        guard range.contains(value) else {
            throw fail("expected an integer from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A number inside `range` (seconds, rates and the like).
    func double(in range: ClosedRange<Double>) throws -> Double {
        let value = try double()
        guard range.contains(value) else {
            throw fail("expected a number from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A camera or action name, as topics allow it (1–64 of A–Z a–z 0–9 _ - .).
    func name() throws -> String {
        let value = try string()
        guard Topic.isValidName(value) else {
            throw fail("\"\(value.prefix(64))\" must be 1–64 characters of A–Z a–z 0–9 _ - .")
        }
        return value
    }

    func double() throws -> Double {
        guard let value = node?.float, value.isFinite else { throw fail("expected a number, got \(shown)") }
        return value
    }

    func bool() throws -> Bool {
        guard let value = node?.bool else { throw fail("expected true or false, got \(shown)") }
        return value
    }

    /// A list of exactly `count` numbers.
    func numbers(count: Int) throws -> [Double] {
        let items = try list()
        guard items.count == count else { throw fail("expected \(count) numbers, got \(items.count)") }
        return try items.map { try $0.double() }
    }

    /// One of `choices`.
    func choice(_ choices: [String]) throws -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw fail("expected one of \(choices.joined(separator: ", ")), got \"\(value)\"")
        }
        return value
    }
}

extension Dictionary where Key == String, Value == YAMLField {
    /// A required field; missing is an error naming the full key path.
    func required(_ key: String, in parent: YAMLField) throws -> YAMLField {
        guard let field = self[key], !field.isMissing else {
            throw AffordError(.invalidConfig, "\(parent.child(key)): required key is missing")
        }
        return field
    }

    /// An optional field; an explicit null counts as absent.
    func optional(_ key: String) -> YAMLField? {
        guard let field = self[key], !field.isMissing else { return nil }
        return field
    }
}
