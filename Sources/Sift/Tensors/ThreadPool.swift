#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSiftKernels
import Foundation
import Synchronization

/// A small fork-join pool for the forward pass: `parallel(count) { i in … }` runs the
/// tasks on the caller and `threadCount - 1` workers and returns when all are done.
///
/// Tasks are handed out dynamically, so each task must write only its own outputs; results
/// then do not depend on the thread count. The caller takes tasks too and waits only for
/// tasks a worker has claimed: a worker that is asleep or descheduled when a region opens
/// (a loaded machine) costs nothing, the caller runs its share. Idle workers poll for up
/// to 100 µs (a forward pass opens regions microseconds apart) and then sleep on a
/// condition variable, so an idle pool costs no CPU.
///
/// A region is claimed task by task with a compare-and-swap on `claim`, which holds the
/// region's number (high 32 bits) and the next task (low 32 bits): a worker that wakes
/// after its region closed fails the swap and never touches that region's body.
public final class ThreadPool: @unchecked Sendable {
    public let threadCount: Int

    /// Bumped to wake workers (new region, or shutdown).
    private let generation = Atomic<Int>(0)
    /// Region number << 32 | next task index.
    private let claim = Atomic<UInt64>(0)
    /// The open region's task count and body (the address of the caller's closure).
    private let taskCount = Atomic<Int>(0)
    private let bodyAddress = Atomic<Int>(0)
    /// Tasks of the open region that have finished.
    private let finished = Atomic<Int>(0)
    private var region: UInt32 = 0
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var done = pthread_cond_t()
    private var shuttingDown = false
    private var workers: [pthread_t] = []
    /// Serializes callers: one parallel region at a time.
    private let callerLock = NSLock()

    /// How long an idle worker polls before it sleeps. A forward pass issues its parallel
    /// regions microseconds apart and waking a sleeping thread costs tens of microseconds
    /// (more than a small GEMM takes), so workers poll, with the CPU's spin-wait hint, for
    /// up to 100 µs — the most an idle pool may burn — and then sleep.
    private static let spinNanoseconds: UInt64 = 100_000

