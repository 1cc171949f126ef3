// sk_gemm_q8_0 on AArch64: plain Advanced SIMD, the dot product (SDOT) and the int8 matrix
// multiply (USMMLA).
//
// The packed weights hold q + 128 as u8; XOR 0x80 turns them back into the signed q, so
// the plain and SDOT kernels compute isum = Σ q_w q_x directly and do not use x.offset. A
// 16-column panel group (64 bytes) is four 16-byte chunks of 4 columns × 4 k:
//   SDOT:  vdotq_laneq_s32(acc, chunk, x[4g'..4g'+15], g) → one int32 per column.
//   plain: SMULL of 8 bytes (2 columns × 4 k) by x[4g..4g+3] twice → int16 products,
//          SMLAL adds group g + 1's (exact: |q_w| ≤ 128 and |q_x| ≤ 127, so two products
//          stay within ±32512), SADALP pair-adds them into int32 [c: k01, k23] lanes, and one
//          ADDP per block and chunk finishes the column sums.
// The fp32 chain is the scalar one per lane: acc = fma((float)isum, x.d * w.d[c], acc), with
// x.d * w.d formed as sk_q8_scale_product does.
// NEON has no masked stores, so a partial last tile goes through a float buffer (every
// kernel here).
#if defined(__aarch64__)

#include "kernels_internal.h"

#include <arm_neon.h>
#include <stddef.h>

enum { SK_NEON_ROWS = 2 };

/// Stores `valid` (1..8) columns of one row, columns 0-3 in lo and 4-7 in hi.
static inline void sk_row8_store(float32x4_t lo, float32x4_t hi, float *y, int64_t valid) {
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

// MARK: - Plain Advanced SIMD
//
// Micro-tile: 2 rows × 8 columns (half a panel, chunks 2h and 2h + 1): 8 int32 [k01, k23]
// accumulators and 4 fp32 ones. With the whole panel (16 and 8) clang spilled and copied
// accumulators inside the K loop. llvm-mca (LLVM 19, Cortex-A72 model): 186 cycles per 1024
// multiply-adds, 221 for the 16-column tile without SMLAL before it.

/// `rows` (1 or 2) rows from x times columns 8 h ..< 8 h + 8 of panel row `p` (nb blocks).
static inline __attribute__((always_inline)) void
sk_neon_micro(int rows, int h, int64_t nb, const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *p, const uint16_t *ps,
              sk_scales mode, float *y, int64_t ldy, int64_t valid) {
    float32x4_t acc[SK_NEON_ROWS][2];
    for (int r = 0; r < rows; r++) acc[r][0] = acc[r][1] = vdupq_n_f32(0.0f);
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int64_t b = 0; b < nb; b++) {
        int32x4_t lo[SK_NEON_ROWS][2], hi[SK_NEON_ROWS][2];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < 2; q++) lo[r][q] = hi[r][q] = vdupq_n_s32(0);
        }
        for (int g = 0; g < 8; g += 2) {
            int8x8_t xv[SK_NEON_ROWS][2];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < 2; j++) {
                    int32_t q4;
                    memcpy(&q4, x[r * ldx + b].qs + 4 * (g + j), 4);
                    xv[r][j] = vreinterpret_s8_s32(vdup_n_s32(q4));  // x0..x3 x0..x3
                }
            }
            for (int q = 0; q < 2; q++) {
                int8x16_t w0 = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(&p[b].qs[g][8 * h + 4 * q][0]), flip));
                int8x16_t w1 = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(&p[b].qs[g + 1][8 * h + 4 * q][0]), flip));
                for (int r = 0; r < rows; r++) {
                    // Two groups' products summed in int16 (|2 · 128 · 127| < 2^15), then
                    // pair-added into int32: 3 instructions per 16 multiply-adds instead of 4.
                    int16x8_t plo = vmlal_s8(vmull_s8(vget_low_s8(w0), xv[r][0]), vget_low_s8(w1), xv[r][1]);
                    int16x8_t phi = vmlal_s8(vmull_s8(vget_high_s8(w0), xv[r][0]), vget_high_s8(w1), xv[r][1]);
                    lo[r][q] = vpadalq_s16(lo[r][q], plo);
                    hi[r][q] = vpadalq_s16(hi[r][q], phi);
                }
            }
        }
        // acc = fma(cvt(isum), x.d * w.d, acc) per lane, the scale formed as
        // sk_q8_scale_product does for `mode` (an add to w.d's exponent, or a multiply).
        const uint16_t *wd = ps + b * SK_PANEL_COLS + 8 * h;
        for (int r = 0; r < rows; r++) {
            const float xd = x[r * ldx + b].d;
            const uint32x4_t xe = vdupq_n_u32(sk_f32_bits(xd) - SK_ONE_BITS);
            for (int q = 0; q < 2; q++) {
                float32x4_t w = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(wd + 4 * q)));
                float32x4_t scale = mode == SK_SCALES_EXACT ? vmulq_n_f32(w, xd) : vreinterpretq_f32_u32(vaddq_u32(vreinterpretq_u32_f32(w), xe));
                acc[r][q] = vfmaq_f32(acc[r][q], vcvtq_f32_s32(vpaddq_s32(lo[r][q], hi[r][q])), scale);
            }
        }
    }
    for (int r = 0; r < rows; r++) sk_row8_store(acc[r][0], acc[r][1], y + r * ldy, valid);
}

