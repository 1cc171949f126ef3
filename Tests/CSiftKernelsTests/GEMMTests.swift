import CSiftKernels
import Testing
import TestSupport

/// Row-major N×K fp32 weights quantized to Q8_0 rows and packed into panels.
struct PackedWeights {
    let n: Int, k: Int
    let rows: [sk_block_q8_0]
    let panels: [sk_panel_q8_0]

    init(_ w: [Float], n: Int, k: Int) {
        self.n = n
        self.k = k
        var rows = [sk_block_q8_0](repeating: sk_block_q8_0(), count: n * k / 32)
        rows.withUnsafeMutableBufferPointer { out in
            for j in 0 ..< n { sk_quantize_row_q8_0(Array(w[j * k ..< (j + 1) * k]), out.baseAddress! + j * k / 32, Int64(k)) }
        }
        var panels = [sk_panel_q8_0](repeating: sk_panel_q8_0(), count: Int(sk_packed_panels(Int64(n), Int64(k))))
        sk_pack_q8_0(rows, Int64(n), Int64(k), &panels)
        self.rows = rows
        self.panels = panels
    }

    init(rows: [sk_block_q8_0], panels: [sk_panel_q8_0], n: Int, k: Int) {
        self.n = n
        self.k = k
        self.rows = rows
        self.panels = panels
    }
}

func quantizeActivations(_ x: [Float], m: Int, k: Int, scales: sk_scales = SK_SCALES_POW2) -> [sk_block_q8_a] {
    var out = [sk_block_q8_a](repeating: sk_block_q8_a(), count: m * k / 32)
    out.withUnsafeMutableBufferPointer { o in
        for i in 0 ..< m { sk_quantize_row_q8_a(Array(x[i * k ..< (i + 1) * k]), o.baseAddress! + i * k / 32, Int64(k), scales) }
    }
    return out
}

func gemm(_ x: [sk_block_q8_a], _ w: PackedWeights, m: Int, n0: Int = 0, n1: Int? = nil, scales: sk_scales = SK_SCALES_POW2) -> [Float] {
    var y = [Float](repeating: -7, count: m * w.n)
    sk_gemm_q8_0(Int64(m), Int64(w.n), Int64(w.k), x, Int64(w.k / 32), w.panels, &y, Int64(w.n), Int64(n0), Int64(n1 ?? w.n), scales)
    return y
}

let scaleModes = [SK_SCALES_POW2, SK_SCALES_EXACT]

@Suite(.serialized) struct GEMMTests {
    @Test func packLayout() {
        let n = 20, k = 64
        var values = randomNormal(n * k, seed: 4)
        for i in 3 * k ..< 3 * k + 32 { values[i] = 0 }  // row 3, block 0: fp16 scale 0
        let w = PackedWeights(values, n: n, k: k)
        #expect(sk_panel_count(Int64(n), Int64(k)) == 2 * 2)
        #expect(w.panels.count == 2 * 2 + 1, "4 panels, then their 4 × 32 bytes of scales in a whole panel")
        let scales = w.panels.withUnsafeBytes { raw in Array(raw[4 * 512 ..< 4 * 512 + 4 * 32].bindMemory(to: UInt16.self)) }
        for tile in 0 ..< 2 {
            for block in 0 ..< 2 {
                var p = w.panels[tile * 2 + block]
                for c in 0 ..< 16 {
                    let row = tile * 16 + c
                    var h = scales[(tile * 2 + block) * 16 + c]
                    var d: Float = 0
                    sk_fp16_to_fp32(&h, &d, 1)
                    let qs = withUnsafeBytes(of: &p.qs) { raw in (0 ..< 32).map { raw[($0 / 4) * 64 + c * 4 + $0 % 4] } }
                    if row < n {
                        var src = w.rows[row * 2 + block]
                        let expected = withUnsafeBytes(of: &src.qs) { $0.map { UInt8(truncatingIfNeeded: Int(Int8(bitPattern: $0)) + 128) } }
                        #expect(qs == expected)
                        var half = src.d
                        var f: Float = 0
                        sk_fp16_to_fp32(&half, &f, 1)
                        // A zero scale becomes 1 (the GEMMs add exponents); its quants are 0.
                        #expect(d == (f == 0 ? 1 : f), "row \(row) block \(block)")
                        #expect(f != 0 || qs.allSatisfy { $0 == 128 })
                    } else {
                        #expect(d == 1 && qs.allSatisfy { $0 == 128 }, "padding column \(c)")
                    }
                }
            }
        }
    }

