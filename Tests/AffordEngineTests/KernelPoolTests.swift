import CAffordKernels
import Glibc
import Testing

/// Per-task run counts and the thread index each task saw.
private struct TaskLog {
    var runs: [Int32]
    var threads: [Int32]
}

private let recordTask: afk_task_fn = { context, task, thread in
    guard let log = context?.assumingMemoryBound(to: TaskLog.self) else { return }
    log.pointee.runs.withUnsafeMutableBufferPointer { $0[Int(task)] += 1 }
    log.pointee.threads.withUnsafeMutableBufferPointer { $0[Int(task)] = thread }
}

@Suite struct KernelPoolTests {
    @Test(arguments: [1, 2, 3, 5])
    func everyTaskRunsExactlyOnceUnderRepeatedUse(threads: Int) throws {
        let pool = try #require(afk_pool_create(Int32(threads)))
        defer { afk_pool_destroy(pool) }
        #expect(afk_pool_threads(pool) == Int32(threads))
        let taskCounts = [0, 1, 2, 3, 7, 64]
        for round in 0..<600 {
            let tasks = taskCounts[round % taskCounts.count]
            var log = TaskLog(runs: [Int32](repeating: 0, count: max(tasks, 1)), threads: [Int32](repeating: -1, count: max(tasks, 1)))
            withUnsafeMutablePointer(to: &log) { afk_pool_run(pool, Int32(tasks), recordTask, $0) }
            #expect(log.runs.prefix(tasks).allSatisfy { $0 == 1 }, "round \(round), \(tasks) tasks: \(log.runs)")
            #expect(log.threads.prefix(tasks).allSatisfy { (0..<Int32(threads)).contains($0) })
            // Now and then outlast the spin, so workers also wake from sleep.
            if round % 50 == 49 { usleep(2000) }
        }
    }

    @Test func rejectsZeroThreads() {
        #expect(afk_pool_create(0) == nil)
    }
}