/// The GEMM for one scale mode (a constant wherever this is inlined, as are the row counts
/// below, so that each micro-kernel call is its own unrolled loop).
static inline __attribute__((always_inline)) void
sk_neon_gemm(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, float *y, int64_t ldy,
             int64_t n0, int64_t n1, sk_scales mode) {
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    for (int64_t t = n0 / 16; t < (n1 + 15) / 16; t++) {
        const int64_t valid = n1 - 16 * t;
        const sk_panel_q8_0 *p = w + t * nb;
        const uint16_t *ps = scales + t * nb * SK_PANEL_COLS;
        for (int64_t i = 0; i < m; i += SK_NEON_ROWS) {
            for (int h = 0; h < 2 && 8 * h < valid; h++) {
                float *yh = y + i * ldy + 16 * t + 8 * h;
                if (m - i >= 2) {
                    sk_neon_micro(2, h, nb, x + i * ldx, ldx, p, ps, mode, yh, ldy, valid - 8 * h);
                } else {
                    sk_neon_micro(1, h, nb, x + i * ldx, ldx, p, ps, mode, yh, ldy, valid - 8 * h);
                }
            }
        }
    }
}

void sk_gemm_q8_0_neon(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                       const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    if (sk_gemm_without_k(m, k, y, ldy, n0, n1)) return;
    if (mode == SK_SCALES_EXACT) {
        sk_neon_gemm(m, n, k, x, ldx, w, y, ldy, n0, n1, SK_SCALES_EXACT);
    } else {
        sk_neon_gemm(m, n, k, x, ldx, w, y, ldy, n0, n1, SK_SCALES_POW2);
    }
}

// MARK: - Dot product (SDOT)
//
// Micro-tile: up to 8 rows × 4 columns (one chunk of the panel), so that each weight chunk's
// XOR serves 8 SDOTs (the 2 × 16 tile this replaced gave it 2), and the SDOT by
// element takes x[4g..4g+3] from lane g of the row's 16 loaded quants, with no broadcast.
// A block of 8 rows is 64 SDOTs, 8 XORs and 16 + 8 loads; the fp32 step per row is one
// scale vector (the chunk's 4 w.d and the row's x.d), a conversion and an fma. Not timed (no
// AArch64 CPU here); LLVM 19's scheduling models (llvm-mca, clang's code for one block, cycles
// per 1024 multiply-adds, power-of-two scales) give 59 on Neoverse N1, 29 on V1, 38 on Apple
// M1, against 84, 43 and 52 for the 2 × 16 tile with broadcasts it replaced.

