import AffordCore
import Foundation

/// Where a command came from: a request expecting a reply, or a controller's broadcast.
public enum ControlOrigin: Sendable, Equatable {
    case request
    case broadcast(topic: String)
}

/// What the daemon implements to act on control commands.
public protocol ControlHandler: Sendable {
    /// Runs one validated command. The value becomes the reply's `result`; a
    /// thrown error becomes `{ok: false, error}` (an `AffordError`'s code is kept).
    func handle(_ request: ControlRequest, origin: ControlOrigin) async throws -> JSONValue
}

/// Builds reply bodies: `{ok, op, id, result}` or `{ok, op, id, error: {code, reason}}`.
public enum ControlReply {
    public static func success(op: ControlOp, id: String?, result: JSONValue) -> [UInt8] {
        encode(.object(["ok": .bool(true), "op": .string(op.rawValue), "id": id.map(JSONValue.string) ?? .null, "result": result]))
    }

    static func failure(op: String?, id: String?, code: String, reason: String) -> [UInt8] {
        encode(.object([
            "ok": .bool(false), "op": op.map(JSONValue.string) ?? .null, "id": id.map(JSONValue.string) ?? .null,
            "error": .object(["code": .string(code), "reason": .string(reason)]),
        ]))
    }

    public static func failure(_ error: ControlParseError) -> [UInt8] {
        failure(op: error.op, id: error.id, code: error.code, reason: error.reason)
    }

    /// A handler's error as a failure reply, keeping an `AffordError`'s code.
    public static func failure(op: ControlOp, id: String?, error: any Error) -> [UInt8] {
        if let error = error as? AffordError {
            return failure(op: op.rawValue, id: id, code: error.code.name, reason: error.message)
        }
        return failure(op: op.rawValue, id: id, code: "failed", reason: "\(error)")
    }

    private static func encode(_ value: JSONValue) -> [UInt8] {
        let encoder = WireFormat.encoder()
        encoder.outputFormatting = .sortedKeys
        // JSONValue holds only encodable leaves; the fallback is unreachable in practice.
        return (try? Array(encoder.encode(value))) ?? Array(#"{"ok":false,"error":{"code":"internal","reason":"reply encoding failed"}}"#.utf8)
    }
}
