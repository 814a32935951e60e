import AffordCore
import Glibc

/// Keeps recorded spacing on the monotonic clock and shifts stamps forward on each loop.
/// A pause in the recording longer than `longestPauseNs` (or a jump of its clock, such as a
/// message stamped years ahead) replays as a pause of that length, so replay never parks.
struct ReplayPacer {
    static let defaultLongestPauseNs: UInt64 = 5_000_000_000

    let longestPauseNs: UInt64
    private var firstRecorded: UInt64?
    private var lastRecorded: UInt64 = 0
    private var lastGap: UInt64 = 0
    private var loopShift: UInt64 = 0
    private var wallStart: UInt64 = 0
    /// Recorded time cut out of the schedule by capped pauses.
    private var skippedNs: UInt64 = 0

    init(longestPauseNs: UInt64 = defaultLongestPauseNs) {
        self.longestPauseNs = longestPauseNs
    }

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

    /// Sleeps until `stamp` is as far from the first frame as it was in the recording, less
    /// the time cut from pauses longer than `longestPauseNs`.
    mutating func wait(untilRecorded stamp: UInt64) {
        guard let firstRecorded, stamp > firstRecorded, stamp - firstRecorded > skippedNs else { return }
        let latest = MonotonicClock.nowNs() &+ longestPauseNs
        var target = wallStart &+ (stamp - firstRecorded - skippedNs)
        if target > latest {
            skippedNs += target - latest
            target = latest
        }
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