    /// `threads` counts the caller; 1 means everything runs on the calling thread.
    public init(threads: Int) {
        threadCount = max(1, threads)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&done, nil)
        for _ in 1 ..< threadCount {
            let unmanaged = Unmanaged.passUnretained(self)
            var thread = pthread_t()
            let box = UnsafeMutableRawPointer(unmanaged.toOpaque())
            #if canImport(Darwin)
            pthread_create(&thread, nil, { ThreadPool.workerEntry($0) }, box)
            #else
            pthread_create(&thread, nil, { ThreadPool.workerEntry($0!) }, box)
            #endif
            workers.append(thread)
        }
    }

    deinit {
        pthread_mutex_lock(&mutex)
        shuttingDown = true
        generation.add(1, ordering: .releasing)
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
        for t in workers { pthread_join(t, nil) }
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&wake)
        pthread_cond_destroy(&done)
    }

    /// The number of physical cores, as best the platform tells (hyper-threads do not add
    /// int8 throughput, so they are not counted).
    public static var physicalCores: Int {
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            var cores = Set<String>()
            var physical = "0"
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                if parts[0] == "physical id" { physical = parts[1] }
                if parts[0] == "core id" { cores.insert(physical + "/" + parts[1]) }
            }
            if !cores.isEmpty { return min(cores.count, ProcessInfo.processInfo.activeProcessorCount) }
        }
        #endif
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// `forRows`' minimum for a pass that does more per value than an add or a norm
    /// (quantizing, add + norm): split from 8K values, ~2.5 µs of quantizing on one core. The
    /// 32K default left MiniLM's 64-token rows (24K values) on one thread.
    static let heavyRowPass = 8192

    /// Runs `body` over contiguous row ranges that cover 0 ..< rows, one per thread, when
    /// the rows hold at least `minimumElements` values between them (`elementsPerRow` each);
    /// below that, on the caller in one range. Handing a region to the workers costs a few
    /// microseconds, about what a row-wise pass over 32K values takes on one core. Each row
    /// is processed by exactly one call, so results do not depend on the split.
    public func forRows(_ rows: Int, elementsPerRow: Int, minimumElements: Int = 32_768,
                        _ body: (Range<Int>) -> Void) {
        guard rows > 0 else { return }
        let parts = rows * elementsPerRow < minimumElements ? 1 : min(threadCount, rows)
        guard parts > 1 else { body(0 ..< rows); return }
        parallel(parts) { t in body(rows * t / parts ..< rows * (t + 1) / parts) }
    }

    /// Runs `body(i)` for every i in 0 ..< count and waits for all of them. Regions do not
    /// nest: a task must not call `parallel` or `forRows` on the same pool (it would wait on
    /// itself).
    public func parallel(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        guard threadCount > 1, count > 1 else {
            for i in 0 ..< count { body(i) }
            return
        }
        precondition(count < 1 << 31, "too many tasks")
        callerLock.lock()
        defer { callerLock.unlock() }
        withoutActuallyEscaping(body) { escapable in
            var closure = escapable
            withUnsafeMutablePointer(to: &closure) { pointer in
                region &+= 1
                let r = UInt64(region) << 32
                // Closed first (no index is below any count), so a worker still looking at the
                // last region cannot claim its index against this region's count and body;
                // the releasing stores make anyone who reads the new count see the closure.
                claim.store(r | 0xffff_ffff, ordering: .releasing)
                taskCount.store(count, ordering: .releasing)
                bodyAddress.store(Int(bitPattern: pointer), ordering: .releasing)
                finished.store(0, ordering: .releasing)
                claim.store(r, ordering: .releasing)  // opens the region
                pthread_mutex_lock(&mutex)
                generation.add(1, ordering: .releasing)
                pthread_cond_broadcast(&wake)
                pthread_mutex_unlock(&mutex)

                runTasks()

                // Wait for the tasks workers claimed and are still running.
                var spin = SpinBudget()
                while finished.load(ordering: .acquiring) < count {
                    if spin.exhausted() {
                        pthread_mutex_lock(&mutex)
                        while finished.load(ordering: .acquiring) < count { pthread_cond_wait(&done, &mutex) }
                        pthread_mutex_unlock(&mutex)
                    }
                }
            }
        }
    }

    /// Counts polls and reads the clock every 64 of them; `exhausted` once the time is up.
    private struct SpinBudget {
        private var polls = 0
        private var start: UInt64 = 0

        mutating func exhausted() -> Bool {
            sk_cpu_relax()
            polls += 1
            guard polls & 63 == 0 else { return false }
            // On a busy machine a poller must not hold the core the thread it waits for
            // needs: give it up now and then (on an idle one this returns at once).
            if polls & 1023 == 0 { sched_yield() }
            let t = DispatchTime.now().uptimeNanoseconds
            if start == 0 { start = t }
            return t - start > ThreadPool.spinNanoseconds
        }
    }

    /// Claims and runs tasks of the open region until none is left. The claim succeeds
    /// only while the region seen is still open, so the body and count read here are that
    /// region's whenever a task runs.
    private func runTasks() {
        while true {
            let current = claim.load(ordering: .acquiring)
            let count = taskCount.load(ordering: .acquiring), address = bodyAddress.load(ordering: .acquiring)
            let index = Int(current & 0xffff_ffff)
            guard index < count else { return }
            guard claim.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing).exchanged else {
                if current >> 32 != claim.load(ordering: .relaxed) >> 32 { return }  // another region
                continue
            }
            run(task: index, address: address)
            if finished.add(1, ordering: .acquiringAndReleasing).newValue == count {
                pthread_mutex_lock(&mutex)
                pthread_cond_signal(&done)
                pthread_mutex_unlock(&mutex)
            }
        }
    }

    /// Calls the region's body. A function of its own so that the copy of the closure it
    /// takes is released before the task is counted as finished: the caller's
    /// `withoutActuallyEscaping` checks that no reference outlives the region.
    @inline(never)
    private func run(task: Int, address: Int) {
        let body = UnsafePointer<(Int) -> Void>(bitPattern: address)!.pointee
        body(task)
    }

    private static func workerEntry(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        let pool = Unmanaged<ThreadPool>.fromOpaque(raw).takeUnretainedValue()
        pool.workerLoop()
        return nil
    }

    private func workerLoop() {
        // Generation 0 is the one before any region: a worker that starts after the first
        // region was posted must still run it, so it must not read the counter here.
        var seen = 0
        while true {
            // Wait for a new generation: spin briefly, then sleep.
            var spin = SpinBudget()
            while generation.load(ordering: .acquiring) == seen {
                if spin.exhausted() {
                    pthread_mutex_lock(&mutex)
                    while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(&wake, &mutex) }
                    pthread_mutex_unlock(&mutex)
                    break
                }
            }
            seen = generation.load(ordering: .acquiring)
            pthread_mutex_lock(&mutex)
            let stop = shuttingDown
            pthread_mutex_unlock(&mutex)
            if stop { return }
            runTasks()
        }
    }
}