enum { SK_NEONDOT_ROWS = 8 };

/// Stores `valid` (1..4) columns of one row.
static inline void sk_quad_store(float32x4_t acc, float *y, int64_t valid) {
    if (valid >= 4) {
        vst1q_f32(y, acc);
        return;
    }
    float buf[4];
    vst1q_f32(buf, acc);
    memcpy(y, buf, sizeof(float) * (size_t)valid);
}

/// `rows` rows from x times chunk q (columns 4 q ..< 4 q + 4) of panel row `p` (nb blocks).
static inline __attribute__((always_inline)) SK_DOTPROD void
sk_neondot_micro(int rows, int64_t nb, const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *p, const uint16_t *ps, int q,
                 sk_scales mode, float *y, int64_t ldy, int64_t valid) {
    float32x4_t acc[SK_NEONDOT_ROWS];
    for (int r = 0; r < rows; r++) acc[r] = vdupq_n_f32(0.0f);
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int64_t b = 0; b < nb; b++) {
        int32x4_t isum[SK_NEONDOT_ROWS];
        for (int r = 0; r < rows; r++) isum[r] = vdupq_n_s32(0);
        for (int hh = 0; hh < 2; hh++) {  // k 16 hh ..< 16 hh + 16
            int8x16_t xv[SK_NEONDOT_ROWS];
            for (int r = 0; r < rows; r++) xv[r] = vld1q_s8(x[r * ldx + b].qs + 16 * hh);
            for (int g = 0; g < 4; g++) {
                int8x16_t wq = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(&p[b].qs[4 * hh + g][4 * q][0]), flip));
                for (int r = 0; r < rows; r++) {
                    switch (g) {  // the lane must be a constant
                    case 0: isum[r] = vdotq_laneq_s32(isum[r], wq, xv[r], 0); break;
                    case 1: isum[r] = vdotq_laneq_s32(isum[r], wq, xv[r], 1); break;
                    case 2: isum[r] = vdotq_laneq_s32(isum[r], wq, xv[r], 2); break;
                    default: isum[r] = vdotq_laneq_s32(isum[r], wq, xv[r], 3); break;
                    }
                }
            }
        }
        float32x4_t wd = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(ps + b * SK_PANEL_COLS + 4 * q)));
        for (int r = 0; r < rows; r++) {
            float xd = x[r * ldx + b].d;
            float32x4_t scale = mode == SK_SCALES_EXACT
                                    ? vmulq_n_f32(wd, xd)
                                    : vreinterpretq_f32_u32(vaddq_u32(vreinterpretq_u32_f32(wd), vdupq_n_u32(sk_f32_bits(xd) - SK_ONE_BITS)));
            acc[r] = vfmaq_f32(acc[r], vcvtq_f32_s32(isum[r]), scale);
        }
    }
    for (int r = 0; r < rows; r++) sk_quad_store(acc[r], y + r * ldy, valid);
}

/// The GEMM for one scale mode, constant like the row counts where this is inlined.
static inline __attribute__((always_inline)) SK_DOTPROD void
sk_neondot_gemm(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, float *y,
                int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    for (int64_t t = n0 / 16; t < (n1 + 15) / 16; t++) {
        const int64_t valid = n1 - 16 * t;
        const sk_panel_q8_0 *p = w + t * nb;
        const uint16_t *ps = scales + t * nb * SK_PANEL_COLS;
        float *yt = y + 16 * t;
        // Row groups outside, chunks inside: a group's rows and the panel stay in L1.
        for (int64_t i = 0; i < m;) {
            const int64_t left = m - i;
            const int rows = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
            const sk_block_q8_a *xi = x + i * ldx;
            for (int q = 0; q < 4 && 4 * q < valid; q++) {
                float *yq = yt + 4 * q + i * ldy;
                switch (rows) {
                case 8: sk_neondot_micro(8, nb, xi, ldx, p, ps, q, mode, yq, ldy, valid - 4 * q); break;
                case 4: sk_neondot_micro(4, nb, xi, ldx, p, ps, q, mode, yq, ldy, valid - 4 * q); break;
                case 2: sk_neondot_micro(2, nb, xi, ldx, p, ps, q, mode, yq, ldy, valid - 4 * q); break;
                default: sk_neondot_micro(1, nb, xi, ldx, p, ps, q, mode, yq, ldy, valid - 4 * q); break;
                }
            }
            i += rows;
        }
    }
}

