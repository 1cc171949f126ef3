#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory that holds a layer's repacked weights for as long as the layer lives.
///
/// On Linux a buffer of 2 MiB or more is mapped on a 2 MiB boundary and marked
/// `MADV_HUGEPAGE`, so that the kernel can back it with transparent huge pages (when
/// `/sys/kernel/mm/transparent_hugepage/enabled` is `always` or `madvise`). The int8 products
/// read every weight once per call, front to back; with 4 KiB pages that walk takes a TLB miss
/// every 4 KiB. Measured with the kernels on this project's machine (2 threads, Zen 4, median
/// of 41 passes, 4 layers' products): Llama-3.2-1B-shaped at 16 rows, weights streamed from
/// memory, 9.36-9.72 → 8.54-8.94 ms; Qwen2.5-0.5B-shaped at 64 rows 7.39 → 7.23 ms;
/// MiniLM-shaped at 16 rows (weights in L3) 0.53-0.55 → 0.50-0.54 ms.
///
/// The mapping's unaligned head and tail are unmapped again, so the buffer costs no more
/// address space than the weights, and a tail short of a whole huge page stays in small
/// pages: resident memory is the same as the heap's. Elsewhere, for small buffers, or when
/// the mapping fails, the buffer comes from the heap, 64-byte aligned; and so it does when the
/// caller asks for no huge pages (`ClassifierOptions.hugePages`).
///
/// The cost is at load, and only on some VMs. Faulting in 1 GiB with one thread here took
/// 0.54 s in small pages and 0.13 s in huge pages the guest had used shortly before, but
/// 2.2 s in huge pages the host had taken back (this project's machine is a Firecracker VM;
/// the likely cause is free-page reporting, which hands the guest's free 2 MiB blocks back).
/// So loading the Llama-3.2-1B shape's Q8_0 weights in a new process, packed on one thread,
/// took 1.1 → 2.6 s; packed on two (`Linear.pack`) and without stacked copies
/// (`Linear.stacking`), 0.53-0.58 s in small pages and 0.37-1.34 s in huge ones.
final class WeightMemory: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    /// Whether the owner asked for huge pages (copies of this buffer ask the same).
    let hugePages: Bool
    /// Whether `base` is a mapping of its own (unmapped on release) or heap memory.
    private let mapped: Bool

    static let hugePageBytes = 2 << 20

    init(byteCount: Int, hugePages: Bool) {
        self.byteCount = max(byteCount, 1)
        self.hugePages = hugePages
        #if os(Linux)
        if hugePages, let region = WeightMemory.mapHugePageAligned(self.byteCount) {
            base = region
            mapped = true
            return
        }
        #endif
        base = UnsafeMutableRawPointer.allocate(byteCount: self.byteCount, alignment: 64)
        mapped = false
    }

    deinit {
        if mapped {
            munmap(base, WeightMemory.pageRounded(byteCount))
        } else {
            base.deallocate()
        }
    }

    private static func pageRounded(_ bytes: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return (bytes + page - 1) / page * page
    }

    #if os(Linux)
    /// An anonymous read-write mapping of `bytes` starting on a huge-page boundary, marked for
    /// huge pages; nil when `bytes` is under one huge page or the mapping fails.
    private static func mapHugePageAligned(_ bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= hugePageBytes else { return nil }
        let length = pageRounded(bytes)
        let (reserved, overflow) = length.addingReportingOverflow(hugePageBytes)
        guard !overflow else { return nil }
        let raw = mmap(nil, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else { return nil }
        let start = Int(bitPattern: raw)
        let aligned = (start + hugePageBytes - 1) / hugePageBytes * hugePageBytes
        if aligned > start { munmap(raw, aligned - start) }
        let end = aligned + length, reservedEnd = start + reserved
        if reservedEnd > end, let tail = UnsafeMutableRawPointer(bitPattern: end) { munmap(tail, reservedEnd - end) }
        guard let region = UnsafeMutableRawPointer(bitPattern: aligned) else { return nil }
        // Advice only: where transparent huge pages are off the region keeps small pages.
        madvise(region, length, Int32(MADV_HUGEPAGE))
        return region
    }
    #endif
}
