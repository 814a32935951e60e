import Testing

@testable import AffordDaemon

@Suite struct StageCountersTests {
    /// Found by `make soak` (a `status` request while frames flow, after 485 s): status reads the
    /// clock, then a worker records a frame that left later, and `now - last` trapped on underflow.
    @Test func aFrameRecordedAfterTheStatusClockReadDoesNotTrap() {
        let counters = StageCounters()
        let now: UInt64 = 10_000_000_000
        counters.recordOut(latencyNs: 1_000, at: now - 33_000_000)
        counters.recordOut(latencyNs: 1_000, at: now + 5_000)
        let status = counters.snapshot(now: now)
        #expect(status.framesOut == 2)
        #expect(status.fps > 0)
    }
}
