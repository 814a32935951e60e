import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler writing one line per event to stderr, prefixed with the
/// syslog priority in angle brackets (`<6>`), which journald turns into the
/// entry's PRIORITY when stderr is connected to the journal.
///
/// Line shape: `<N>label: message key=value key2="value with spaces"`.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler for `LoggingSystem.bootstrap(JournalLogHandler.init)`.
    public init(label: String) {
        self.init(label: label, metadataProvider: nil, write: Self.writeToStandardError)
    }

    /// A handler writing finished lines (with their newline) to `write`; tests capture them here.
    init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        write(Self.format(level: event.level, label: label, message: event.message.description, metadata: merged))
    }

    /// sd-daemon(3) priorities: trace and debug map to 7 (debug), critical to 2 (crit).
    static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// One complete line; newlines inside the message or values are escaped so an event is never split.
    static func format(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "<\(priority(of: level))>\(label): \(escape(message))"
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            let text = escape(value.description)
            let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
            line += " \(key)=" + (needsQuotes ? "\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\"" : text)
        }
        return line + "\n"
    }

    private static func escape(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    /// One write(2) per line, so lines from concurrent threads never interleave.
    @Sendable private static func writeToStandardError(_ line: String) {
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
