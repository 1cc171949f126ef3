/// fp32 → storage-format conversion, in plain Swift.
///
/// Output bytes are identical to gguf-py's `gguf.quants.quantize` (checked against the
/// fixtures from `models/make_quant_goldens.py`), which for these types is also what
/// ggml's C reference writes. These loops are the scalar twins of the C kernels in
/// CSiftKernels that replace them on the hot path.
public enum Quantize {
    /// Types `row` accepts, in ggml order.
    public static let supportedTypes: [GGMLType] = [.f32, .f16, .q8_0, .bf16]

    /// Converts `src.count` fp32 elements into `type`'s layout in `dst`.
    ///
    /// - Parameters:
    ///   - src: the input; its count must be a whole number of `type.blockSize` blocks.
    ///   - dst: exactly `type.byteCount(elements: src.count)` bytes, any alignment.
    /// - Throws: `.unsupported` for a type Sift cannot write, `.partialBlock` or
    ///   `.sizeMismatch` when the sizes disagree. Nothing is written when it throws.
    public static func row(
        _ type: GGMLType, from src: UnsafeBufferPointer<Float>, into dst: UnsafeMutableRawBufferPointer
    ) throws(QuantizationError) {
        guard supportedTypes.contains(type) else { throw .unsupported(type, operation: "quantize") }
        try QuantizationError.checkSize(type, elements: src.count, bytes: dst.count)
        guard let x = src.baseAddress, let y = dst.baseAddress else { return }  // 0 elements
        let n = src.count

        switch type {
        case .f32: y.copyMemory(from: x, byteCount: n * 4)
        case .f16: f16(x, y, count: n)
        case .bf16: bf16(x, y, count: n)
        case .q8_0: q8_0(x, y, blocks: n / 32)
        default: throw .unsupported(type, operation: "quantize")
        }
    }

    /// fp32 → fp16, round to nearest even; overflow → ±inf. numpy: `astype(np.float16)`.
    static func f16(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, count: Int) {
        for i in 0..<count {
            y.storeBytes(of: fp32ToFp16(x[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
    }

    /// fp32 → bf16, round to nearest even, NaN forced quiet (gguf-py `BF16.quantize_blocks`).
    static func bf16(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, count: Int) {
        for i in 0..<count {
            y.storeBytes(of: fp32ToBf16(x[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
    }

    /// fp32 → q8_0: per 32-element block, d = amax / 127 (fp32), id = 1 / d (0 for an
    /// all-zero block), q = round-half-away-from-zero(x * id), then d stored as fp16 (RNE).
    /// Note q is computed with the fp32 d, not the fp16 one written out (as in ggml and
    /// gguf-py's `Q8_0.quantize_blocks`, whose `np_roundf` is C's roundf).
    ///
    /// Inputs are expected to be finite. Non-finite ones do not trap: a NaN product becomes
    /// q = 0 (numpy's NaN → int8 cast is unspecified, so there is no reference to match).
    static func q8_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 32
            let out = y + b * 34
            var amax: Float = 0
            for j in 0..<32 {
                amax = Swift.max(amax, block[j].magnitude)
            }
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            out.storeBytes(of: fp32ToFp16(d).littleEndian, toByteOffset: 0, as: UInt16.self)
            for j in 0..<32 {
                // .rounded() defaults to .toNearestOrAwayFromZero, i.e. C's roundf. For
                // finite input |x * id| <= 127 (+ rounding), so the clamp only guards NaN.
                let r = (block[j] * id).rounded()
                let q: Int8 = r.isNaN ? 0 : Int8(Swift.min(127, Swift.max(-128, r)))
                out.storeBytes(of: q, toByteOffset: 2 + j, as: Int8.self)
            }
        }
    }
}
