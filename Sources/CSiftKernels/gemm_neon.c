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

#if defined(__clang__)
#define SK_DOTPROD __attribute__((target("dotprod")))
#else
#define SK_DOTPROD __attribute__((target("+dotprod")))
#endif

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

#endif
