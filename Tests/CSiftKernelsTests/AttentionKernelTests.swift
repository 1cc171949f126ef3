import CSiftKernels
import Foundation
import Testing
import TestSupport

/// sk_attention_head: the same bits at every level, rows independent of how they are split
/// between calls, and close to attention computed in Double.
@Suite(.serialized) struct AttentionKernelTests {
    /// One problem: `heads` query heads sharing one key/value head, m query rows at positions
    /// pos0 ..< pos0 + m over n keys of width d, stored with row strides wider than the heads
    /// (as in a q/k/v product's output).
    struct Case: CustomStringConvertible, Sendable {
        let m, n, d, pos0: Int
        var causal = false, window = 0
        var softcap: Float = 0
        var heads = 1
        var description: String { "m \(m) n \(n) d \(d) pos0 \(pos0) causal \(causal) window \(window) softcap \(softcap) heads \(heads)" }

        var ldq: Int { heads * d + 5 }
        var ldk: Int { d + 3 }
        var ldo: Int { heads * d + 7 }
        /// The columns of out that the call writes.
        var written: Int { heads * d }
        var scale: Float { 1 / Float(d).squareRoot() }
        var q: [Float] { randomNormal(max(m, 1) * ldq, seed: UInt64(m * 7919 + d), scale: 2) }
        var k: [Float] { randomNormal(max(n, 1) * ldk, seed: UInt64(n * 104_729 + d), scale: 2) }
        var v: [Float] { randomNormal(max(n, 1) * ldk, seed: UInt64(n * 31 + d + 1)) }

        /// Rows `rows` of the output, computed by one call (NaN where nothing was written).
        func run(rows: Range<Int>, q: [Float], k: [Float], v: [Float]) -> [Float] {
            var out = [Float](repeating: .nan, count: max(rows.count, 1) * ldo)
            var scratch = [Float](repeating: .nan, count: Int(sk_attention_scratch(Int64(n), Int64(d))) + 1)
            sk_attention_head(Array(q[(rows.lowerBound * ldq)...]), Int64(ldq), k, Int64(ldk), v, Int64(ldk), &out, Int64(ldo),
                              Int64(heads), Int64(rows.count), Int64(n), Int64(d), Int64(pos0 + rows.lowerBound), causal ? 1 : 0,
                              Int64(window), scale, softcap, &scratch)
            return out
        }

        /// The keys row i may see.
        func keys(_ i: Int) -> Range<Int> {
            let p = pos0 + i, hi = causal ? min(n, p + 1) : n, lo = window > 0 ? max(0, p - window + 1) : 0
            return min(lo, hi) ..< hi
        }
    }

    static let cases: [Case] = [
        Case(m: 16, n: 16, d: 32, pos0: 0),
        Case(m: 1, n: 16, d: 32, pos0: 0),
        Case(m: 7, n: 7, d: 64, pos0: 0),
        Case(m: 33, n: 33, d: 64, pos0: 0),
        Case(m: 5, n: 100, d: 80, pos0: 0),
        Case(m: 3, n: 3, d: 8, pos0: 0),
        Case(m: 20, n: 20, d: 128, pos0: 0, causal: true),
        Case(m: 6, n: 40, d: 64, pos0: 34, causal: true),
        Case(m: 19, n: 50, d: 96, pos0: 31, causal: true, window: 9),
        Case(m: 9, n: 9, d: 256, pos0: 0, causal: true, softcap: 50),
        Case(m: 18, n: 130, d: 48, pos0: 0, softcap: 2),
        Case(m: 21, n: 21, d: 64, pos0: 0, causal: true, heads: 7),
        Case(m: 4, n: 70, d: 128, pos0: 66, causal: true, heads: 4),
        Case(m: 16, n: 16, d: 32, pos0: 0, heads: 3),
    ]

    @Test(arguments: cases)
    func everyLevelAgreesWithTheScalarReference(c: Case) {
        let q = c.q, k = c.k, v = c.v
        atEveryLevel({ c.run(rows: 0 ..< c.m, q: q, k: k, v: v).map(\.bitPattern) }) { level, reference, got in
            #expect(got == reference, "\(c) at \(name(level))")
        }
    }

