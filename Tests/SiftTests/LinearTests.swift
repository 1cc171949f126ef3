import Foundation
import CSiftKernels
import Testing
@_spi(Benchmarks) @testable import Sift

/// Linear layers: the row-selected head label scoring uses, and results that do not depend
/// on the thread count.
struct LinearTests {
    /// Deterministic values in [-1, 1) with a few large ones, so Q8_0 blocks have varied scales.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0 ..< count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let v = Float(state >> 40) / Float(1 << 24) * 2 - 1
            return i % 97 == 0 ? v * 20 : v
        }
    }

    /// The layer's product, with `activation` (fused where it can be).
    static func product(_ layer: Linear, _ x: [Float], rows m: Int, threads: Int, activation: Activation? = nil) -> [Float] {
        let pool = ThreadPool(threads: threads)
        var input = x, output = [Float](repeating: .nan, count: m * layer.outFeatures)
        let scratch = UnsafeMutablePointer<sk_block_q8_a>.allocate(capacity: layer.quantizedBlocks(rows: m))
        defer { scratch.deallocate() }
        input.withUnsafeMutableBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                let y = Matrix(yp.baseAddress!, rows: m, cols: layer.outFeatures)
                layer(Matrix(xp.baseAddress!, rows: m, cols: layer.inFeatures), into: y, scratch: scratch, pool: pool, activation: activation)
            }
        }
        return output
    }

    @Test("selected rows give the full product's columns", arguments: WeightType.allCases)
    func selectedRowsMatchFullProduct(type: WeightType) throws {
        let n = 53, k = 96, m = 5
        let full = try Linear(weights: Self.values(n * k, seed: 1), out: n, in: k, bias: Self.values(n, seed: 2), as: type)
        let rows = [52, 0, 17, 17, 31, 16, 15, 40, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]  // repeats, across panels
        let picked = full.selectingRows(rows)
        #expect(picked.outFeatures == rows.count && picked.inFeatures == k && picked.weightType == type)
        let x = Self.values(m * k, seed: 3)
        let all = Self.product(full, x, rows: m, threads: 1), some = Self.product(picked, x, rows: m, threads: 1)
        for i in 0 ..< m {
            for (j, r) in rows.enumerated() {
                let want = all[i * n + r], got = some[i * rows.count + j]
                if type == .q8_0 {
                    #expect(got == want, "row \(i), column \(r): \(got) vs \(want)")
                } else {
                    #expect(abs(got - want) <= 1e-5 * max(1, abs(want)), "row \(i), column \(r): \(got) vs \(want)")
                }
            }
        }
    }

    /// Large enough that quantizing (m·k ≥ 32K), the bias (m·n ≥ 32K) and the product are
    /// split over threads. The int8 path is bit-identical for any thread count; the fp32
    /// path hands BLAS different column blocks, which this BLAS sums alike but another
    /// build need not, so it is held to rounding. Three shapes: an even split (small
    /// product), an even split with few rows (a large product streaming its weights), and
    /// shrinking tasks (a large product with many rows); on two threads the first and the
    /// last split their rows instead (at least 64 rows, at most 8M weights).
    @Test("results do not depend on the thread count", arguments: WeightType.allCases)
    func threadCountDoesNotChangeResults(type: WeightType) throws {
        for (n, k, m) in [(272, 768, 131), (2000, 1536, 16), (1000, 768, 131)] {
            let layer = try Linear(weights: Self.values(n * k, seed: 4), out: n, in: k, bias: Self.values(n, seed: 5), as: type)
            let x = Self.values(m * k, seed: 6)
            let one = Self.product(layer, x, rows: m, threads: 1)
            for threads in [2, 3] {
                let many = Self.product(layer, x, rows: m, threads: threads)
                if type == .q8_0 {
                    #expect(many == one, "\(n)×\(k), \(m) rows, \(threads) threads")
                } else {
                    #expect(zip(many, one).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "\(n)×\(k), \(m) rows, \(threads) threads")
                }
            }
        }
    }

    /// A model whose int8 weights fit in half the cache splits rows from 16 rows on two
    /// threads; the result stays that of one thread.
    @Test("weights that stay in the cache split rows from 16 rows, with the same results")
    func cachedWeightsSplitRowsEarlier() throws {
        let n = 384, k = 768  // 16 rows: 4.7M multiply-adds, above the one-thread bound
        let layers = try (0 ..< 2).map { _ in try Linear(weights: Self.values(n * k, seed: 10), out: n, in: k, bias: Self.values(n, seed: 11), as: .q8_0) }
        let bytes = layers.count * Int(sk_packed_panels(Int64(n), Int64(k))) * MemoryLayout<sk_panel_q8_0>.stride
        Linear.keepRowSplitForCachedWeights(layers, cacheBytes: 2 * bytes - 1)
        #expect(layers.allSatisfy { $0.rowSplitRows == 64 })
        Linear.keepRowSplitForCachedWeights(layers, cacheBytes: 2 * bytes)
        #expect(layers.allSatisfy { $0.rowSplitRows == 16 })
        let plain = try Linear(weights: Self.values(n * k, seed: 10), out: n, in: k, bias: Self.values(n, seed: 11), as: .q8_0)
        Linear.keepRowSplitForCachedWeights([plain], cacheBytes: nil)
        #expect(plain.rowSplitRows == 64)
        for m in [16, 30, 63] {
            let x = Self.values(m * k, seed: 12)
            #expect(Self.product(layers[0], x, rows: m, threads: 2) == Self.product(plain, x, rows: m, threads: 1), "\(m) rows")
        }
        #expect(CacheSize.parse("32768K") == 32 << 20 && CacheSize.parse("8M") == 8 << 20 && CacheSize.parse("512") == 512)
        #expect(CacheSize.parse("") == nil && CacheSize.parse("K") == nil && CacheSize.parse("12Q") == nil)
    }

    @Test("the guided split covers every unit once, in shrinking tasks")
    func guidedSplitCoversUnits() {
        for units in [1, 2, 5, 14, 18, 152, 1000] {
            for threads in [1, 2, 3, 16] {
                let split = GuidedSplit(units: units, threads: threads)
                let ranges = (0 ..< split.count).map(split.range)
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == units, "\(units) units, \(threads) threads")
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && $0.count >= $1.count && !$1.isEmpty },
                        "\(units) units, \(threads) threads: \(ranges)")
            }
        }
        #expect((0 ..< GuidedSplit(units: 152, threads: 2).count).map { GuidedSplit(units: 152, threads: 2).range($0).count }
            == [38, 28, 21, 16, 12, 9, 7, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1])
    }

    /// Large enough that every thread gets columns, or on two threads rows (the epilogue runs
    /// per task; 67 rows split at a multiple of 4, 36 + 31). The
    /// reference is the bias-free product, then the bias added here, then the activation's
    /// own pass; `.relu` has no fused form and takes the layer's separate pass.
    @Test("a fused bias and activation give the bits of separate passes",
          arguments: [(WeightType.f32, Activation.gelu), (.q8_0, .gelu), (.q8_0, .geluTanh), (.q8_0, .relu), (.f32, .geluTanh)])
    func fusedActivationMatchesSeparatePass(type: WeightType, activation: Activation) throws {
        let n = 272, k = 768, m = 67
        let weights = Self.values(n * k, seed: 7), bias = Self.values(n, seed: 8), x = Self.values(m * k, seed: 9)
        let plain = try Linear(weights: weights, out: n, in: k, bias: nil, as: type)
        for withBias in [true, false] {
            let layer = try Linear(weights: weights, out: n, in: k, bias: withBias ? bias : nil, as: type)
            for threads in [1, 2, 3] {
                var want = Self.product(plain, x, rows: m, threads: threads)
                if withBias { for i in 0 ..< m { for j in 0 ..< n { want[i * n + j] += bias[j] } } }
                want.withUnsafeMutableBufferPointer { activation.apply(Matrix($0.baseAddress!, rows: m, cols: n), pool: ThreadPool(threads: 1)) }
                let fused = Self.product(layer, x, rows: m, threads: threads, activation: activation)
                #expect(fused.map(\.bitPattern) == want.map(\.bitPattern), "\(type) \(activation), bias \(withBias), \(threads) threads")
            }
        }
    }

    /// A Q8_0 block whose fp16 scale is inf or NaN is refused at load, naming the tensor and
    /// the block (its values are not numbers; the power-of-two kernels would hide that).
    @Test("non-finite Q8_0 scales are refused", arguments: [UInt16(0x7c00), 0xfc00, 0x7e00])
    func nonFiniteScalesAreRefused(scale: UInt16) {
        let n = 3, k = 64
        var blocks = [sk_block_q8_0](repeating: sk_block_q8_0(), count: n * k / 32)
        for i in blocks.indices { blocks[i].d = 0x3c00 }
        blocks[5].d = scale  // row 2, block 1
        let owner = blocks.withUnsafeBytes { Data($0) } as NSData
        let view = TensorView(name: "blk.0.ffn_up.weight", shape: [n, k], dtype: .ggml(.q8_0),
                              data: UnsafeRawBufferPointer(start: owner.bytes, count: owner.length), owner: owner)
        #expect {
            _ = try Linear(weight: view, bias: nil, as: .q8_0)
        } throws: { error in
            "\(error)".contains("blk.0.ffn_up.weight") && "\(error)".contains("block 1 of row 2")
        }
    }
}
