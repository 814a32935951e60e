@testable import AffordEngine
import CAffordKernels
import Glibc
import Testing

/// Per-task run counts and the thread index each task saw; raw memory, since tasks write
/// their own slots concurrently.
private struct TaskLog {
    static let capacity = 64
    let runs = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    let threads = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)

    func reset() {
        runs.initialize(repeating: 0, count: Self.capacity)
        threads.initialize(repeating: -1, count: Self.capacity)
    }

    func deallocate() {
        runs.deallocate()
        threads.deallocate()
    }
}

private let recordTask: afk_task_fn = { context, task, thread in
    guard let log = context?.assumingMemoryBound(to: TaskLog.self).pointee else { return }
    log.runs[Int(task)] += 1
    log.threads[Int(task)] = thread
}

@Suite struct KernelPoolTests {
    @Test(arguments: [1, 2, 3, 5])
    func everyTaskRunsExactlyOnceUnderRepeatedUse(threads: Int) throws {
        let pool = try #require(afk_pool_create(Int32(threads)))
        defer { afk_pool_destroy(pool) }
        #expect(afk_pool_threads(pool) == Int32(threads))
        var log = TaskLog()
        defer { log.deallocate() }
        let taskCounts = [0, 1, 2, 3, 7, TaskLog.capacity]
        for round in 0..<600 {
            let tasks = taskCounts[round % taskCounts.count]
            log.reset()
            withUnsafeMutablePointer(to: &log) { afk_pool_run(pool, Int32(tasks), recordTask, $0) }
            let runs = (0..<TaskLog.capacity).map { log.runs[$0] }
            #expect(runs.prefix(tasks).allSatisfy { $0 == 1 } && runs.dropFirst(tasks).allSatisfy { $0 == 0 },
                    "round \(round), \(tasks) tasks: \(runs)")
            #expect((0..<tasks).allSatisfy { (0..<Int32(threads)).contains(log.threads[$0]) })
            // Now and then outlast the workers' spin, so they also wake from sleep.
            if round % 50 == 49 { usleep(2000) }
        }
    }

    @Test func rejectsZeroThreads() {
        #expect(afk_pool_create(0) == nil)
    }

    /// A pinned pool: while the caller holds its core, the caller's tasks all run on the first
    /// allowed CPU and the worker's on the second; afterwards the caller has its CPUs back.
    @Test func pinnedPoolKeepsEachThreadOnItsCore() throws {
        let allowed = allowedCPUs()
        guard allowed.count >= 2 else {
            print("skipping pinning: this process may run on \(allowed.count) CPU")
            return
        }
        let pool = try ComputePool(threads: 2, pinned: true)
        #expect(pool.isPinned)
        let tasks = 400
        let cpus = UnsafeMutablePointer<Int32>.allocate(capacity: tasks), threads = UnsafeMutablePointer<Int>.allocate(capacity: tasks)
        defer { cpus.deallocate(); threads.deallocate() }
        var during: [Int32] = []
        pool.holdingCallerCore {
            during = allowedCPUs()
            pool.parallelFor(tasks) { task, thread in
                var spin = 0.0
                for step in 0..<20_000 { spin += Double(step) }  // long enough for both threads to take tasks
                threads[task] = thread + (spin < 0 ? 1 : 0)
                cpus[task] = afk_thread_cpu()
            }
        }
        #expect(during == [allowed[0]])
        #expect(allowedCPUs() == allowed, "the caller's CPUs come back after the hold")
        for thread in 0..<2 {
            let seen = Set((0..<tasks).filter { threads[$0] == thread }.map { cpus[$0] })
            #expect(seen.isEmpty || seen == [allowed[thread]], "thread \(thread) ran on CPUs \(seen.sorted())")
        }
        #expect((0..<tasks).contains { threads[$0] == 1 }, "the worker took part")
        let unpinned = try ComputePool(threads: 2)
        #expect(!unpinned.isPinned)
        unpinned.holdingCallerCore { #expect(allowedCPUs() == allowed) }
    }
}

/// The CPUs the calling thread may run on.
private func allowedCPUs() -> [Int32] {
    var cpus = [Int32](repeating: -1, count: 1024)
    let count = Int(afk_thread_allowed_cpus(&cpus, Int32(cpus.count)))
    return Array(cpus.prefix(max(0, min(count, cpus.count))))
}