    /// Splitting the rows between calls anywhere (as threads do) changes no bit.
    @Test(arguments: cases.filter { $0.m > 1 })
    func rowsDoNotDependOnTheSplit(c: Case) {
        let q = c.q, k = c.k, v = c.v
        atEveryLevel({ c.run(rows: 0 ..< c.m, q: q, k: k, v: v).map(\.bitPattern) }) { level, whole, _ in
            for cut in Set([1, c.m / 2, c.m - 1]) {
                let a = c.run(rows: 0 ..< cut, q: q, k: k, v: v), b = c.run(rows: cut ..< c.m, q: q, k: k, v: v)
                for i in 0 ..< c.m {
                    let part = i < cut ? Array(a[(i * c.ldo) ..< (i * c.ldo + c.written)])
                        : Array(b[((i - cut) * c.ldo) ..< ((i - cut) * c.ldo + c.written)])
                    #expect(part.map(\.bitPattern) == Array(whole[(i * c.ldo) ..< (i * c.ldo + c.written)]),
                            "\(c) row \(i), cut at \(cut), \(name(level))")
                }
            }
        }
    }

    @Test(arguments: cases)
    func closeToDoublePrecision(c: Case) {
        let q = c.q, k = c.k, v = c.v, got = c.run(rows: 0 ..< c.m, q: q, k: k, v: v)
        for index in 0 ..< c.m * c.heads {
            let i = index / c.heads, e = index % c.heads
            let keys = c.keys(i), qi = i * c.ldq + e * c.d, oi = i * c.ldo + e * c.d
            var s = keys.map { j in
                var dot = 0.0
                for x in 0 ..< c.d { dot += Double(q[qi + x]) * Double(k[j * c.ldk + x]) }
                let scaled = dot * Double(c.scale)
                return c.softcap > 0 ? Double(c.softcap) * tanh(scaled / Double(c.softcap)) : scaled
            }
            let top = s.max() ?? 0
            s = s.map { exp($0 - top) }
            let total = s.reduce(0, +)
            for x in 0 ..< c.d {
                var want = 0.0
                for (p, j) in zip(s, keys) { want += p / total * Double(v[j * c.ldk + x]) }
                let value = Double(got[oi + x])
                #expect(abs(value - want) <= 2e-5 * max(1, abs(want)), "\(c) row \(i) head \(e) column \(x): \(value) vs \(want)")
            }
            // Columns after the heads are not written.
            for x in c.written ..< c.ldo { #expect(got[i * c.ldo + x].isNaN, "\(c) row \(i) wrote past its heads") }
        }
    }

    /// Preferred to BLAS at the AVX-512 levels, and at AVX2 and AVX-VNNI for causal masks.
    @Test func reportsWhereItIsPreferred() {
        let saved = sk_isa_active()
        defer { _ = sk_isa_set(saved) }
        for level in [SK_ISA_SCALAR] + levels {
            #expect(sk_isa_set(level) == 0)
            let avx512 = level == SK_ISA_AVX512 || level == SK_ISA_AVX512_VNNI
            #expect((sk_attention_head_preferred(0) != 0) == avx512, "\(name(level))")
            #expect((sk_attention_head_preferred(1) != 0) == (avx512 || level == SK_ISA_AVX2 || level == SK_ISA_AVX_VNNI), "\(name(level)), causal")
        }
    }

    /// A query past the keys with a window that leaves it none gets zeros, as does a call
    /// without keys.
    @Test func rowsWithoutKeysAreZero() {
        for c in [Case(m: 3, n: 4, d: 32, pos0: 10, causal: true, window: 2), Case(m: 2, n: 0, d: 16, pos0: 0)] {
            atEveryLevel({ c.run(rows: 0 ..< c.m, q: c.q, k: c.k, v: c.v).map(\.bitPattern) }) { level, reference, got in
                #expect(got == reference, "\(c) at \(name(level))")
                for i in 0 ..< c.m {
                    #expect(got[(i * c.ldo) ..< (i * c.ldo + c.written)].allSatisfy { $0 == 0 }, "\(c) row \(i) at \(name(level))")
                }
            }
        }
    }
}
