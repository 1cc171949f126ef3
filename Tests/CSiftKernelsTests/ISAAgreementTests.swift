import CSiftKernels
import Testing
import TestSupport

/// Every instruction-set level this machine can run must produce the scalar reference's
/// output bit for bit (the kernels' contract), so each test computes the scalar result
/// and then the result at every other supported level.
let levels: [sk_isa] = [SK_ISA_AVX2, SK_ISA_AVX_VNNI, SK_ISA_AVX512, SK_ISA_AVX512_VNNI, SK_ISA_NEON, SK_ISA_NEON_DOT, SK_ISA_NEON_I8MM]
    .filter { sk_isa_supported($0) != 0 }

/// Runs `body` at the scalar level and at every supported level, restoring the level after.
func atEveryLevel<T: Equatable>(_ body: () -> T, check: (sk_isa, T, T) -> Void) {
    let saved = sk_isa_active()
    defer { _ = sk_isa_set(saved) }
    #expect(sk_isa_set(SK_ISA_SCALAR) == 0)
    let reference = body()
    for level in levels {
        #expect(sk_isa_set(level) == 0)
        check(level, reference, body())
    }
}

func name(_ isa: sk_isa) -> String { String(cString: sk_isa_name(isa)) }

/// Activations with the values that trip up rounding: exact halves of the quantization
/// step, zeros, an all-zero block, tiny and huge magnitudes.
func awkwardActivations(_ k: Int, seed: UInt64) -> [Float] {
    var x = randomNormal(k, seed: seed)
    var g = SeededGenerator(seed: seed ^ 0xABCD)
    for b in 0 ..< k / 32 {
        switch b % 5 {
        case 1: for i in 0 ..< 32 { x[b * 32 + i] = 0 }
        case 2:
            // amax = 127 so d = 1 and x * (1/d) lands on exact .5 ties.
            for i in 0 ..< 32 { x[b * 32 + i] = Float(Int.random(in: -126 ... 126, using: &g)) + (i % 2 == 0 ? 0.5 : -0.5) }
            x[b * 32] = 127
        case 3: for i in 0 ..< 32 { x[b * 32 + i] *= 1e-30 }
        case 4: for i in 0 ..< 32 { x[b * 32 + i] *= 1e20 }
        default: break
        }
    }
    return x
}

/// `awkwardActivations` plus blocks no product should see but a quantizer must survive
/// alike at every level: NaN (first, last, alone), ±inf, -0.0, magnitudes whose scale
/// is subnormal (1/d overflows to inf), and magnitudes just under 128 · 2^110 (beyond the
/// power-of-two scales' top, where x / 2^110 would round to 128).
func extremeActivations(_ k: Int, seed: UInt64) -> [Float] {
    var x = awkwardActivations(k, seed: seed)
    for b in 0 ..< k / 32 {
        let block = b * 32
        switch b % 7 {
        case 1: x[block] = .nan; x[block + 31] = .nan
        case 2: x[block + 3] = 1.658e35; x[block + 4] = -1.2e35
        case 3: x[block + 5] = .infinity; x[block + 6] = -.infinity
        case 4: for i in 0 ..< 32 { x[block + i] = i % 2 == 0 ? -0.0 : 0 }
        case 5: for i in 0 ..< 32 { x[block + i] = Float(i - 16) * 1e-39 }
        case 6: for i in 0 ..< 32 { x[block + i] = .nan }
        default: break
        }
    }
    return x
}

