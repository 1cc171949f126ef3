// sk_gemm_q8_0 on AArch64: plain Advanced SIMD and the dot-product (SDOT) variant.
//
// The packed weights hold q + 128 as u8; XOR 0x80 turns them back into the signed q, so
// both variants compute isum = Σ q_w q_x directly and do not use x.offset. A 16-column panel
// group (64 bytes) is four 16-byte chunks of 4 columns × 4 k:
//   SDOT:  vdotq_s32(acc, chunk, x[4g..4g+3] in every lane) → one int32 per column.
//   plain: SMULL of 8 bytes (2 columns × 4 k) by x[4g..4g+3] twice → int16 products
//          (exact, |q·q| ≤ 16384), SADALP pair-adds them into int32 [c: k01, k23] lanes,
//          and one ADDP per block and chunk finishes the column sums.
// The fp32 chain is the scalar one per lane: acc = fma((float)isum, x.d * w.d[c], acc), with
// x.d * w.d formed as sk_q8_scale_product does.
// Micro-tile: 2 rows × 16 columns; NEON has no masked stores, so a partial last tile goes
// through a 16-float buffer.
#if defined(__aarch64__)

#include "kernels_internal.h"

#include <arm_neon.h>
#include <stddef.h>

enum { SK_NEON_ROWS = 2 };

/// Stores `valid` (1..16) columns of one row of accumulators.
static inline void sk_acc_store(const float32x4_t acc[4], float *y, int64_t valid) {
    if (valid >= 16) {
        for (int q = 0; q < 4; q++) vst1q_f32(y + 4 * q, acc[q]);
        return;
    }
    float buf[16];
    for (int q = 0; q < 4; q++) vst1q_f32(buf + 4 * q, acc[q]);
    memcpy(y, buf, sizeof(float) * (size_t)valid);
}

/// acc[q] = fma(cvt(isum[q]), x.d * w.d[4q..4q+3], acc[q]) for the 4 column chunks, w.d
/// the panel's fp16 scales, the product formed as sk_q8_scale_product does for `mode` (an
/// add to w.d's exponent, or an fp32 multiply).
static inline void sk_fp32_step(float32x4_t acc[4], const int32x4_t isum[4], float xd, const uint16_t *wd, sk_scales mode) {
    uint32x4_t xe = vdupq_n_u32(sk_f32_bits(xd) - SK_ONE_BITS);
    for (int q = 0; q < 4; q++) {
        float32x4_t w = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(wd + 4 * q)));
        float32x4_t scale = mode == SK_SCALES_EXACT ? vmulq_n_f32(w, xd) : vreinterpretq_f32_u32(vaddq_u32(vreinterpretq_u32_f32(w), xe));
        acc[q] = vfmaq_f32(acc[q], vcvtq_f32_s32(isum[q]), scale);
    }
}

// MARK: - Plain Advanced SIMD

static inline __attribute__((always_inline)) void
sk_neon_micro(int rows, int64_t nb, const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *p, const uint16_t *ps, sk_scales mode,
              float *y, int64_t ldy, int64_t valid) {
    float32x4_t acc[SK_NEON_ROWS][4];
    for (int r = 0; r < rows; r++) {
        for (int q = 0; q < 4; q++) acc[r][q] = vdupq_n_f32(0.0f);
    }
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int64_t b = 0; b < nb; b++) {
        int32x4_t lo[SK_NEON_ROWS][4], hi[SK_NEON_ROWS][4];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < 4; q++) lo[r][q] = hi[r][q] = vdupq_n_s32(0);
        }
        for (int g = 0; g < 8; g++) {
            int8x8_t xv[SK_NEON_ROWS];
            for (int r = 0; r < rows; r++) {
                int32_t q4;
                memcpy(&q4, x[r * ldx + b].qs + 4 * g, 4);
                xv[r] = vreinterpret_s8_s32(vdup_n_s32(q4));  // x0..x3 x0..x3
            }
            for (int q = 0; q < 4; q++) {
                int8x16_t wq = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(&p[b].qs[g][4 * q][0]), flip));
                for (int r = 0; r < rows; r++) {
                    lo[r][q] = vpadalq_s16(lo[r][q], vmull_s8(vget_low_s8(wq), xv[r]));
                    hi[r][q] = vpadalq_s16(hi[r][q], vmull_s8(vget_high_s8(wq), xv[r]));
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int32x4_t isum[4];
            for (int q = 0; q < 4; q++) isum[q] = vpaddq_s32(lo[r][q], hi[r][q]);
            sk_fp32_step(acc[r], isum, x[r * ldx + b].d, ps + b * SK_PANEL_COLS, mode);
        }
    }
    for (int r = 0; r < rows; r++) sk_acc_store(acc[r], y + r * ldy, valid);
}

