// Sift's Swift quantizers against gguf-py's numpy reference, bit for bit.
//
// Goldens: Tests/SiftTests/Fixtures/quant, written by `python3 models/make_quant_goldens.py`
// (see the README there for shapes and versions). Tolerance: none. Every output float is
// compared by bit pattern (so NaN payloads and -0 count), every quantized byte exactly.

import Foundation
import Testing
@testable import Sift

@Suite("Quantization")
struct QuantizationTests {
    static let dequantizable: [GGMLType] = [.f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K]
    static let quantizable: [GGMLType] = [.f16, .bf16, .q8_0]

    // MARK: Dequantize

    @Test("dequantize matches gguf-py", arguments: QuantizationTests.dequantizable)
    func dequantizeMatchesGolden(type: GGMLType) throws {
        let quant = try fixtureBytes("\(type).quant.bin")
        let want = try fixtureFloats("\(type).dequant.f32")
        var got = [Float](repeating: .nan, count: want.count)
        try quant.withUnsafeBytes { src in
            try got.withUnsafeMutableBufferPointer { dst in try Dequantize.row(type, from: src, into: dst) }
        }
        if let i = firstBitMismatch(got, want) {
            let ours = "\(got[i]) (0x\(String(got[i].bitPattern, radix: 16)))"
            let theirs = "\(want[i]) (0x\(String(want[i].bitPattern, radix: 16)))"
            Issue.record("\(type): element \(i) is \(ours), gguf-py has \(theirs)")
        }
    }

