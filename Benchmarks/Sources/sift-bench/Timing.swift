#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sift
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

/// The machine's read bandwidth from memory, in GB/s, on `threads` threads: each thread sums
/// its own 256 MiB buffer (eight times a 32 MiB last-level cache, so nearly every line
/// comes from memory) with 64-byte loads. The best of three passes after one that faults the
/// pages in, for the same reason as the int8 peak's best of three.
func readBandwidth(threads: Int) -> Double {
    let bytes = 256 << 20, pool = ThreadPool(threads: threads)
    let buffers = (0 ..< threads).map { _ in
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        p.initializeMemory(as: UInt8.self, repeating: 1, count: bytes)
        return UInt(bitPattern: p)
    }
    defer { for b in buffers { UnsafeMutableRawPointer(bitPattern: b)?.deallocate() } }
    let sums = Mutex<UInt64>(0)
    var best = 0.0
    for pass in 0 ..< 4 {
        let start = now()
        pool.parallel(threads) { t in
            let p = UnsafeRawPointer(bitPattern: buffers[t])!
            var a = SIMD8<UInt64>(), b = a, c = a, d = a
            for offset in stride(from: 0, to: bytes, by: 256) {
                a &+= p.load(fromByteOffset: offset, as: SIMD8<UInt64>.self)
                b &+= p.load(fromByteOffset: offset + 64, as: SIMD8<UInt64>.self)
                c &+= p.load(fromByteOffset: offset + 128, as: SIMD8<UInt64>.self)
                d &+= p.load(fromByteOffset: offset + 192, as: SIMD8<UInt64>.self)
            }
            let sum = (a &+ b &+ c &+ d).wrappedSum()
            sums.withLock { $0 &+= sum }  // a side effect, so the loads stay
        }
        if pass > 0 { best = max(best, Double(threads * bytes) / Double(now() - start)) }
    }
    return best
}

/// The least time a classification's Linear layers could take on this machine, whatever
/// the engine: their int8 multiply-adds at the measured int8 peak, or, when the weights do
/// not fit in the last-level cache, the bytes that cannot be in it when a classification
/// starts read at the measured bandwidth, whichever is longer (the two can overlap, so
/// the longer bounds both). Attention, norms and the head come on top, so a target below
/// this floor is out of reach on this machine.
struct Floor {
    var peak: Peak
    var bandwidth: Double?  // GB/s on the benchmark's threads
    var cacheBytes: Int?

    /// (milliseconds, "compute" or "memory") for `macs` multiply-adds over `weightBytes`.
    func bound(macs: Int, weightBytes: Int) -> (ms: Double, by: String) {
        let compute = 2 * Double(macs) / peak.gops / 1e6
        guard let bandwidth, bandwidth > 0 else { return (compute, "compute") }
        let fromMemory = Double(max(0, weightBytes - (cacheBytes ?? 0))) / bandwidth / 1e6
        return fromMemory > compute ? (fromMemory, "memory") : (compute, "compute")
    }
}
