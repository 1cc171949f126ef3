import CSiftKernels
import Foundation
import Testing
@testable import Sift

/// The memory behind int8 panels: huge-page-aligned mappings for large layers on Linux, the
/// heap otherwise, the same products from either, and packing on several threads.
struct WeightMemoryTests {
    @Test("large buffers start on a huge page on Linux, and every byte is usable")
    func largeBufferPlacement() {
        let bytes = 3 * WeightMemory.hugePageBytes + 12_345
        for hugePages in [true, false] {
            let memory = WeightMemory(byteCount: bytes, hugePages: hugePages)
            memory.base.initializeMemory(as: UInt8.self, repeating: 0x5a, count: bytes)
            let view = memory.base.assumingMemoryBound(to: UInt8.self)
            #expect(view[0] == 0x5a && view[bytes - 1] == 0x5a)
            #expect(Int(bitPattern: memory.base) % 64 == 0)
            #if os(Linux)
            #expect((Int(bitPattern: memory.base) % WeightMemory.hugePageBytes == 0) == hugePages)
            #endif
        }
        let small = WeightMemory(byteCount: WeightMemory.hugePageBytes - 64, hugePages: true)
        #expect(Int(bitPattern: small.base) % 64 == 0)
    }

    @Test("a layer in huge pages computes what a layer on the heap does")
    func sameProductEitherWay() throws {
        let n = 2048, k = 1024, m = 3  // 2.2 MB of panels: past the huge-page threshold
        let w = LinearTests.values(n * k, seed: 7), x = LinearTests.values(m * k, seed: 8)
        let huge = try Linear(weights: w, out: n, in: k, bias: nil, as: .q8_0, hugePages: true)
        let heap = try Linear(weights: w, out: n, in: k, bias: nil, as: .q8_0, hugePages: false)
        guard case .q8_0(_, let count, let memory) = huge.storage else { Issue.record("not int8"); return }
        #expect(count * MemoryLayout<sk_panel_q8_0>.stride >= WeightMemory.hugePageBytes && memory.hugePages)
        #expect(LinearTests.product(huge, x, rows: m, threads: 2) == LinearTests.product(heap, x, rows: m, threads: 2))
        let rows = [2047, 0, 1000]
        #expect(LinearTests.product(huge.selectingRows(rows), x, rows: m, threads: 1)
            == LinearTests.product(heap.selectingRows(rows), x, rows: m, threads: 1))
    }

    @Test("packing by ranges of tiles writes every byte one pack writes", arguments: [(53, 96), (16 * 33 + 5, 64), (16, 32)])
    func tileRangesMatchWholePack(n: Int, k: Int) {
        let blocks = (0 ..< n * k / 32).map { i in
            var b = sk_block_q8_0()
            b.d = i % 7 == 0 ? 0 : UInt16(0x2c00 + i % 1000)  // some zero scales, which packing replaces
            withUnsafeMutableBytes(of: &b.qs) { q in for j in 0 ..< 32 { q[j] = UInt8(truncatingIfNeeded: i &* 31 &+ j &* 7) } }
            return b
        }
        let count = Int(sk_packed_panels(Int64(n), Int64(k))), bytes = count * MemoryLayout<sk_panel_q8_0>.stride
        var whole = [UInt8](repeating: 0xaa, count: bytes), ranges = [UInt8](repeating: 0x55, count: bytes)
        whole.withUnsafeMutableBytes { sk_pack_q8_0(blocks, Int64(n), Int64(k), $0.baseAddress!.assumingMemoryBound(to: sk_panel_q8_0.self)) }
        let tiles = (n + 15) / 16, cuts = [0, tiles / 3, tiles / 3, tiles - 1, tiles].map { max(0, $0) }
        blocks.withUnsafeBufferPointer { b in
            let rows: [UnsafePointer<sk_block_q8_0>?] = (0 ..< n).map { b.baseAddress! + $0 * (k / 32) }
            ranges.withUnsafeMutableBytes { out in
                for (t0, t1) in zip(cuts, cuts.dropFirst()).reversed() {
                    sk_pack_q8_0_tiles(rows, Int64(n), Int64(k), out.baseAddress!.assumingMemoryBound(to: sk_panel_q8_0.self), Int64(t0), Int64(t1))
                }
            }
        }
        #expect(whole == ranges)
    }

    @Test("a layer packed on two threads holds the same panels as one packed on one")
    func threadedPackMatches() throws {
        let n = 1100, k = 2048  // 2.4 MB of panels, 69 tiles: uneven halves
        let w = LinearTests.values(n * k, seed: 9)
        let pool = ThreadPool(threads: 2)
        let threaded = try Linear(weights: w, out: n, in: k, bias: nil, as: .q8_0, packPool: pool)
        let single = try Linear(weights: w, out: n, in: k, bias: nil, as: .q8_0)
        guard case .q8_0(let a, let count, _) = threaded.storage, case .q8_0(let b, _, _) = single.storage else {
            Issue.record("not int8"); return
        }
        let bytes = count * MemoryLayout<sk_panel_q8_0>.stride
        #expect(bytes >= WeightMemory.hugePageBytes)
        #expect(memcmp(a, b, bytes) == 0)
    }

    @Test("a layer stacked from separate Q8_0 matrices holds the panels of their concatenation")
    func stackingMatchesConcatenation() throws {
        let k = 256, outs = [40, 8, 8]  // tiles straddle the parts
        let matrices = outs.enumerated().map { i, n in
            (0 ..< n * k / 32).map { j in
                var b = sk_block_q8_0()
                b.d = UInt16(0x2c00 + (i * 131 + j) % 900)
                withUnsafeMutableBytes(of: &b.qs) { q in for t in 0 ..< 32 { q[t] = UInt8(truncatingIfNeeded: i &* 53 &+ j &* 31 &+ t) } }
                return b
            }
        }
        func view(_ blocks: [sk_block_q8_0], name: String, rows: Int) -> TensorView {
            let owned = OwnedFloats(count: (blocks.count * MemoryLayout<sk_block_q8_0>.stride + 3) / 4)
            blocks.withUnsafeBytes { UnsafeMutableRawPointer(owned.pointer).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            return TensorView(name: name, shape: [rows, k], dtype: .ggml(.q8_0),
                              data: UnsafeRawBufferPointer(start: owned.pointer, count: blocks.count * MemoryLayout<sk_block_q8_0>.stride), owner: owned)
        }
        let parts = zip(matrices, outs).enumerated().map { i, m in view(m.0, name: "part\(i)", rows: m.1) }
        let stacked = try Linear.stacking(parts, bias: nil, packPool: ThreadPool(threads: 2))
        let whole = try Linear(weight: view(matrices.flatMap { $0 }, name: "whole", rows: outs.reduce(0, +)), bias: nil, as: .q8_0)
        guard case .q8_0(let a, let count, _) = stacked.storage, case .q8_0(let b, let wholeCount, _) = whole.storage else {
            Issue.record("not int8"); return
        }
        #expect(stacked.outFeatures == 56 && count == wholeCount)
        #expect(memcmp(a, b, count * MemoryLayout<sk_panel_q8_0>.stride) == 0)
        var bad = matrices[2]
        bad[3].d = 0x7c00  // inf
        do {
            _ = try Linear.stacking([parts[0], view(bad, name: "part2", rows: 8)], bias: nil)
            Issue.record("an inf scale was accepted")
        } catch {
            #expect("\(error)".contains("part2: the scale of Q8_0 block 3 of row 0"), "\(error)")
        }
    }
}
