// Bit-level conversions between fp32 and the two 16-bit float formats GGUF stores.
//
// Written by hand rather than with `Float16` because `Float16` is unavailable on macOS
// x86_64, and because the exact rounding and NaN rules matter here: the results must
// match gguf-py's numpy (and ggml's F16C path) bit for bit.
//
//   fp16: 1 sign | 5 exponent (bias 15)  | 10 mantissa
//   bf16: 1 sign | 8 exponent (bias 127) |  7 mantissa   (the top half of an fp32)
//   fp32: 1 sign | 8 exponent (bias 127) | 23 mantissa

/// fp16 bits → fp32, exact (every fp16 value, subnormals included, is an fp32 value).
/// A NaN keeps its payload, shifted into the top of the fp32 mantissa, and stays signaling
/// if it was, as numpy's `astype(np.float32)` does. (Swift's `Float(Float16)` and F16C's
/// vcvtph2ps quiet signaling NaNs instead; for every other pattern all three agree.)
@inline(__always)
func fp16ToFp32(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x03FF)
    switch exponent {
    case 0x1F:  // inf, NaN
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    case 0:     // ±0 and subnormals: mantissa × 2^-24, exact in fp32
        let magnitude = Float(mantissa) * 0x1p-24
        return Float(bitPattern: sign | magnitude.bitPattern)
    default:    // rebias 15 → 127
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}

/// fp32 → fp16 bits, rounding to nearest, ties to even (numpy's `astype(np.float16)`,
/// ggml's `GGML_FP32_TO_FP16`). Magnitudes from 65520 up overflow to ±inf; below 2^-25
/// (and exactly 2^-25, a tie with even 0) they flush to ±0.
/// NaN keeps the top 10 payload bits and stays signaling if it was (bumped to payload 1 if
/// those bits are all zero, so it stays a NaN), as numpy does. For quiet NaNs this is also
/// what F16C's vcvtps2ph gives; ggml's software fallback instead returns a canonical 0x7E00.
@inline(__always)
func fp32ToFp16(_ x: Float) -> UInt16 {
    let bits = x.bitPattern
    let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
    let magnitude = bits & 0x7FFF_FFFF

    if magnitude >= 0x7F80_0000 {  // inf or NaN
        if magnitude == 0x7F80_0000 { return sign | 0x7C00 }
        let payload = UInt16(truncatingIfNeeded: magnitude >> 13) & 0x03FF
        return sign | 0x7C00 | (payload == 0 ? 1 : payload)
    }
    if magnitude >= 0x477F_F000 {  // ≥ 65520, the midpoint of 65504 (odd) and 2^16
        return sign | 0x7C00
    }
    if magnitude >= 0x3880_0000 {  // ≥ 2^-14: normal fp16
        // Rebias 127 → 15 and drop 13 mantissa bits, adding just under half an ulp plus the
        // kept lsb so that ties go to even. A carry out of the mantissa bumps the exponent,
        // which is the right answer (e.g. 2047.5 ulps → next binade).
        let lsb = (magnitude >> 13) & 1
        let rebiased = magnitude &- (112 << 23) &+ 0x0FFF &+ lsb
        return sign | UInt16(truncatingIfNeeded: rebiased >> 13)
    }
    // Subnormal fp16 (or zero): the result is round(x / 2^-24) in units of 2^-24.
    let exponent = Int(magnitude >> 23)           // biased fp32 exponent, < 113 here
    if exponent < 102 { return sign }             // x < 2^-25: rounds to 0
    let significand = (magnitude & 0x007F_FFFF) | 0x0080_0000  // x = significand × 2^(exponent-150)
    let shift = UInt32(126 - exponent)            // 14...24
    var q = significand >> shift
    let remainder = significand & ((1 << shift) - 1)
    let half = UInt32(1) << (shift - 1)
    if remainder > half || (remainder == half && q & 1 == 1) { q += 1 }
    return sign | UInt16(truncatingIfNeeded: q)   // q == 0x400 is the smallest normal: correct
}

/// bf16 bits → fp32, exact: bf16 is the top half of an fp32.
@inline(__always)
func bf16ToFp32(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// fp32 → bf16 bits, rounding to nearest, ties to even; NaN is forced quiet (bit 6 of the
/// result) with its top payload bits kept. Same as gguf-py's `BF16.quantize_blocks` and
/// ggml's `ggml_compute_fp32_to_bf16`. Finite values that round past the largest bf16 become
/// ±inf (the carry runs into the exponent).
@inline(__always)
func fp32ToBf16(_ x: Float) -> UInt16 {
    let bits = x.bitPattern
    if bits & 0x7FFF_FFFF > 0x7F80_0000 {
        return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
    }
    // No overflow: the largest non-NaN pattern, 0xFF80_0000 (-inf), plus 0x8000 fits.
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return UInt16(truncatingIfNeeded: rounded >> 16)
}