    /// The exact dot products (Double over the dequantized values) and the sums of the
    /// terms' magnitudes, which bound the fp32 rounding error of any summation order.
    func reference(_ x: [sk_block_q8_a], _ w: PackedWeights, m: Int) -> (values: [Double], magnitudes: [Double]) {
        var out = [Double](repeating: 0, count: m * w.n)
        var magnitudes = out
        for i in 0 ..< m {
            for j in 0 ..< w.n {
                var s = 0.0, a = 0.0
                for b in 0 ..< w.k / 32 {
                    var xb = x[i * w.k / 32 + b], wb = w.rows[j * w.k / 32 + b]
                    var half = wb.d
                    var dw: Float = 0
                    sk_fp16_to_fp32(&half, &dw, 1)
                    let xq = withUnsafeBytes(of: &xb.qs) { Array($0.bindMemory(to: Int8.self)) }
                    let wq = withUnsafeBytes(of: &wb.qs) { Array($0.bindMemory(to: Int8.self)) }
                    let isum = zip(xq, wq).reduce(0) { $0 + Int($1.0) * Int($1.1) }
                    s += Double(xb.d) * Double(dw) * Double(isum)
                    a += abs(Double(xb.d) * Double(dw) * Double(isum))
                }
                out[i * w.n + j] = s
                magnitudes[i * w.n + j] = a
            }
        }
        return (out, magnitudes)
    }

    /// Both scale modes: every level bit for bit, and the exact dot products within the fp32
    /// rounding bound.
    @Test(arguments: [1, 2, 3, 4, 5, 7, 13, 64])
    func agreesAcrossLevelsAndWithReference(m: Int) {
        for scales in scaleModes {
            for n in [1, 15, 16, 17, 48, 100] {
                for k in [32, 96, 384] {
                    let w = PackedWeights(randomNormal(n * k, seed: UInt64(n * 1000 + k)), n: n, k: k)
                    let x = quantizeActivations(awkwardActivations(m * k, seed: UInt64(m)), m: m, k: k, scales: scales)
                    let expected = reference(x, w, m: m)
                    atEveryLevel({ gemm(x, w, m: m, scales: scales).map(\.bitPattern) }, check: { level, a, b in
                        #expect(a == b, "m\(m) n\(n) k\(k) scales \(scales.rawValue) at \(name(level))")
                    })
                    let y = gemm(x, w, m: m, scales: scales)
                    for (j, got) in y.enumerated() {
                        let bound = 1e-6 * Double(k / 32 + 1) * max(expected.magnitudes[j], 1e-30)
                        #expect(abs(Double(got) - expected.values[j]) <= bound, "m\(m) n\(n) k\(k) scales \(scales.rawValue)")
                    }
                }
            }
        }
    }

    /// A block whose fp16 scale is ±0 is zero whatever its quants say (a file may store any),
    /// at every level: packing zeroes its quants, so the exponent-add scale cannot leak them.
    @Test func zeroScaledBlocksContributeNothing() {
        let m = 3, n = 17, k = 96
        var w = PackedWeights(randomNormal(n * k, seed: 21), n: n, k: k)
        var rows = w.rows
        for (j, b) in [(0, 0), (5, 1), (16, 2), (9, 0)] {
            rows[j * k / 32 + b].d = j == 9 ? 0x8000 : 0  // -0 too
        }
        var panels = w.panels
        sk_pack_q8_0(rows, Int64(n), Int64(k), &panels)
        w = PackedWeights(rows: rows, panels: panels, n: n, k: k)
        for scales in scaleModes {
            let x = quantizeActivations(randomNormal(m * k, seed: 22), m: m, k: k, scales: scales)
            let expected = reference(x, w, m: m)
            atEveryLevel({ gemm(x, w, m: m, scales: scales).map(\.bitPattern) }, check: { level, a, b in
                #expect(a == b, "scales \(scales.rawValue) at \(name(level))")
            })
            for (j, got) in gemm(x, w, m: m, scales: scales).enumerated() {
                #expect(abs(Double(got) - expected.values[j]) <= 1e-5 * max(expected.magnitudes[j], 1e-30), "output \(j), scales \(scales.rawValue)")
            }
        }
    }

