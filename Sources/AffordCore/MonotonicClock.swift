#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Readings of the clocks frames are stamped with.
public enum MonotonicClock {
    /// CLOCK_MONOTONIC in nanoseconds: the clock V4L2 buffer timestamps use.
    public static func nowNs() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// CLOCK_REALTIME in nanoseconds since the Unix epoch.
    public static func wallNs() -> UInt64 { read(CLOCK_REALTIME) }

    /// Realtime minus monotonic: add it to a monotonic stamp to get wall time.
    public static func realtimeOffsetNs() -> Int64 {
        let before = nowNs()
        let wall = wallNs()
        let after = nowNs()
        return Int64(bitPattern: wall) - Int64(bitPattern: before / 2 + after / 2)
    }

    /// A monotonic stamp as wall time, given `realtimeOffsetNs()`; 0 for a stamp before the epoch.
    public static func wallNs(monotonic monotonicNs: UInt64, offset: Int64) -> UInt64 {
        UInt64(clamping: Int64(clamping: monotonicNs) &+ offset)
    }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
