import AffordCore

/// Per-stage wall time of the backbone, for benchmarks (off in normal runs).
final class StageTimer {
    enum Stage: Int, CaseIterable {
        /// `normQKV` is the first block's alone: every later block's runs at the end of the
        /// previous `projectionMLP`, as the final LayerNorm does at the end of the last.
        case embedding, normQKV, attention, projectionMLP
        var name: String { String(describing: self) }
    }

    private(set) var totals = [UInt64](repeating: 0, count: Stage.allCases.count)

    @inline(__always)
    func measure(_ stage: Stage, _ body: () -> Void) {
        let start = MonotonicClock.nowNs()
        body()
        totals[stage.rawValue] += MonotonicClock.nowNs() - start
    }

    func reset() { totals = totals.map { _ in 0 } }
}

extension Optional where Wrapped == StageTimer {
    /// Runs `body`, timing it only when a timer is attached.
    @inline(__always)
    func measure(_ stage: StageTimer.Stage, _ body: () -> Void) {
        if let timer = self { timer.measure(stage, body) } else { body() }
    }
}
