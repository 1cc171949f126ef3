import CSiftKernels
import Foundation
import Testing
import TestSupport
@testable import Sift

/// The C kernels against the Swift reference conversions, which match gguf-py bit for bit
/// (QuantizationTests). NaN inputs are left out: the kernels quiet signalling NaNs as the
/// hardware does, while gguf-py keeps them signalling.
@Suite struct KernelReferenceTests {
    @Test func q8_0QuantizationMatchesGGUFPy() throws {
        let input = try readFloats(fixtureURL("quant/q8_0.input.f32"))
        let golden = Array(try Data(contentsOf: fixtureURL("quant/q8_0.quant.bin")))
        var blocks = [sk_block_q8_0](repeating: sk_block_q8_0(), count: input.count / 32)
        sk_quantize_row_q8_0(input, &blocks, Int64(input.count))
        #expect(blocks.withUnsafeBytes { Array($0) } == golden)
        var back = [Float](repeating: 0, count: input.count)
        sk_dequantize_row_q8_0(blocks, &back, Int64(input.count))
        #expect(back == (try readFloats(fixtureURL("quant/q8_0.dequant.f32"))))
    }

    @Test func halfConversionsMatchSwiftReference() throws {
        var g = SeededGenerator(seed: 17)
        let floats = (0 ..< 100_000).map { _ in Float(bitPattern: UInt32.random(in: 0 ... .max, using: &g)) }.filter { !$0.isNaN }
        var halves = [UInt16](repeating: 0, count: floats.count)
        sk_fp32_to_fp16(floats, &halves, Int64(floats.count))
        var bf = [UInt16](repeating: 0, count: floats.count)
        sk_fp32_to_bf16(floats, &bf, Int64(floats.count))
        var swiftHalves = [UInt8](repeating: 0, count: 2 * floats.count)
        var swiftBF = swiftHalves
        try floats.withUnsafeBufferPointer { src in
            try swiftHalves.withUnsafeMutableBytes { try Quantize.row(.f16, from: src, into: $0) }
            try swiftBF.withUnsafeMutableBytes { try Quantize.row(.bf16, from: src, into: $0) }
        }
        #expect(halves.withUnsafeBytes { Array($0) } == swiftHalves)
        #expect(bf.withUnsafeBytes { Array($0) } == swiftBF)

        // Finite values and infinities (NaNs differ by design, see above).
        let patterns: [UInt16] = (0 ... 0xFFFF).map { UInt16($0) }.filter { (h: UInt16) -> Bool in
            (h & 0x7C00) != 0x7C00 || (h & 0x3FF) == 0
        }
        var wide = [Float](repeating: 0, count: patterns.count)
        sk_fp16_to_fp32(patterns, &wide, Int64(patterns.count))
        var swiftWide = [Float](repeating: 0, count: patterns.count)
        try patterns.withUnsafeBytes { raw in
            try swiftWide.withUnsafeMutableBufferPointer { try Dequantize.row(.f16, from: raw, into: $0) }
        }
        #expect(wide.map { $0.bitPattern } == swiftWide.map { $0.bitPattern })
    }
}
