import Synchronization

/// A `Mutex` on the heap: the one lock, for state that classes and closures on other threads share.
///
/// Unlike `Mutex.withLock`, the result is not `sending`, so a body may return what a
/// caller's non-Sendable closure produced (the engine's `consume` callbacks).
public final class Shared<Value: Sendable>: Sendable {
    @usableFromInline let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    // Inlinable: the engine takes these locks around every pass and GEMM, specialised.
    @inlinable
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }

    @inlinable
    public var value: Value { mutex.withLock { $0 } }
}
