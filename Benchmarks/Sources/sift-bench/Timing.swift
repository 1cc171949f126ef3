#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Monotonic time in nanoseconds.
func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The `p`-th percentile (0…100) of `values`, by nearest rank.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// Peak resident set size of this process, in bytes (getrusage).
func processPeakRSS() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss
    #endif
}

func fixed(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
func leftPad(_ s: String, _ width: Int) -> String { s.count >= width ? s : String(repeating: " ", count: width - s.count) + s }

/// The mean time, in nanoseconds, for a cache line to go from this thread to another and
/// back (one writes, the other sees it and writes back): what a two-thread pass pays for
/// every line one core writes and the other then reads. On this project's machine (a VM) it
/// moves between ~60 ns and 1-3 µs for minutes at a time, and every two-thread figure moves
/// with it (a 2× slower MiniLM), so the tables print it next to each point.
func crossCoreRoundTrip(trips: Int = 10_000) -> Double {
    final class Line: Sendable { let value = Atomic<Int>(0) }
    let line = Line(), warmUp = 100
    let partner = Thread {
        for i in 0 ..< warmUp + trips {
            while line.value.load(ordering: .acquiring) != 2 * i + 1 {}
            line.value.store(2 * i + 2, ordering: .releasing)
        }
    }
    partner.start()
    var start: UInt64 = 0
    for i in 0 ..< warmUp + trips {
        if i == warmUp { start = now() }
        line.value.store(2 * i + 1, ordering: .releasing)
        while line.value.load(ordering: .acquiring) != 2 * i + 2 {}
    }
    return Double(now() - start) / Double(trips)
}
