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
}
