import CSiftKernels
import Testing
@testable import Sift

/// The memory behind int8 panels: huge-page-aligned mappings for large layers on Linux, the
/// heap otherwise, and the same products from either.
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
}
