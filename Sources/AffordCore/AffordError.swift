/// An error with a stable code, a human message and where it was raised.
///
/// A struct rather than an enum so that new codes never break callers.
public struct AffordError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidModel = Code("invalid_model")
        public static let invalidConfig = Code("invalid_config")
        public static let invalidInput = Code("invalid_input")
        public static let io = Code("io")
        public static let device = Code("device")
        public static let decode = Code("decode")
        public static let corruptLog = Code("corrupt_log")
        public static let unsupported = Code("unsupported")
        public static let transport = Code("transport")
        /// A file that must not be replaced is already there.
        public static let alreadyExists = Code("already_exists")
    }

    public let code: Code
    public let message: String
    let file: String
    let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message)" }

    /// Runs `body`; an AffordError it throws comes back with `context` (say, the config key it
    /// came from) before its message, and with `code` instead of its own when one is given.
    public static func prefixing<T>(_ context: String, code: Code? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AffordError {
            throw AffordError(code ?? error.code, "\(context): \(error.message)")
        }
    }

    public static func == (lhs: AffordError, rhs: AffordError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }
}
