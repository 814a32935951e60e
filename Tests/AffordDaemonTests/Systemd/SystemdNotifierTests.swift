import AffordCore
import Foundation
import Testing

@testable import AffordDaemon

/// A datagram socket standing in for systemd's notification socket.
final class NotifySocketStub {
    let fd: Int32
    let name: String

    /// `abstract`: bind in the abstract namespace and report the name as `@…`.
    init(abstract: Bool) throws {
        let unique = "affordd-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        name = abstract ? "@" + unique : "/tmp/\(unique).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        if abstract { path[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else { throw AffordError(.io, "bind(\(name)): errno \(errno)") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        if !name.hasPrefix("@") { unlink(name) }
    }

    /// The next datagram, or nil after the 2 s timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}

@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func messagesArriveInOrder(abstract: Bool) throws {
        let stub = try NotifySocketStub(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": stub.name, "WATCHDOG_USEC": "4000000"])
        #expect(notifier.isEnabled)
        #expect(notifier.watchdogIntervalNs == 4_000_000_000)
        try notifier.ready(status: "2 cameras")
        try notifier.watchdog()
        let before = MonotonicClock.nowNs() / 1000
        try notifier.reloading()
        let after = MonotonicClock.nowNs() / 1000
        try notifier.status("reloaded\nsecond line")
        try notifier.stopping()

        #expect(stub.receive() == "READY=1\nSTATUS=2 cameras")
        #expect(stub.receive() == "WATCHDOG=1")
        let reloading = try #require(stub.receive()).split(separator: "\n")
        #expect(reloading.first == "RELOADING=1")
        let usec = try #require(reloading.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        #expect(reloading.last?.hasPrefix("MONOTONIC_USEC=") == true && (before...after).contains(usec))
        #expect(stub.receive() == "STATUS=reloaded second line")
        #expect(stub.receive() == "STOPPING=1")
    }

    @Test func withoutNotifySocketEverythingIsANoOp() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled && notifier.watchdogIntervalNs == nil)
        try notifier.ready()
        try notifier.watchdog()
        try notifier.stopping()
    }

    @Test func watchdogMeantForAnotherProcessIsIgnored() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(notifier.watchdogIntervalNs == nil)
    }

    @Test func aWatchdogIntervalPastUInt64NanosecondsSaturates() {
        let huge = SystemdNotifier(environment: ["WATCHDOG_USEC": String(UInt64.max / 10)])
        #expect(huge.watchdogIntervalNs == UInt64.max)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "18446744073709551"]).watchdogIntervalNs == 18_446_744_073_709_551_000)
    }

    @Test func aVanishedSocketIsAnErrorNotACrash() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/tmp/affordd-no-such-notify-socket"])
        #expect(throws: AffordError.self) { try notifier.ready() }
    }
}
