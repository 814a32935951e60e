@testable import AffordRecording
import AffordCore
import Testing

@Suite struct ReplayPacerTests {
    /// A log whose clock jumps a year ahead replays the jump as the longest pause, then keeps
    /// the recorded spacing after it, instead of parking the replay thread for a year.
    @Test func aJumpInTheRecordedClockReplaysAsTheLongestPause() {
        let pauseNs: UInt64 = 50_000_000
        var pacer = ReplayPacer(longestPauseNs: pauseNs)
        let start: UInt64 = 1_000_000_000
        let year: UInt64 = 365 * 86_400 * 1_000_000_000
        let stamps = [start, start + year, start + year + 20_000_000].map { pacer.stamp(recordedNs: $0) }
        #expect(stamps == [start, start + year, start + year + 20_000_000], "stamps keep their recorded values")
        let began = MonotonicClock.nowNs()
        pacer.wait(untilRecorded: stamps[0])
        pacer.wait(untilRecorded: stamps[1])
        let afterJump = MonotonicClock.nowNs()
        pacer.wait(untilRecorded: stamps[2])
        let end = MonotonicClock.nowNs()
        #expect(afterJump - began >= pauseNs && afterJump - began < 2_000_000_000, "waited \(afterJump - began) ns")
        #expect(end - afterJump >= 15_000_000, "the 20 ms after the jump are kept (\(end - afterJump) ns)")
        // A frame stamped before the cut (read ahead, out of order) does not wait at all.
        let late = MonotonicClock.nowNs()
        pacer.wait(untilRecorded: start + 10_000_000)
        #expect(MonotonicClock.nowNs() - late < 1_000_000_000)
    }
}