void sk_gemm_q8_0_neon(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                       const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    for (int64_t t = n0 / 16; t < (n1 + 15) / 16; t++) {
        int64_t valid = n1 - 16 * t;
        for (int64_t i = 0; i < m; i += SK_NEON_ROWS) {
            if (m - i >= 2) {
                sk_neon_micro(2, nb, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, mode, y + i * ldy + 16 * t, ldy, valid);
            } else {
                sk_neon_micro(1, nb, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, mode, y + i * ldy + 16 * t, ldy, valid);
            }
        }
    }
}

// MARK: - Dot product (SDOT)

static inline __attribute__((always_inline)) SK_DOTPROD void
sk_neondot_micro(int rows, int64_t nb, const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *p, const uint16_t *ps, sk_scales mode,
                 float *y, int64_t ldy, int64_t valid) {
    float32x4_t acc[SK_NEON_ROWS][4];
    for (int r = 0; r < rows; r++) {
        for (int q = 0; q < 4; q++) acc[r][q] = vdupq_n_f32(0.0f);
    }
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int64_t b = 0; b < nb; b++) {
        int32x4_t isum[SK_NEON_ROWS][4];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < 4; q++) isum[r][q] = vdupq_n_s32(0);
        }
        for (int g = 0; g < 8; g++) {
            int8x16_t xv[SK_NEON_ROWS];
            for (int r = 0; r < rows; r++) {
                int32_t q4;
                memcpy(&q4, x[r * ldx + b].qs + 4 * g, 4);
                xv[r] = vreinterpretq_s8_s32(vdupq_n_s32(q4));
            }
            for (int q = 0; q < 4; q++) {
                int8x16_t wq = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(&p[b].qs[g][4 * q][0]), flip));
                for (int r = 0; r < rows; r++) isum[r][q] = vdotq_s32(isum[r][q], wq, xv[r]);
            }
        }
        for (int r = 0; r < rows; r++) sk_fp32_step(acc[r], isum[r], x[r * ldx + b].d, ps + b * SK_PANEL_COLS, mode);
    }
    for (int r = 0; r < rows; r++) sk_acc_store(acc[r], y + r * ldy, valid);
}

SK_DOTPROD void sk_gemm_q8_0_neondot(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                                     const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    for (int64_t t = n0 / 16; t < (n1 + 15) / 16; t++) {
        int64_t valid = n1 - 16 * t;
        for (int64_t i = 0; i < m; i += SK_NEON_ROWS) {
            if (m - i >= 2) {
                sk_neondot_micro(2, nb, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, mode, y + i * ldy + 16 * t, ldy, valid);
            } else {
                sk_neondot_micro(1, nb, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, mode, y + i * ldy + 16 * t, ldy, valid);
            }
        }
    }
}

// MARK: - Matrix multiply (USMMLA, FEAT_I8MM)
//
// USMMLA multiplies a 2 × 8 u8 matrix by the transpose of a 2 × 8 s8 one into a 2 × 2 int32
// tile: 32 multiply-adds an instruction where SDOT makes 16. The u8 operand is two weight
// columns over 8 consecutive k, stored as q + 128, so the sums start from x.offset as the
// x86 VNNI kernel's do, and no XOR is needed. The panel holds 4 k per column and chunk, so
// ZIP1/ZIP2 of 32-bit lanes over the chunks of k groups 2h and 2h + 1 make the operands of
// column pairs (0, 1) and (2, 3); ZIP1/ZIP2 of 64-bit lanes over two rows' quants make the
// s8 operand [r0 k8h..8h+7 | r1 k8h..8h+7]. A tile lane order is [c0 r0, c0 r1, c1 r0, c1 r1];
// the fp32 chain keeps it (scales built as [w.d c0, c0, c1, c1] and [x.d r0, r1, r0, r1]), one
// fma per lane and block as in the scalar reference, and UZP1/UZP2 turn it into rows at the
// store.
// Micro-tile: 4 rows (two row pairs) × 8 columns (half a panel), 8 int32 and 8 fp32
// accumulators. A pair with one real row repeats it and drops the copy at the store.