    /// Weight quants at the ends of int8 (−128 comes only from a file: ggml writes ±127) against
    /// activations at ±127, in runs so that whole pairs and groups of 4 are extreme: what
    /// saturates a 16-bit pair sum if a level gets its signs wrong (AVX2's VPMADDUBSW).
    @Test func extremeQuantsAreExact() {
        let m = 6, n = 33, k = 128
        let base = PackedWeights(randomNormal(n * k, seed: 31), n: n, k: k)
        var rows = base.rows
        for (i, value) in [Int8(-128), 127, -127, -128, 0, 127].enumerated() {
            for j in stride(from: i, to: n, by: 6) {
                for b in 0 ..< k / 32 where (j + b) % 2 == 0 {
                    withUnsafeMutableBytes(of: &rows[j * k / 32 + b].qs) { raw in
                        for e in 0 ..< 32 { raw[e] = UInt8(bitPattern: e % 8 < 6 ? value : ~value) }
                    }
                }
            }
        }
        var panels = base.panels
        sk_pack_q8_0(rows, Int64(n), Int64(k), &panels)
        let w = PackedWeights(rows: rows, panels: panels, n: n, k: k)
        // Rows of −1, of +1, alternating in pairs, and random: every block's amax is 1, so its
        // quants are ±127 wherever the value is ±1.
        var values = randomNormal(m * k, seed: 32).map { max(-1, min(1, $0)) }
        for e in 0 ..< k {
            values[e] = -1
            values[k + e] = 1
            values[2 * k + e] = (e / 2) % 2 == 0 ? 1 : -1
            if e % 32 == 0 { values[3 * k + e] = 1 }
        }
        for scales in scaleModes {
            let x = quantizeActivations(values, m: m, k: k, scales: scales)
            let expected = reference(x, w, m: m)
            atEveryLevel({ gemm(x, w, m: m, scales: scales).map(\.bitPattern) }, check: { level, a, b in
                #expect(a == b, "scales \(scales.rawValue) at \(name(level))")
            })
            for (j, got) in gemm(x, w, m: m, scales: scales).enumerated() {
                let bound = 1e-6 * Double(k / 32 + 1) * max(expected.magnitudes[j], 1e-30)
                #expect(abs(Double(got) - expected.values[j]) <= bound, "output \(j), scales \(scales.rawValue)")
            }
        }
    }

    @Test func columnRangesWriteOnlyTheirColumns() {
        let m = 5, n = 50, k = 64
        let w = PackedWeights(randomNormal(n * k, seed: 8), n: n, k: k)
        let x = quantizeActivations(randomNormal(m * k, seed: 9), m: m, k: k)
        let full = gemm(x, w, m: m)
        for (n0, n1) in [(0, 16), (16, 50), (32, 40), (48, 50)] {
            atEveryLevel({ gemm(x, w, m: m, n0: n0, n1: n1).map(\.bitPattern) }, check: { level, a, b in
                #expect(a == b, "range \(n0)..<\(n1) at \(name(level))")
            })
            let part = gemm(x, w, m: m, n0: n0, n1: n1)
            for i in 0 ..< m {
                for j in 0 ..< n {
                    let v = part[i * n + j]
                    if (n0 ..< n1).contains(j) { #expect(v.bitPattern == full[i * n + j].bitPattern) } else { #expect(v == -7) }
                }
            }
        }
    }
}
