#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The CPU's caches, as far as the platform tells. Not API: the benchmark package reads it
/// through `@_spi(Benchmarks) import Sift`.
@_spi(Benchmarks) public enum CacheSize {
    /// Bytes of the largest data or unified cache that core 0 sees (the L3 of a desktop or
    /// server x86 core: one core complex's share on AMD), or nil where it cannot be read
    /// (Linux's /sys/devices/system/cpu/cpu0/cache is the only source read).
    public static let lastLevel: Int? = {
        #if os(Linux)
        var largest: Int?
        for index in 0 ..< 8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            guard let type = try? String(contentsOfFile: dir + "type", encoding: .utf8),
                  let size = try? String(contentsOfFile: dir + "size", encoding: .utf8) else { break }
            guard type.trimmingCharacters(in: .whitespacesAndNewlines) != "Instruction",
                  let bytes = parse(size.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            largest = max(largest ?? 0, bytes)
        }
        return largest
        #else
        return nil
        #endif
    }()

    /// "32768K", "1024K", "8M" or a plain byte count.
    static func parse(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        guard let last = text.last else { return nil }
        if let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }
}
