import AffordCore
import Foundation

extension JSONValue {
    /// The JSON form of any `Encodable` value (e.g. a `PipelineStatus`).
    public init(encoding value: some Encodable) throws {
        let data = try WireFormat.encoder().encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }
}
