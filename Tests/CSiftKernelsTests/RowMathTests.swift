import CSiftKernels
import Foundation
import Testing
import TestSupport

/// The row-math kernels: bit-identical at every level, and close to the exact functions.
@Suite(.serialized) struct RowMathTests {
    static let lengths = [1, 7, 16, 33, 384, 1000]

    /// Values over the ranges that matter: activations up to ±12, and a few extremes that
    /// exercise exp's clamping.
    static func inputs(_ n: Int, seed: UInt64) -> [Float] {
        var x = randomNormal(n, seed: seed, scale: 4)
        if n > 5 { x[1] = 95; x[2] = -95; x[3] = 0; x[4] = -0.0 }
        return x
    }

    static func run(_ x: [Float], _ y: [Float], _ kernel: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int64) -> Void) -> [UInt32] {
        var a = x
        a.withUnsafeMutableBufferPointer { ap in y.withUnsafeBufferPointer { kernel(ap.baseAddress!, $0.baseAddress!, Int64(x.count)) } }
        return a.map(\.bitPattern)
    }

    static let kernels: [(String, @Sendable (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int64) -> Void)] = [
        ("softmax", { a, _, n in sk_softmax(a, n) }),
        ("gelu", { a, _, n in sk_gelu(a, n) }),
        ("gelu_tanh", { a, _, n in sk_gelu_tanh(a, n) }),
        ("silu_mul", { a, b, n in sk_silu_mul(a, b, n) }),
        ("gelu_tanh_mul", { a, b, n in sk_gelu_tanh_mul(a, b, n) }),
        ("layer_norm", { a, b, n in sk_layer_norm(a, b, b, n, 1e-12) }),
        ("layer_norm_no_bias", { a, b, n in sk_layer_norm(a, b, nil, n, 1e-5) }),
        ("rms_norm", { a, b, n in sk_rms_norm(a, b, n, 1e-6) }),
        ("bias_gelu", { a, b, n in sk_bias_activation(a, n, 1, n, b, SK_ACT_GELU) }),
        ("bias_gelu_tanh", { a, b, n in sk_bias_activation(a, n, 1, n, b, SK_ACT_GELU_TANH) }),
        ("bias", { a, b, n in sk_bias_activation(a, n, 1, n, b, SK_ACT_NONE) }),
        ("gelu_epilogue", { a, _, n in sk_bias_activation(a, n, 1, n, nil, SK_ACT_GELU) }),
    ]

    @Test(arguments: lengths)
    func everyLevelAgreesWithTheScalarReference(n: Int) {
        let x = Self.inputs(n, seed: UInt64(n)), y = randomNormal(n, seed: UInt64(n) + 99)
        for (kernelName, kernel) in Self.kernels {
            atEveryLevel({ Self.run(x, y, kernel) }) { level, reference, got in
                #expect(got == reference, "\(kernelName) at \(name(level)), n = \(n)")
            }
        }
    }

    @Test(arguments: lengths)
    func logSumExpAgreesAtEveryLevel(n: Int) {
        let x = Self.inputs(n, seed: UInt64(n) + 5)
        atEveryLevel({ sk_log_sum_exp(x, Int64(n)).bitPattern }) { level, reference, got in
            #expect(got == reference, "log_sum_exp at \(name(level)), n = \(n)")
        }
        let m = x.map(Double.init).max()!, exact = m + log(x.map { exp(Double($0) - m) }.reduce(0, +))
        #expect(abs(Double(sk_log_sum_exp(x, Int64(n))) - exact) <= 1e-6 * max(1, abs(exact)), "n = \(n)")
    }

    @Test func logSumExpEdgeCases() {
        let tail = (0 ..< 17).map { $0 == 16 ? Float.nan : Float($0) / 4 }
        atEveryLevel({ () -> [UInt32] in
            [sk_log_sum_exp([], 0), sk_log_sum_exp([-.infinity, -.infinity], 2), sk_log_sum_exp([1, .infinity, 2], 3),
             sk_log_sum_exp([1, .nan, 2], 3), sk_log_sum_exp([3], 1), sk_log_sum_exp([.nan, 1, 2], 3),
             sk_log_sum_exp([.nan, .nan], 2), sk_log_sum_exp(tail, 17), sk_log_sum_exp([-.infinity, 1], 2),
             sk_log_sum_exp([-0.0, 0.0], 2)].map(\.bitPattern)
        }) { level, reference, got in #expect(got == reference, "edge cases at \(name(level))") }
        #expect(sk_log_sum_exp([.nan, .nan], 2) == -.infinity && sk_log_sum_exp([-.infinity, 1], 2) == 1)
        #expect(sk_log_sum_exp([], 0) == -.infinity && sk_log_sum_exp([-.infinity], 1) == -.infinity)
        #expect(sk_log_sum_exp([1, .infinity], 2) == .infinity && sk_log_sum_exp([1, .nan], 2) == 1 && sk_log_sum_exp([3], 1) == 3)
    }

    @Test func closeToTheExactFunctions() {
        let x = Self.inputs(1000, seed: 7)
        var g = x
        sk_gelu(&g, Int64(g.count))
        for (v, got) in zip(x, g) {
            let exact = 0.5 * Double(v) * (1 + erf(Double(v) / 2.0.squareRoot()))
            #expect(abs(Double(got) - exact) <= 2e-6 * max(1, abs(exact)), "gelu(\(v))")
        }
        var t = x
        sk_gelu_tanh(&t, Int64(t.count))
        for (v, got) in zip(x, t) {
            let d = Double(v), exact = 0.5 * d * (1 + tanh(0.7978845608028654 * (d + 0.044715 * d * d * d)))
            #expect(abs(Double(got) - exact) <= 2e-6 * max(1, abs(exact)), "gelu_tanh(\(v))")
        }
        var s = Array(x.prefix(300))
        sk_softmax(&s, Int64(s.count))
        let m = x.prefix(300).map(Double.init).max()!
        let z = x.prefix(300).map { exp(Double($0) - m) }.reduce(0, +)
        for (v, got) in zip(x.prefix(300), s) {
            let exact = exp(Double(v) - m) / z
            #expect(abs(Double(got) - exact) <= 1e-6 * exact + 1e-37, "softmax")
        }
    }
}
