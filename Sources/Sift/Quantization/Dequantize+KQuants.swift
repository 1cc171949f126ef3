// The K-quant super-blocks Sift reads: q4_K, q5_K, q6_K (256 elements each).
//
// Mirrors gguf-py's numpy `Q4_K/Q5_K/Q6_K.dequantize_blocks`: the per-sub-block scale and
// offset are formed first, in float32 (`d * sc`, `dmin * m`), then each element is
// `scale * q - offset`. ggml's C reference uses the same order (`d1 = d * sc;
// y = d1 * q - m1`; q6_K's `d * sc[is] * q` is `(d * sc) * q` in C). Either way every
// product is exact in fp32 (fp16 d: 11 bits; q4_K/q5_K: × 6-bit scale × 5-bit q = 22 bits;
// q6_K: × 7-bit |scale| × 5-bit |q - 32| = 23 bits), so only the final `- offset` rounds,
// and reassociating the products or fusing into an FMA cannot change a bit.
//
// Layouts (bytes, little-endian):
//   q4_K  144 = d fp16 | dmin fp16 | scales u8[12] | qs u8[128]
//   q5_K  176 = d fp16 | dmin fp16 | scales u8[12] | qh u8[32] | qs u8[128]
//   q6_K  210 = ql u8[128] | qh u8[64] | scales int8[16] | d fp16
//
// q4_K/q5_K: 8 sub-blocks of 32. Sub-blocks 2c and 2c+1 (c in 0..<4) take the low and the
// high nibbles of qs[32c ..< 32c+32]; q5_K adds bit s of qh[l] as bit 4 of element l of
// sub-block s. Their 6-bit scales and mins are packed into 12 bytes (see `scaleMin`).
//
// q6_K: 16 sub-blocks of 16 (one int8 scale each), in two halves of 128 elements. In half h,
// element 32r + l (r in 0..<4, l in 0..<32) is
//   low 4 bits:  ql[64h + 32(r % 2) + l], low nibble for r < 2, high nibble for r >= 2
//   high 2 bits: (qh[32h + l] >> 2r) & 3
// minus 32.

extension Dequantize {
    /// The 6-bit scale and min of sub-block `j` (0..<8) from the 12 packed bytes at `s`:
    ///
    ///     byte 0-3   mmssssss   j < 4: s = scale j,   m = high 2 bits of scale j+4
    ///     byte 4-7   MMnnnnnn   j < 4: n = min j,     M = high 2 bits of min j+4
    ///     byte 8-11  NNNNSSSS   j >= 4: S = low 4 bits of scale j, N = low 4 bits of min j
    ///
    /// ggml's `get_scale_min_k4`; gguf-py's `Q4_K.get_scale_min`.
    @inline(__always)
    static func scaleMin(_ j: Int, _ s: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (loadByte(s, j) & 0x3F, loadByte(s, j + 4) & 0x3F)
        }
        let scale = (loadByte(s, j + 4) & 0x0F) | (loadByte(s, j - 4) >> 6) << 4
        let min = (loadByte(s, j + 4) >> 4) | (loadByte(s, j) >> 6) << 4
        return (scale, min)
    }

    /// q4_K, 144 bytes → 256 floats. numpy: `(d * sc) * q - (dmin * m)`.
    static func q4_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 144
            let out = y + b * 256
            let d = loadFp16(block, 0)
            let dmin = loadFp16(block, 2)
            let scales = block + 4
            let qs = block + 16
            for c in 0..<4 {
                let (sc0, m0) = scaleMin(2 * c, scales)
                let (sc1, m1) = scaleMin(2 * c + 1, scales)
                let d0 = d * Float(sc0), off0 = dmin * Float(m0)
                let d1 = d * Float(sc1), off1 = dmin * Float(m1)
                for l in 0..<32 {
                    let byte = loadByte(qs, 32 * c + l)
                    out[64 * c + l] = d0 * Float(byte & 0x0F) - off0
                    out[64 * c + 32 + l] = d1 * Float(byte >> 4) - off1
                }
            }
        }
    }

    /// q5_K, 176 bytes → 256 floats. numpy: `(d * sc) * q - (dmin * m)`.
    static func q5_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 176
            let out = y + b * 256
            let d = loadFp16(block, 0)
            let dmin = loadFp16(block, 2)
            let scales = block + 4
            let qh = block + 16
            let qs = block + 48
            for s in 0..<8 {
                let (sc, m) = scaleMin(s, scales)
                let scale = d * Float(sc), offset = dmin * Float(m)
                let nibbleShift: UInt8 = s % 2 == 0 ? 0 : 4
                for l in 0..<32 {
                    let low = (loadByte(qs, 32 * (s / 2) + l) >> nibbleShift) & 0x0F
                    let high = (loadByte(qh, l) >> UInt8(s)) & 1
                    out[32 * s + l] = scale * Float(low | high << 4) - offset
                }
            }
        }
    }

    /// q6_K, 210 bytes → 256 floats. numpy: `(d * sc) * (q - 32)`.
    static func q6_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 210
            let out = y + b * 256
            let ql = block
            let qh = block + 128
            let scales = block + 192
            let d = loadFp16(block, 208)
            for h in 0..<2 {
                for r in 0..<4 {
                    let nibbleShift: UInt8 = r < 2 ? 0 : 4
                    let highShift = UInt8(2 * r)
                    let lowBytes = ql + (64 * h + 32 * (r % 2))
                    let highBytes = qh + 32 * h
                    for k in 0..<2 {  // two 16-element sub-blocks, one scale each
                        let first = 128 * h + 32 * r + 16 * k
                        let scale = d * Float(Int8(bitPattern: loadByte(scales, first / 16)))
                        for i in 0..<16 {
                            let l = 16 * k + i
                            let low = (loadByte(lowBytes, l) >> nibbleShift) & 0x0F
                            let high = (loadByte(highBytes, l) >> highShift) & 0x03
                            out[first + i] = scale * Float(Int32(low | high << 4) - 32)
                        }
                    }
                }
            }
        }
    }
}
