import Foundation
import Testing
@testable import Sift

/// The fork-join pool: every task of every region runs exactly once, whatever the thread
/// count, region sizes and how quickly workers wake (run under ThreadSanitizer in CI).
struct ThreadPoolTests {
    @Test(arguments: [2, 3, 4])
    func everyTaskRunsOnceInManyRegions(threads: Int) {
        let pool = ThreadPool(threads: threads)
        // One slot per task, written only by the task's own run (a second run racing with
        // it is what ThreadSanitizer reports).
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        var state: UInt64 = 42
        for region in 0 ..< 5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let n = 1 + Int(state >> 58)  // 1 ... 64 tasks
            // Each region writes its own number, so a task run with another region's body
            // or index shows; every 100th region's tasks take a while, so the caller also
            // waits for workers (past its polling, on the condition variable).
            let slow = region % 100 == 0
            pool.parallel(n) { i in
                if slow { usleep(300) }
                counts[i] += region + 1
            }
            for i in 0 ..< 64 {
                let want = i < n ? region + 1 : 0
                let got = counts[i]
                counts[i] = 0
                if got != want {
                    Issue.record("region \(region): task \(i) of \(n) left \(got), expected \(want)")
                    return
                }
            }
            // Now and then let the workers fall asleep, so regions also open on sleeping pools.
            if region % 500 == 0 { usleep(300) }
        }
    }

    @Test func rowRangesCoverEveryRowOnce() {
        let pool = ThreadPool(threads: 3)
        for rows in [0, 1, 2, 3, 7, 64, 1000] {
            for elements in [1, 100, 100_000] {
                let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(rows, 1))
                seen.initialize(repeating: 0)
                defer { seen.deallocate() }
                pool.forRows(rows, elementsPerRow: elements) { range in
                    for r in range { seen[r] += 1 }
                }
                #expect((0 ..< rows).allSatisfy { seen[$0] == 1 }, "\(rows) rows × \(elements)")
            }
        }
    }
}