    /// GGUF blocks sit at any byte offset (q8_0 blocks are 34 bytes), so decode from odd
    /// addresses, 256 elements at a time.
    @Test("dequantize reads unaligned blocks", arguments: QuantizationTests.dequantizable)
    func dequantizeUnaligned(type: GGMLType) throws {
        let quant = try fixtureBytes("\(type).quant.bin")
        let want = try fixtureFloats("\(type).dequant.f32")
        let chunk = 256
        let chunkBytes = try #require(type.byteCount(elements: chunk))
        for shift in [1, 3] {
            let shifted = [UInt8](repeating: 0, count: shift) + quant
            var got = [Float](repeating: .nan, count: want.count)
            try shifted.withUnsafeBytes { raw in
                try got.withUnsafeMutableBufferPointer { out in
                    for c in 0..<(want.count / chunk) {
                        let start = shift + c * chunkBytes
                        let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + chunkBytes)])
                        let dst = UnsafeMutableBufferPointer(rebasing: out[(c * chunk)..<((c + 1) * chunk)])
                        try Dequantize.row(type, from: src, into: dst)
                    }
                }
            }
            #expect(firstBitMismatch(got, want) == nil, "\(type) at offset \(shift)")
        }
    }

    // MARK: Quantize

    @Test("quantize matches gguf-py bytes", arguments: QuantizationTests.quantizable)
    func quantizeMatchesGolden(type: GGMLType) throws {
        let input = try fixtureFloats("\(type).input.f32")
        let want = try fixtureBytes("\(type).quant.bin")
        // One extra leading byte: the output is written unaligned.
        var got = [UInt8](repeating: 0xAA, count: want.count + 1)
        try input.withUnsafeBufferPointer { src in
            try got.withUnsafeMutableBytes { raw in
                try Quantize.row(type, from: src, into: UnsafeMutableRawBufferPointer(rebasing: raw[1...]))
            }
        }
        let bytes = Array(got[1...])
        let mismatch = bytes.indices.first { bytes[$0] != want[$0] }
        #expect(mismatch == nil, "\(type): byte \(mismatch ?? -1) differs from gguf-py")
    }

    @Test("f32 quantize and dequantize are copies")
    func f32RoundTrip() throws {
        let input = try fixtureFloats("f16.input.f32")  // includes inf, NaN, -0
        var bytes = [UInt8](repeating: 0, count: input.count * 4)
        var back = [Float](repeating: 0, count: input.count)
        try input.withUnsafeBufferPointer { src in
            try bytes.withUnsafeMutableBytes { try Quantize.row(.f32, from: src, into: $0) }
        }
        try bytes.withUnsafeBytes { src in
            try back.withUnsafeMutableBufferPointer { try Dequantize.row(.f32, from: src, into: $0) }
        }
        #expect(firstBitMismatch(back, input) == nil)
    }

    // MARK: Errors

    @Test("unsupported types and bad sizes throw typed errors")
    func errors() throws {
        var out = [Float](repeating: 0, count: 64)
        let raw = [UInt8](repeating: 0, count: 200)

        #expect(throws: QuantizationError.unsupported(.q2_K, operation: "dequantize")) {
            try raw.withUnsafeBytes { src in
                try out.withUnsafeMutableBufferPointer { try Dequantize.row(.q2_K, from: src, into: $0) }
            }
        }
        #expect(throws: QuantizationError.sizeMismatch(type: .q8_0, elements: 64, bytes: 200)) {
            try raw.withUnsafeBytes { src in
                try out.withUnsafeMutableBufferPointer { try Dequantize.row(.q8_0, from: src, into: $0) }
            }
        }
        #expect(throws: QuantizationError.partialBlock(type: .q8_0, elements: 40)) {
            try raw.withUnsafeBytes { src in
                try out.withUnsafeMutableBufferPointer { dst in
                    try Dequantize.row(.q8_0, from: UnsafeRawBufferPointer(rebasing: src[0..<68]),
                                       into: UnsafeMutableBufferPointer(rebasing: dst[0..<40]))
                }
            }
        }
        var qbuf = [UInt8](repeating: 0, count: 144)
        #expect(throws: QuantizationError.unsupported(.q4_K, operation: "quantize")) {
            try out.withUnsafeBufferPointer { src in
                try qbuf.withUnsafeMutableBytes { try Quantize.row(.q4_K, from: src, into: $0) }
            }
        }
        // Zero elements, nil base addresses: nothing to do, no error.
        try Dequantize.row(.q8_0, from: UnsafeRawBufferPointer(start: nil, count: 0),
                           into: UnsafeMutableBufferPointer(start: nil, count: 0))
    }

    @Test("error messages name the type and the sizes")
    func errorMessages() {
        let mismatch = QuantizationError.sizeMismatch(type: .q8_0, elements: 64, bytes: 200).description
        #expect(mismatch.contains("q8_0") && mismatch.contains("68") && mismatch.contains("200"))
        let unsupported = QuantizationError.unsupported(.q2_K, operation: "dequantize").description
        #expect(unsupported.contains("q2_K") && unsupported.contains("q6_K"))
    }

    // MARK: Half conversions (portable checks; the fixtures cover them in bulk)

    @Test("fp16 → fp32 → fp16 is the identity on all 65536 patterns, NaN payloads included")
    func fp16RoundTrip() {
        for bits in 0...UInt32(UInt16.max) {
            let h = UInt16(bits)
            if fp32ToFp16(fp16ToFp32(h)) != h {
                Issue.record("fp16 0x\(String(h, radix: 16)) does not round-trip")
                return
            }
        }
    }

    @Test("fp32 → fp16 rounds to nearest even at the edges")
    func fp16Edges() {
        #expect(fp16ToFp32(0x3C00) == 1)
        #expect(fp16ToFp32(0x0001) == 0x1p-24)          // smallest subnormal
        #expect(fp16ToFp32(0x7BFF) == 65504)            // largest finite
        #expect(fp16ToFp32(0xFC00) == -.infinity)
        #expect(fp32ToFp16(1 + 0x1p-11) == 0x3C00)      // tie → even (down)
        #expect(fp32ToFp16(1 + 3 * 0x1p-11) == 0x3C02)  // tie → even (up)
        #expect(fp32ToFp16(65519.99) == 0x7BFF)
        #expect(fp32ToFp16(65520) == 0x7C00)            // tie with 2^16 → inf
        #expect(fp32ToFp16(0x1p-25) == 0x0000)          // tie with 0 → 0
        #expect(fp32ToFp16(-0x1p-25 * 1.0001) == 0x8001)
        #expect(fp32ToFp16(0x1p-14 - 0x1p-25) == 0x0400) // tie → even: smallest normal
        #expect(fp32ToFp16(.nan) == 0x7E00)
        #expect(fp32ToFp16(Float(bitPattern: 0x7F80_0001)) == 0x7C01)  // stays NaN (numpy)
    }

    @Test("fp32 → bf16 rounds to nearest even and quiets NaN")
    func bf16Edges() {
        #expect(fp32ToBf16(1) == 0x3F80)
        #expect(fp32ToBf16(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie → even (down)
        #expect(fp32ToBf16(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie → even (up)
        #expect(fp32ToBf16(.greatestFiniteMagnitude) == 0x7F80)        // rounds to inf
        #expect(fp32ToBf16(Float(bitPattern: 0x7F80_0001)) == 0x7FC0)  // signaling → quiet
        #expect(bf16ToFp32(0xC000) == -2)
    }
}

// MARK: - Fixture loading

private func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixtureURL("quant/\(name)")))
}

/// A raw little-endian fp32 fixture. Built from bit patterns so NaN payloads survive.
private func fixtureFloats(_ name: String) throws -> [Float] {
    let bytes = try fixtureBytes(name)
    try #require(bytes.count % 4 == 0, "\(name) is not a whole number of fp32 values")
    return bytes.withUnsafeBytes { raw in
        (0..<(raw.count / 4)).map { i in
            Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
    }
}

/// The first index where the bit patterns differ (or where one array ends early), or nil.
private func firstBitMismatch(_ a: [Float], _ b: [Float]) -> Int? {
    let common = min(a.count, b.count)
    return (0..<common).first { a[$0].bitPattern != b[$0].bitPattern }
        ?? (a.count == b.count ? nil : common)
}