SK_DOTPROD void sk_gemm_q8_0_neondot(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                                     const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    if (sk_gemm_without_k(m, k, y, ldy, n0, n1)) return;
    if (mode == SK_SCALES_EXACT) {
        sk_neondot_gemm(m, n, k, x, ldx, w, y, ldy, n0, n1, SK_SCALES_EXACT);
    } else {
        sk_neondot_gemm(m, n, k, x, ldx, w, y, ldy, n0, n1, SK_SCALES_POW2);
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
// llvm-mca (LLVM 19), cycles per 1024 multiply-adds, power-of-two / exact scales: 30 / 28 on
// Neoverse V1 and V2, 61 / 57 on N2, against the SDOT kernel's 29 / 29, 28 / 27 and 60 / 58,
// which is why detection takes that one (dispatch.c). Its 32 USMMLA take 8 of those cycles on
// V1; the 32 ZIPs and the fp32 step take most of the rest (without the weights' ZIPs, which a
// panel layout of 8 k per column would save, the model gives 24 with exact scales).

enum { SK_I8MM_ROWS = 4 };

/// Stores `valid` (1..8) columns of one row of a row pair (`second`: its second row) from
/// the pair's tile accumulators acc[0..3] (column pairs).
static inline void sk_tile_store(const float32x4_t acc[4], int second, float *y, int64_t valid) {
    float32x4_t lo = second ? vuzp2q_f32(acc[0], acc[1]) : vuzp1q_f32(acc[0], acc[1]);
    float32x4_t hi = second ? vuzp2q_f32(acc[2], acc[3]) : vuzp1q_f32(acc[2], acc[3]);
    sk_row8_store(lo, hi, y, valid);
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
        const int64_t valid = n1 - 16 * t;
        const sk_panel_q8_0 *p = w + t * nb;
        const uint16_t *ps = scales + t * nb * SK_PANEL_COLS;
        float *yt = y + 16 * t;
        // Row groups outside, panel halves inside: a group's rows and the panel stay in L1.
        for (int64_t i = 0; i < m; i += SK_I8MM_ROWS) {
            int rows = m - i < SK_I8MM_ROWS ? (int)(m - i) : SK_I8MM_ROWS;
            const sk_block_q8_a *xr[SK_I8MM_ROWS];
            for (int r = 0; r < SK_I8MM_ROWS; r++) xr[r] = x + (i + (r < rows ? r : rows - 1)) * ldx;
            for (int half = 0; half < 2 && 8 * half < valid; half++) {
                float *yh = yt + 8 * half + i * ldy;
                // Constant pair counts and modes, so that each call is its own unrolled loop.
                if (rows > 2 && mode == SK_SCALES_EXACT) {
                    sk_i8mm_micro(2, xr, rows, nb, p, ps, half, SK_SCALES_EXACT, yh, ldy, valid - 8 * half);
                } else if (rows > 2) {
                    sk_i8mm_micro(2, xr, rows, nb, p, ps, half, SK_SCALES_POW2, yh, ldy, valid - 8 * half);
                } else if (mode == SK_SCALES_EXACT) {
                    sk_i8mm_micro(1, xr, rows, nb, p, ps, half, SK_SCALES_EXACT, yh, ldy, valid - 8 * half);
                } else {
                    sk_i8mm_micro(1, xr, rows, nb, p, ps, half, SK_SCALES_POW2, yh, ldy, valid - 8 * half);
                }
            }
        }
    }
}

#endif
