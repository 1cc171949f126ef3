/// Block-format → fp32 conversion, in plain Swift.
///
/// The reference is gguf-py's numpy `gguf.quants.dequantize`: every type's output is
/// bit-identical to it, which the fixtures in `Tests/SiftTests/Fixtures/quant` (made by
/// `models/make_quant_goldens.py`) check. The loops follow numpy's float32 operation order
/// (numpy converts each fp16 scale to float32 first and never computes in float16 here).
///
/// Why the order turns out not to matter, which frees the SIMD twins: every product in
/// these formats is exact in fp32. An fp16 scale has at most 11 significant bits and the
/// integer factors at most 7 (q8_0's int8 q, q6_K's int8 scale; 128 is a power of two), so
/// a significand never needs more than fp32's 24 bits: q8_0 11 + 7, q4_K/q5_K 11 + 6 + 5,
/// q6_K 11 + 7 + 5. Nor can it under- or overflow (|d| ≥ 2^-24, |d| · 127 · 32 < 2^28).
/// So `(d * sc) * q`, `d * (sc * q)` and ggml's C order all give the exact product, and the
/// only rounding is the final `+ m` / `- dmin * m`, which an FMA would round identically.
/// ggml's C reference therefore matches numpy bit for bit on finite scales too.
///
/// Blocks are read at any alignment: a GGUF row of q8_0 is a run of 34-byte blocks, so
/// every multi-byte field is loaded with `loadUnaligned`. GGUF is little-endian.
///
/// The per-type loops are the scalar twins of the C kernels in CSiftKernels.
public enum Dequantize {
    /// Types `row` accepts, in ggml order.
    public static let supportedTypes: [GGMLType] = GGMLType.allCases.filter(\.isDequantizable)

    /// Converts `dst.count` elements of `type` from `src` into fp32.
    ///
    /// - Parameters:
    ///   - src: exactly `type.byteCount(elements: dst.count)` bytes, any alignment.
    ///   - dst: the output; its count must be a whole number of `type.blockSize` blocks.
    /// - Throws: `.unsupported` for a type Sift cannot read, `.partialBlock` or
    ///   `.sizeMismatch` when the sizes disagree. Nothing is written when it throws.
    public static func row(
        _ type: GGMLType, from src: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Float>
    ) throws(QuantizationError) {
        guard type.isDequantizable else { throw .unsupported(type, operation: "dequantize") }
        try QuantizationError.checkSize(type, elements: dst.count, bytes: src.count)
        guard let x = src.baseAddress, let y = dst.baseAddress else { return }  // 0 elements
        let n = dst.count
        let blocks = n / type.blockSize

        switch type {
        case .f32: f32(x, y, count: n)
        case .f16: f16(x, y, count: n)
        case .bf16: bf16(x, y, count: n)
        case .q8_0: q8_0(x, y, blocks: blocks)
        case .q4_0: q4_0(x, y, blocks: blocks)
        case .q4_1: q4_1(x, y, blocks: blocks)
        case .q5_0: q5_0(x, y, blocks: blocks)
        case .q5_1: q5_1(x, y, blocks: blocks)
        case .q4_K: q4_K(x, y, blocks: blocks)
        case .q5_K: q5_K(x, y, blocks: blocks)
        case .q6_K: q6_K(x, y, blocks: blocks)
        default: throw .unsupported(type, operation: "dequantize")  // isDequantizable lied
        }
    }

    // MARK: - Plain float types

    /// fp32 → fp32: a copy (little-endian host assumed, as everywhere in Sift).
    static func f32(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        UnsafeMutableRawPointer(y).copyMemory(from: x, byteCount: count * 4)
    }

    /// fp16 → fp32, exact. numpy: `view(np.float16).astype(np.float32)`.
    static func f16(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            y[i] = fp16ToFp32(loadHalf(x, 2 * i))
        }
    }

    /// bf16 → fp32, exact: the 16 bits become the top of the fp32.
    static func bf16(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            y[i] = bf16ToFp32(loadHalf(x, 2 * i))
        }
    }
}

// MARK: - Unaligned little-endian field readers shared by the block decoders

extension Dequantize {
    /// The 16-bit field at `offset` bytes (an fp16 or bf16 bit pattern).
    @inline(__always)
    static func loadHalf(_ p: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The fp16 field at `offset` bytes, as fp32.
    @inline(__always)
    static func loadFp16(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        fp16ToFp32(loadHalf(p, offset))
    }

    /// The 32-bit little-endian field at `offset` bytes (q5_0/q5_1's high-bit mask).
    @inline(__always)
    static func loadUInt32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The byte at `offset`.
    @inline(__always)
    static func loadByte(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        p.load(fromByteOffset: offset, as: UInt8.self)
    }
}