enum { SK_I8MM_ROWS = 4 };

/// Stores `valid` (1..8) columns of row pair `pair`'s row `second` from tile accumulators
/// acc[pair][0..3] (column pairs).
static inline void sk_tile_store(const float32x4_t acc[4], int second, float *y, int64_t valid) {
    float32x4_t lo = second ? vuzp2q_f32(acc[0], acc[1]) : vuzp1q_f32(acc[0], acc[1]);
    float32x4_t hi = second ? vuzp2q_f32(acc[2], acc[3]) : vuzp1q_f32(acc[2], acc[3]);
    if (valid >= 8) {
        vst1q_f32(y, lo);
        vst1q_f32(y + 4, hi);
        return;
    }
    float buf[8];
    vst1q_f32(buf, lo);
    vst1q_f32(buf + 4, hi);
    memcpy(y, buf, sizeof(float) * (size_t)valid);
}

/// An activation block's first 8 bytes as two lanes: [d's bits, offset].
static inline int32x2_t sk_block_head(const sk_block_q8_a *x) {
    _Static_assert(offsetof(sk_block_q8_a, offset) == 4, "offset follows d");
    return vld1_s32((const int32_t *)x);
}

/// Rows xr[0..2 pairs) of a row group (a pair's second row may repeat its first) times
/// columns 8 half ..< 8 half + 8 of panel row `p` (nb blocks), all K, into y.
static inline __attribute__((always_inline)) SK_I8MM void
sk_i8mm_micro(int pairs, const sk_block_q8_a *const xr[SK_I8MM_ROWS], int rows, int64_t nb, const sk_panel_q8_0 *p,
              const uint16_t *ps, int half, sk_scales mode, float *y, int64_t ldy, int64_t valid) {
    float32x4_t acc[2][4];
    for (int r = 0; r < pairs; r++) {
        for (int c = 0; c < 4; c++) acc[r][c] = vdupq_n_f32(0.0f);
    }
    for (int64_t b = 0; b < nb; b++) {
        int32x4_t isum[2][4];
        for (int r = 0; r < pairs; r++) {
            int32x2_t off = vzip2_s32(sk_block_head(&xr[2 * r][b]), sk_block_head(&xr[2 * r + 1][b]));
            for (int c = 0; c < 4; c++) isum[r][c] = vcombine_s32(off, off);
        }
        for (int hh = 0; hh < 2; hh++) {  // k 16 hh ..< 16 hh + 16
            int8x16_t xo[2][2];
            for (int r = 0; r < pairs; r++) {
                int64x2_t a = vreinterpretq_s64_s8(vld1q_s8(xr[2 * r][b].qs + 16 * hh));
                int64x2_t c = vreinterpretq_s64_s8(vld1q_s8(xr[2 * r + 1][b].qs + 16 * hh));
                xo[r][0] = vreinterpretq_s8_s64(vzip1q_s64(a, c));
                xo[r][1] = vreinterpretq_s8_s64(vzip2q_s64(a, c));
            }
            for (int h = 0; h < 2; h++) {
                const int g = 4 * hh + 2 * h;
                uint32x4_t lo0 = vreinterpretq_u32_u8(vld1q_u8(&p[b].qs[g][8 * half][0]));
                uint32x4_t lo1 = vreinterpretq_u32_u8(vld1q_u8(&p[b].qs[g + 1][8 * half][0]));
                uint32x4_t hi0 = vreinterpretq_u32_u8(vld1q_u8(&p[b].qs[g][8 * half + 4][0]));
                uint32x4_t hi1 = vreinterpretq_u32_u8(vld1q_u8(&p[b].qs[g + 1][8 * half + 4][0]));
                uint8x16_t w[4] = {
                    vreinterpretq_u8_u32(vzip1q_u32(lo0, lo1)), vreinterpretq_u8_u32(vzip2q_u32(lo0, lo1)),
                    vreinterpretq_u8_u32(vzip1q_u32(hi0, hi1)), vreinterpretq_u8_u32(vzip2q_u32(hi0, hi1)),
                };
                for (int r = 0; r < pairs; r++) {
                    for (int c = 0; c < 4; c++) isum[r][c] = vusmmlaq_s32(isum[r][c], w[c], xo[r][h]);
                }
            }
        }
        const uint16_t *wd16 = ps + b * SK_PANEL_COLS + 8 * half;
        float32x4_t wlo = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(wd16)));
        float32x4_t whi = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(wd16 + 4)));
        float32x4_t wd[4] = {vzip1q_f32(wlo, wlo), vzip2q_f32(wlo, wlo), vzip1q_f32(whi, whi), vzip2q_f32(whi, whi)};
        for (int r = 0; r < pairs; r++) {
            int32x2_t d = vzip1_s32(sk_block_head(&xr[2 * r][b]), sk_block_head(&xr[2 * r + 1][b]));
            float32x4_t xd = vreinterpretq_f32_s32(vcombine_s32(d, d));
            uint32x4_t xe = vsubq_u32(vreinterpretq_u32_f32(xd), vdupq_n_u32(SK_ONE_BITS));
            for (int c = 0; c < 4; c++) {
                float32x4_t scale = mode == SK_SCALES_EXACT ? vmulq_f32(xd, wd[c])
                                                            : vreinterpretq_f32_u32(vaddq_u32(vreinterpretq_u32_f32(wd[c]), xe));
                acc[r][c] = vfmaq_f32(acc[r][c], vcvtq_f32_s32(isum[r][c]), scale);
            }
        }
    }
    for (int i = 0; i < rows; i++) sk_tile_store(acc[i / 2], i % 2, y + i * ldy, valid);
}

