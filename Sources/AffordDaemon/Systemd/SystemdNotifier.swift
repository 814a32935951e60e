import AffordCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about the service's state over `$NOTIFY_SOCKET`, without libsystemd.
///
/// Speaks the sd_notify datagram protocol: `KEY=VALUE` lines in one AF_UNIX
/// datagram; a leading `@` in the socket path means the abstract namespace.
/// Without `$NOTIFY_SOCKET` (not started by systemd) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket path, `@` for abstract; nil when not under systemd.
    let socketPath: String?
    /// `$WATCHDOG_USEC` as nanoseconds when the watchdog applies to this process.
    let watchdogIntervalNs: UInt64?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        // WATCHDOG_PID, when set, names the process the watchdog is meant for.
        let forUs = environment["WATCHDOG_PID"].map { $0 == String(getpid()) } ?? true
        if forUs, let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            let (ns, overflow) = usec.multipliedReportingOverflow(by: 1000)
            watchdogIntervalNs = overflow ? UInt64.max : ns
        } else {
            watchdogIntervalNs = nil
        }
    }

    var isEnabled: Bool { socketPath != nil }

    /// Start-up finished (also sent after a reload completes).
    func ready(status: String? = nil) throws { try send(["READY=1"] + statusLine(status)) }
    /// Free-form text `systemctl status` shows.
    func status(_ text: String) throws { try send(statusLine(text)) }
    /// The keep-alive ping; send at about half of `watchdogIntervalNs`, only while healthy.
    func watchdog() throws { try send(["WATCHDOG=1"]) }
    /// A reload began; systemd ≥ 253 (Type=notify-reload) wants the monotonic time with it.
    func reloading(status: String? = nil) throws {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(MonotonicClock.nowNs() / 1000)"] + statusLine(status))
    }
    /// Shutdown began.
    func stopping(status: String? = nil) throws { try send(["STOPPING=1"] + statusLine(status)) }

    /// Sends the lines as one datagram; a no-op without `$NOTIFY_SOCKET`.
    func send(_ lines: [String]) throws {
        guard let socketPath, !lines.isEmpty else { return }
        let message = Array(lines.joined(separator: "\n").utf8)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Self.error("socket(AF_UNIX, SOCK_DGRAM)") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace: leading NUL, no terminator
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else {
            throw AffordError(.invalidConfig, "NOTIFY_SOCKET path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? MemoryLayout<sa_family_t>.size
        let length = socklen_t(pathOffset + path.count + (path.first == 0 ? 0 : 1))
        // MSG_DONTWAIT: a notify socket whose queue is full (a stalled reader) must not stall a reload.
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), address, length) }
            }
        }
        guard sent == message.count else { throw Self.error("sendto(\(socketPath))") }
    }

    private func statusLine(_ text: String?) -> [String] {
        // One line per key: newlines in the text would start a bogus key.
        text.map { ["STATUS=" + $0.replacingOccurrences(of: "\n", with: " ")] } ?? []
    }

    private static func error(_ call: String) -> AffordError {
        AffordError(.io, "sd_notify \(call): \(String(cString: strerror(errno)))")
    }
}
