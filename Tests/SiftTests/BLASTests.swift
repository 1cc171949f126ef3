import Testing
import TestSupport
@testable import Sift

@Suite struct BLASTests {
    /// C = op(A) · op(B) in Double, with op(A) m×k and op(B) k×n, row-major as stored.
    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0 ..< m {
            for j in 0 ..< n {
                var s = 0.0
                for p in 0 ..< k {
                    let x = ta ? a[p * m + i] : a[i * k + p]
                    let y = tb ? b[j * k + p] : b[p * n + j]
                    s += Double(x) * Double(y)
                }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matchesNaiveProduct(ta: Bool, tb: Bool) {
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 33, 64), (64, 9, 130)] {
            let a = randomNormal(m * k, seed: 1), b = randomNormal(k * n, seed: 2)
            var c = [Float](repeating: 0, count: m * n)
            BLAS.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k,
                       a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n, c: &c, ldc: n)
            let expected = naive(a, b, m: m, n: n, k: k, ta: ta, tb: tb)
            for (x, y) in zip(c, expected) { #expect(abs(x - y) <= 1e-4 * max(1, abs(y)), "m\(m) n\(n) k\(k)") }
        }
    }

    @Test func accumulatesWithBeta() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 0, 0, 1]
        var c: [Float] = [10, 10, 10, 10]
        BLAS.sgemm(m: 2, n: 2, k: 2, alpha: 2, a: a, lda: 2, b: b, ldb: 2, beta: 1, c: &c, ldc: 2)
        #expect(c == [12, 14, 16, 18])
    }
}
