import AffordCore
#if canImport(Glibc)
import Glibc
#endif

/// Spaces frames `1/fps` apart on the monotonic clock without drifting; nil fps never waits.
struct FramePacer {
    let fps: Double?
    private var nextDueNs: UInt64?

    init(fps: Double?) { self.fps = fps.flatMap { $0 > 0 ? $0 : nil } }

    /// Sleeps until the next frame is due and returns the monotonic time it was released.
    mutating func waitForNextFrame() -> UInt64 {
        let now = MonotonicClock.nowNs()
        guard let fps else { return now }
        let interval = UInt64(1e9 / fps)
        let due = nextDueNs ?? now
        if due > now {
            var deadline = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) == EINTR {}
        }
        // A consumer that fell behind restarts the schedule instead of bursting to catch up.
        nextDueNs = (now > due + interval ? now : due) + interval
        return MonotonicClock.nowNs()
    }
}
