import AffordCore
import Glibc

/// Keeps recorded spacing on the monotonic clock and shifts stamps forward on each loop.
struct ReplayPacer {
    private var firstRecorded: UInt64?
    private var lastRecorded: UInt64 = 0
    private var lastGap: UInt64 = 0
    private var loopShift: UInt64 = 0
    private var wallStart: UInt64 = 0

    /// The stamp a frame gets: its recorded time, moved past the previous loops.
    mutating func stamp(recordedNs: UInt64) -> UInt64 {
        if firstRecorded == nil {
            firstRecorded = recordedNs
            wallStart = MonotonicClock.nowNs()
        }
        if recordedNs > lastRecorded, lastRecorded != 0 { lastGap = recordedNs - lastRecorded }
        lastRecorded = recordedNs
        return recordedNs &+ loopShift
    }

    /// Sleeps until `stamp` is as far from the first frame as it was in the recording.
    func wait(untilRecorded stamp: UInt64) {
        guard let firstRecorded, stamp > firstRecorded else { return }
        let target = wallStart &+ (stamp - firstRecorded)
        var deadline = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) == EINTR {}
    }

    /// The next loop starts one frame interval after this one ended.
    mutating func startNextLoop() {
        guard let firstRecorded else { return }
        loopShift &+= (lastRecorded &- firstRecorded) &+ max(lastGap, 1)
        lastRecorded = 0
    }
}