SK_I8MM void sk_gemm_q8_0_i8mm(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                               const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    if (sk_gemm_without_k(m, k, y, ldy, n0, n1)) return;
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    for (int64_t t = n0 / 16; t < (n1 + 15) / 16; t++) {
        for (int half = 0; half < 2; half++) {
            int64_t valid = n1 - 16 * t - 8 * half;
            if (valid <= 0) break;
            const sk_panel_q8_0 *p = w + t * nb;
            const uint16_t *ps = scales + t * nb * SK_PANEL_COLS;
            float *yt = y + 16 * t + 8 * half;
            for (int64_t i = 0; i < m; i += SK_I8MM_ROWS) {
                int rows = m - i < SK_I8MM_ROWS ? (int)(m - i) : SK_I8MM_ROWS;
                const sk_block_q8_a *xr[SK_I8MM_ROWS];
                for (int r = 0; r < SK_I8MM_ROWS; r++) xr[r] = x + (i + (r < rows ? r : rows - 1)) * ldx;
                // Constant pair counts and modes, so that each call is its own unrolled loop.
                if (rows > 2 && mode == SK_SCALES_EXACT) {
                    sk_i8mm_micro(2, xr, rows, nb, p, ps, half, SK_SCALES_EXACT, yt + i * ldy, ldy, valid);
                } else if (rows > 2) {
                    sk_i8mm_micro(2, xr, rows, nb, p, ps, half, SK_SCALES_POW2, yt + i * ldy, ldy, valid);
                } else if (mode == SK_SCALES_EXACT) {
                    sk_i8mm_micro(1, xr, rows, nb, p, ps, half, SK_SCALES_EXACT, yt + i * ldy, ldy, valid);
                } else {
                    sk_i8mm_micro(1, xr, rows, nb, p, ps, half, SK_SCALES_POW2, yt + i * ldy, ldy, valid);
                }
            }
        }
    }
}

#endif
