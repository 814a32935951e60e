import AffordCore
import CAffordKernels
import COpenBLAS
import Foundation

/// The engine's worker threads (the afk pool) and the kernel variant they run.
///
/// OpenBLAS is pinned to one thread: our pool already splits every GEMM, and two
/// pools spinning on two cores would fight each other.
public final class ComputePool: @unchecked Sendable {
    public let threads: Int
    public let isa: afk_isa
    /// Whether each thread, the callers' included, has a core of its own (`afk_pool_pin`).
    public let isPinned: Bool
    private let pool: OpaquePointer
    // afk pools take one caller at a time; engines sharing a pool queue here.
    private let callers = Shared(())

    /// `threads` nil means one per online core; `isa` nil means the best this CPU runs.
    /// `pinned` asks for one core per thread, for a real-time caller (see `afk_pool_pin`);
    /// where the process has too few cores it runs unpinned and `isPinned` says so.
    public init(threads: Int? = nil, isa: afk_isa? = nil, pinned: Bool = false) throws {
        let count = max(1, threads ?? Self.onlineCores)
        guard let pool = afk_pool_create(Int32(count)) else {
            throw AffordError(.unsupported, "could not start \(count) engine threads")
        }
        self.pool = pool
        self.threads = count
        self.isa = isa ?? afk_detect_isa()
        isPinned = pinned && count > 1 && afk_pool_pin(pool) == 0
        openblas_set_num_threads(1)
    }

    deinit { afk_pool_destroy(pool) }

    /// Cores this process may run on.
    static var onlineCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Name of the kernel variant in use.
    public var isaName: String { String(cString: afk_isa_name(isa)) }

    /// Runs `body` with the calling thread on the core a pinned pool keeps for its callers (a
    /// frame's parallel regions in one go); for an unpinned pool just runs it.
    func holdingCallerCore<Result>(_ body: () throws -> Result) rethrows -> Result {
        afk_pool_hold_caller(pool)
        defer { afk_pool_release_caller(pool) }
        return try body()
    }

    /// Runs `body(task, thread)` for every task in `0..<tasks` across the pool and waits.
    ///
    /// `body` runs concurrently; it must only write disjoint memory or per-thread scratch.
    func parallelFor(_ tasks: Int, _ body: (_ task: Int, _ thread: Int) -> Void) {
        if tasks <= 0 { return }
        if tasks == 1 || threads == 1 {
            for task in 0..<tasks { body(task, 0) }
            return
        }
        callers.withLock { _ in
            withoutActuallyEscaping(body) { escapable in
                var closure = escapable
                withUnsafeMutablePointer(to: &closure) { context in
                    afk_pool_run(pool, Int32(tasks), { context, task, thread in
                        guard let context else { return }
                        context.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(Int(task), Int(thread))
                    }, context)
                }
            }
        }
    }

    /// Splits `0..<count` into `tasksPerThread` contiguous chunks per thread (claimed
    /// dynamically, which evens out a noisy core) and runs `body(range, thread)`.
    func parallelRanges(
        _ count: Int, alignment: Int = 1, tasksPerThread: Int = 1, _ body: (_ range: Range<Int>, _ thread: Int) -> Void
    ) {
        let chunks = Self.split(count, parts: threads * tasksPerThread, alignment: alignment)
        parallelFor(chunks.count) { task, thread in body(chunks[task], thread) }
    }

    /// `0..<count` cut into at most `parts` non-empty ranges whose inner bounds are multiples of `alignment`.
    static func split(_ count: Int, parts: Int, alignment: Int) -> [Range<Int>] {
        let units = (count + alignment - 1) / alignment
        let parts = max(1, min(parts, units))
        var ranges: [Range<Int>] = []
        var start = 0
        for part in 0..<parts {
            let end = part == parts - 1 ? count : min(count, (units * (part + 1) / parts) * alignment)
            if end > start { ranges.append(start..<end) }
            start = end
        }
        return ranges
    }
}