@Suite(.serialized) struct ISAAgreementTests {
    @Test func reportsLevels() {
        let detected = sk_isa_detected()
        #expect(sk_isa_supported(detected) != 0)
        #expect(sk_isa_supported(SK_ISA_SCALAR) != 0)
        print("kernel levels tested:", ["scalar"] + levels.map(name), "detected:", name(detected))
        #if arch(x86_64)
        for level in [SK_ISA_NEON, SK_ISA_NEON_DOT, SK_ISA_NEON_I8MM] {
            #expect(sk_isa_supported(level) == 0, "\(name(level))")
            #expect(sk_isa_set(level) == -1, "\(name(level))")
        }
        // Each AVX-512 level implies the one below it, and every x86 SIMD level implies AVX2.
        if sk_isa_supported(SK_ISA_AVX512_VNNI) != 0 { #expect(sk_isa_supported(SK_ISA_AVX512) != 0) }
        for level in [SK_ISA_AVX_VNNI, SK_ISA_AVX512] where sk_isa_supported(level) != 0 {
            #expect(sk_isa_supported(SK_ISA_AVX2) != 0, "\(name(level))")
        }
        // The detected level is the fastest supported: AVX-512 VNNI, AVX-VNNI, AVX-512, AVX2.
        let order = [SK_ISA_AVX512_VNNI, SK_ISA_AVX_VNNI, SK_ISA_AVX512, SK_ISA_AVX2, SK_ISA_SCALAR]
        #expect(order.first { sk_isa_supported($0) != 0 } == detected)
        #elseif arch(arm64)
        for level in [SK_ISA_AVX2, SK_ISA_AVX_VNNI, SK_ISA_AVX512, SK_ISA_AVX512_VNNI] { #expect(sk_isa_supported(level) == 0) }
        // Plain Advanced SIMD is always there; the matrix multiply level implies the dot product
        // and is never detected (only SIFT_ISA chooses it, see dispatch.c).
        #expect(sk_isa_supported(SK_ISA_NEON) != 0)
        if sk_isa_supported(SK_ISA_NEON_I8MM) != 0 { #expect(sk_isa_supported(SK_ISA_NEON_DOT) != 0) }
        #expect(detected != SK_ISA_NEON_I8MM)
        let order = [SK_ISA_NEON_DOT, SK_ISA_NEON]
        #expect(order.first { sk_isa_supported($0) != 0 } == detected)
        #endif
        #expect(name(SK_ISA_AVX_VNNI) == "avx-vnni")
        #expect(name(SK_ISA_NEON_I8MM) == "neon-i8mm")
    }

    @Test func halfConversions() {
        let halves = (0 ... 0xFFFF).map { UInt16($0) }
        atEveryLevel({ () -> [UInt32] in
            var out = [Float](repeating: 0, count: halves.count)
            sk_fp16_to_fp32(halves, &out, Int64(halves.count))
            return out.map(\.bitPattern)
        }, check: { level, a, b in #expect(a == b, "fp16→fp32 at \(name(level))") })
        atEveryLevel({ () -> [UInt32] in
            var out = [Float](repeating: 0, count: halves.count)
            sk_bf16_to_fp32(halves, &out, Int64(halves.count))
            return out.map(\.bitPattern)
        }, check: { level, a, b in #expect(a == b, "bf16→fp32 at \(name(level))") })

        // fp32 → fp16/bf16: random bit patterns (all exponents, NaNs, subnormals), ties.
        var g = SeededGenerator(seed: 3)
        var floats = (0 ..< 200_000).map { _ in Float(bitPattern: UInt32.random(in: 0 ... .max, using: &g)) }
        floats += [0, -0, .infinity, -.infinity, .nan, 65504, 65519.99, 65520, 1e-8, 5.96e-8, 2.98e-8, 1 + 1.0 / 2048, 1 + 3.0 / 2048]
        floats += (0 ..< 1000).map { Float(bitPattern: 0x3F80_0000 | UInt32($0) << 13 | 0x1000) }  // exact fp16 ties
        atEveryLevel({ () -> [UInt16] in
            var out = [UInt16](repeating: 0, count: floats.count)
            sk_fp32_to_fp16(floats, &out, Int64(floats.count))
            return out
        }, check: { level, a, b in #expect(a == b, "fp32→fp16 at \(name(level))") })
        atEveryLevel({ () -> [UInt16] in
            var out = [UInt16](repeating: 0, count: floats.count)
            sk_fp32_to_bf16(floats, &out, Int64(floats.count))
            return out
        }, check: { level, a, b in #expect(a == b, "fp32→bf16 at \(name(level))") })
    }

    @Test(arguments: [32, 64, 96, 224, 1024, 4864])
    func quantizeRows(k: Int) {
        let x = extremeActivations(k, seed: UInt64(k))
        atEveryLevel({ () -> [UInt8] in
            var out = [sk_block_q8_0](repeating: sk_block_q8_0(), count: k / 32)
            sk_quantize_row_q8_0(x, &out, Int64(k))
            return out.withUnsafeBytes { Array($0) }
        }, check: { level, a, b in #expect(a == b, "q8_0 at \(name(level))") })
        for scales in scaleModes {
            atEveryLevel({ () -> [UInt8] in
                var out = [sk_block_q8_a](repeating: sk_block_q8_a(), count: k / 32)
                sk_quantize_row_q8_a(x, &out, Int64(k), scales)
                return out.withUnsafeBytes { Array($0) }
            }, check: { level, a, b in #expect(a == b, "q8_a, scales \(scales.rawValue), at \(name(level))") })
        }
    }

    @Test func quantizedActivationsAreConsistent() {
        let k = 256
        let x = awkwardActivations(k, seed: 9)
        for scales in scaleModes {
            var blocks = [sk_block_q8_a](repeating: sk_block_q8_a(), count: k / 32)
            sk_quantize_row_q8_a(x, &blocks, Int64(k), scales)
            for (b, block) in blocks.enumerated() {
                let qs = withUnsafeBytes(of: block.qs) { Array($0.bindMemory(to: Int8.self)) }
                #expect(block.offset == -128 * qs.reduce(0) { $0 + Int32($1) })
                let amax = x[b * 32 ..< b * 32 + 32].map(abs).max()!
                if scales == SK_SCALES_EXACT {
                    #expect(block.d == amax / 127)
                    if block.d > 0 {
                        for i in 0 ..< 32 { #expect(abs(Float(qs[i]) * block.d - x[b * 32 + i]) <= block.d * 0.5000001) }
                    }
                    continue
                }
                // d: the least power of two ≥ amax / 127, but at least 2^-100.
                #expect(block.d.significandBitPattern == 0 && block.d >= 0x1p-100 && block.d <= 0x1p110, "block \(b): d \(block.d)")
                #expect(block.d >= amax / 127 && (block.d == 0x1p-100 || block.d / 2 < amax / 127), "block \(b): d \(block.d) for amax \(amax)")
                // 1/d is exact, so each quant is x / d rounded: within half a step.
                for i in 0 ..< 32 { #expect(abs(Float(qs[i]) * block.d - x[b * 32 + i]) <= block.d * 0.5) }
                if amax > 0x1p-90 { #expect(qs.map { abs(Int($0)) }.max()! >= 64, "block \(b) uses less than half the range") }
            }
        }
        // Beyond the top (max|x| / 127 > 2^110) a power-of-two block is all zeros: with
        // d = 2^110, 1.658e35 / d would round to 128.
        var top = [Float](repeating: 1, count: 32)
        top[3] = 1.658e35
        atEveryLevel({ () -> [UInt8] in
            var block = [sk_block_q8_a](repeating: sk_block_q8_a(), count: 1)
            sk_quantize_row_q8_a(top, &block, 32, SK_SCALES_POW2)
            #expect(block[0].d == 0x1p110 && block[0].offset == 0)
            #expect(withUnsafeBytes(of: block[0].qs) { $0.allSatisfy { $0 == 0 } })
            return block.withUnsafeBytes { Array($0) }
        }, check: { level, a, b in #expect(a == b, "beyond the top at \(name(level))") })
    }

    @Test(arguments: [1, 3, 8, 100])
    func vectorDot(blocks: Int) {
        let a = awkwardActivations(blocks * 32, seed: 1), b = randomNormal(blocks * 32, seed: 2)
        var qa = [sk_block_q8_0](repeating: sk_block_q8_0(), count: blocks)
        var qb = qa
        sk_quantize_row_q8_0(a, &qa, Int64(blocks * 32))
        sk_quantize_row_q8_0(b, &qb, Int64(blocks * 32))
        atEveryLevel({ sk_vec_dot_q8_0(qa, qb, Int64(blocks)).bitPattern },
                     check: { level, r, s in #expect(r == s, "dot at \(name(level))") })
    }
}
