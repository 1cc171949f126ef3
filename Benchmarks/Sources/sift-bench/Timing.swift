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
/// with it (a 2× slower MiniLM), so the tables print it next to each point. nil with one
/// processor (the two threads would take turns on it). At most `trips` round trips or about
/// 50 ms, whichever comes first.
func crossCoreRoundTrip(trips: Int = 10_000) -> Double? {
    guard ProcessInfo.processInfo.activeProcessorCount > 1 else { return nil }
    final class Line: Sendable { let value = Atomic<Int>(0) }
    let line = Line(), warmUp = 100, stop = -1
    let partner = Thread {
        var i = 0
        while true {
            var seen = line.value.load(ordering: .acquiring)
            while seen != 2 * i + 1 && seen != stop { seen = line.value.load(ordering: .acquiring) }
            if seen == stop { return }
            line.value.store(2 * i + 2, ordering: .releasing)
            i += 1
        }
    }
    partner.start()
    var start: UInt64 = 0, done = 0
    for i in 0 ..< warmUp + trips {
        if i == warmUp { start = now() }
        line.value.store(2 * i + 1, ordering: .releasing)
        while line.value.load(ordering: .acquiring) != 2 * i + 2 {}
        if i >= warmUp { done += 1 }
        if i & 15 == 15, i > warmUp, now() - start > 50_000_000 { break }
    }
    let elapsed = now() - start
    line.value.store(stop, ordering: .releasing)
    return done > 0 ? Double(elapsed) / Double(done) : nil
}

/// The machine's int8 multiply-add peak at the active level, GOP/s (2 ops per multiply-add).
struct Peak {
    var gops: Double  // on the benchmark's threads
    var one: Double   // on one thread

    /// The header's words for it.
    static func describe(_ peak: Peak?) -> String {
        guard let peak else { return "no int8 peak at this level (no dot-product instruction to time)" }
        return peak.gops == peak.one ? "int8 peak \(fixed(peak.gops, 0)) GOP/s"
            : "int8 peak \(fixed(peak.gops, 0)) GOP/s (\(fixed(peak.one, 0)) on 1 thread)"
    }

    /// `gops` as % of the peak, or "-" without either.
    static func percent(_ gops: Double?, of peak: Peak?) -> String {
        guard let gops, let peak else { return "-" }
        return fixed(100 * gops / peak.gops, 0)
    }
}
