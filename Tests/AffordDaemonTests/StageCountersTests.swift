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

@Suite struct StageWindowTests {
    @Test func theRingKeepsTheLastValuesOnly() {
        var ring = RingWindow(capacity: 3)
        for value in 1...5 as ClosedRange<UInt64> { ring.push(value) }
        #expect(ring.values.sorted() == [3, 4, 5])
    }

    @Test func percentilesAndRateComeFromTheWindow() {
        var window = StageWindow(capacity: 100)
        // 11 departures 100 ms apart: 10 intervals over one second, 10 fps.
        for index in 0...10 as ClosedRange<UInt64> {
            window.recordOut(latencyNs: (index + 1) * 1_000_000, at: 1_000_000_000 + index * 100_000_000)
        }
        let status = window.status(now: 2_000_000_000)
        #expect(status.framesOut == 11)
        #expect(abs(status.fps - 10) < 1e-9)
        #expect(status.latencyP50Ms == 6)
        #expect(status.latencyP99Ms == 11)
    }

    @Test func aQuietStageReportsNoRate() {
        var window = StageWindow(capacity: 8)
        window.recordOut(latencyNs: 1, at: 1_000_000_000)
        window.recordOut(latencyNs: 1, at: 1_100_000_000)
        #expect(window.status(now: 1_200_000_000).fps > 0)
        #expect(window.status(now: 3_200_000_000).fps == 0)
        #expect(!window.status(now: 3_200_000_000).recentlyOut)
    }

    /// A 1 fps stream has no rate until its second frame, but it is flowing from its first.
    @Test func oneDepartureIsRecentButHasNoRateYet() {
        var window = StageWindow(capacity: 8)
        #expect(!window.status(now: 1_000_000_000).recentlyOut)
        window.recordOut(latencyNs: 1, at: 1_000_000_000)
        let status = window.status(now: 1_900_000_000)
        #expect(status.fps == 0 && status.recentlyOut)
        #expect(!window.status(now: 3_100_000_000).recentlyOut)
    }

    @Test func errorsKeepTheLastMessage() {
        var window = StageWindow(capacity: 4)
        window.recordError("first")
        window.recordError("second")
        let status = window.status(now: 0)
        #expect(status.errors == 2)
        #expect(status.lastError == "second")
    }
}
