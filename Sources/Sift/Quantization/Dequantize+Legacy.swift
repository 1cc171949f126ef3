// The 32-element block types: q8_0, q4_0, q4_1, q5_0, q5_1.
//
// Each decoder mirrors gguf-py's numpy `dequantize_blocks` for the type, which converts the
// fp16 scale to float32 first and then does all arithmetic in float32; the products are
// exact (11-bit scale × ≤8-bit integer), so only q4_1/q5_1's `+ m` rounds. In every block the
// first 16 outputs come from the low nibbles of the 16 packed bytes and the last 16 from
// the high nibbles (not interleaved).
//
// Layouts (bytes, little-endian):
//   q8_0  34 = d fp16 | qs int8[32]                         y = q * d
//   q4_0  18 = d fp16 | qs u8[16]                           y = d * (q - 8)
//   q4_1  20 = d fp16 | m fp16 | qs u8[16]                  y = d * q + m
//   q5_0  22 = d fp16 | qh u32 | qs u8[16]                  y = d * (q - 16)
//   q5_1  24 = d fp16 | m fp16 | qh u32 | qs u8[16]         y = d * q + m
// For q5_*, bit j of qh is bit 4 of element j (j in 0..<32).

extension Dequantize {
    /// q8_0, 34 bytes → 32 floats. numpy: `x * d` (exact; ggml's C writes `qs[j] * d`).
    static func q8_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 34
            let out = y + b * 32
            let d = loadFp16(block, 0)
            for j in 0..<32 {
                let q = Int8(bitPattern: loadByte(block, 2 + j))
                out[j] = Float(q) * d
            }
        }
    }

    /// q4_0, 18 bytes → 32 floats. numpy: `d * float32(q - 8)`.
    static func q4_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 18
            let out = y + b * 32
            let d = loadFp16(block, 0)
            for j in 0..<16 {
                let byte = loadByte(block, 2 + j)
                out[j] = d * Float(Int32(byte & 0x0F) - 8)
                out[j + 16] = d * Float(Int32(byte >> 4) - 8)
            }
        }
    }

    /// q4_1, 20 bytes → 32 floats. numpy: `(d * q) + m`; the product is exact, the sum rounds.
    static func q4_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 20
            let out = y + b * 32
            let d = loadFp16(block, 0)
            let m = loadFp16(block, 2)
            for j in 0..<16 {
                let byte = loadByte(block, 4 + j)
                out[j] = d * Float(byte & 0x0F) + m
                out[j + 16] = d * Float(byte >> 4) + m
            }
        }
    }

    /// q5_0, 22 bytes → 32 floats. numpy: `d * float32(q - 16)`.
    static func q5_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 22
            let out = y + b * 32
            let d = loadFp16(block, 0)
            let qh = loadUInt32(block, 2)
            for j in 0..<16 {
                let byte = UInt32(loadByte(block, 6 + j))
                let lo = (byte & 0x0F) | ((qh >> j) & 1) << 4
                let hi = (byte >> 4) | ((qh >> (j + 16)) & 1) << 4
                out[j] = d * Float(Int32(lo) - 16)
                out[j + 16] = d * Float(Int32(hi) - 16)
            }
        }
    }

    /// q5_1, 24 bytes → 32 floats. numpy: `(d * q) + m`; the product is exact, the sum rounds.
    static func q5_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 24
            let out = y + b * 32
            let d = loadFp16(block, 0)
            let m = loadFp16(block, 2)
            let qh = loadUInt32(block, 4)
            for j in 0..<16 {
                let byte = UInt32(loadByte(block, 8 + j))
                let lo = (byte & 0x0F) | ((qh >> j) & 1) << 4
                let hi = (byte >> 4) | ((qh >> (j + 16)) & 1) << 4
                out[j] = d * Float(lo) + m
                out[j + 16] = d * Float(hi) + m
            }
        }
    }
}
