import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts `body` on a new thread that the OS knows by `name` (at most 15 bytes: `top -H`,
/// `/proc/PID/task/TID/comm`, gdb). corelibs Foundation keeps `Thread.name` to itself, so
/// every thread showed its creator's name, mostly libdispatch's "com.apple.root.default-qos".
public func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        nameCurrentThreadForTheOS(name)
        body()
    }
    thread.name = name
    thread.start()
}

/// Best effort, as names are only for people: Glibc's `pthread_setname_np` is not visible to
/// Swift, so this writes `/proc/thread-self/comm`, which is what it does too.
private func nameCurrentThreadForTheOS(_ name: String) {
    #if os(Linux)
    let descriptor = open("/proc/thread-self/comm", O_WRONLY)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    #endif
}
