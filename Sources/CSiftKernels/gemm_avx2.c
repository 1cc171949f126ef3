// sk_gemm_q8_0 with AVX2 (+ FMA for the fp32 chain, F16C for the weight scales).
//
// AVX2 has no VPDPBUSD. Its u8 × s8 multiply, VPMADDUBSW, adds the two products of a pair
// into int16 with saturation, and the panels' u8 weights (q + 128, up to 255) against
// activations up to ±127 would overflow it. So the weights go back to signed q (XOR 0x80) and
// the signs move to the activations (the usual sign trick):
//   |q| as u8 (0 … 128, VPABSB; 128 is q = −128's magnitude read unsigned)
//   x · sgn(q) as s8 (VPSIGNB; |x| ≤ 127, as sk_quantize_row_q8_a produces, so it never wraps)
// and VPMADDUBSW(|q|, x · sgn(q)) gives q0·x0 + q1·x1 exactly (|pair| ≤ 2 · 128 · 127 = 32512).
// A VPMADDWD with ones adds each column's two pairs into int32, and a VPADDD accumulates:
// isum = Σ q·x over the block directly, without the offset correction the unsigned kernels
// start from. The float part is the scalar reference's, per lane:
//   acc = fma((float)isum, x.d · w.d[c], acc), blocks in order, acc from 0.
//
// Per K group of 4 and 8 columns (32 weight bytes, one load): XOR + ABS once for all the
// rows, then per row a broadcast of its 4 activation bytes, SIGN, MADDUBS, MADDWD and ADD: 4
// vector operations for 32 multiply-adds, against 1 VPDPBUSD for 64 at the VNNI level.
//
// Blocking: micro-tile 4 rows × 8 columns (half a panel: 4 int32 and 4 fp32 accumulators),
// in sk_gemm_by_panels' loops: K chunks of 32 blocks, every row group over a panel before the
// next panel, so a panel's 32 blocks (16 KiB) stay in L1 for all the rows.
//
// Measured one thread on this project's Zen 4 (C harness, data in cache, GOP/s): the
// kernel this replaced (both sides widened to int16, VPMADDWD, 2 rows × 16 columns, the
// activations widened again for every panel) 101-106; this one 123-129 (4 × 896 × 896 up to
// 128 × 896 × 896, 16 × 4864 × 896, 8 × 2048 × 2048); the VNNI kernel 363-400.
#if defined(__x86_64__)

#include "kernels_avx2.h"

enum { SK_AVX2_KC = 32 };  // K blocks per chunk

/// rows × 8 outputs (rows ≤ 4, a constant wherever this is inlined), the panel's
/// columns 8h ..< 8h + 8, over K blocks [b0, b1). x: the group's row 0 at block 0, row
/// stride ldx. p: the panel (tile, block 0); ps: its 16 fp16 scales, the next block's after
/// them. y: the group's output for the panel's column 0, row stride ldy; the panel's first
/// `valid` columns (1 … 16) are stored. `first` starts the accumulators at 0 instead of
/// loading y; `exact` picks the scale product (a constant too). Half a panel at a time keeps
/// the 4 int32 and 4 fp32 accumulators, the weights and the constants in AVX2's 16 registers;
/// with 16 columns clang spilled the int32 sums inside the K loop.
static inline __attribute__((always_inline)) SK_AVX2 void
sk_avx2_micro(int rows, int exact, int h, int64_t b0, int64_t b1, int first, const sk_block_q8_a *x, int64_t ldx,
              const sk_panel_q8_0 *p, const uint16_t *ps, float *y, int64_t ldy, int64_t valid) {
    const int64_t left = valid - 8 * h;
    y += 8 * h;
    __m256 acc[SK_PANEL_GROUP_ROWS];
    for (int r = 0; r < rows; r++) acc[r] = first ? _mm256_setzero_ps() : sk_load8(y + r * ldy, left);
    const __m256i flip = _mm256_set1_epi8((char)0x80), ones = _mm256_set1_epi16(1);
    for (int64_t b = b0; b < b1; b++) {
        __m256i isum[SK_PANEL_GROUP_ROWS];
        for (int r = 0; r < rows; r++) isum[r] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            __m256i q = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)p[b].qs[g][8 * h]), flip);
            __m256i mag = _mm256_abs_epi8(q);
            for (int r = 0; r < rows; r++) {
                int32_t q4;
                memcpy(&q4, x[r * ldx + b].qs + 4 * g, 4);
                __m256i xs = _mm256_sign_epi8(_mm256_set1_epi32(q4), q);
                isum[r] = _mm256_add_epi32(isum[r], _mm256_madd_epi16(_mm256_maddubs_epi16(mag, xs), ones));
            }
            // Each group's sums complete before the next group's weights: unrolled, clang
            // otherwise went row by row, kept all 8 groups' weights live and spilled them.
            for (int r = 0; r < rows; r++) __asm__("" : "+x"(isum[r]));
        }
        __m256 wd = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(ps + b * SK_PANEL_COLS + 8 * h)));
        for (int r = 0; r < rows; r++) acc[r] = sk_scaled_block8(acc[r], isum[r], wd, x[r * ldx + b].d, exact);
    }
    for (int r = 0; r < rows; r++) sk_store8(y + r * ldy, left, acc[r]);
}

/// One row group of `rows` (1 … 4) over a panel's two halves (the second only when it has
/// columns to store), for each scale mode, so that the arrays above stay in registers and
/// the mode's branch folds away.
#define SK_AVX2_GROUP(name, exact)                                                                                        \
    static SK_AVX2 void name(int rows, int64_t b0, int64_t b1, int first, const sk_block_q8_a *x, int64_t ldx,              \
                             const sk_panel_q8_0 *p, const uint16_t *ps, float *y, int64_t ldy, int64_t valid) {           \
        for (int h = 0; h < (valid > 8 ? 2 : 1); h++) {                                                                   \
            switch (rows) {                                                                                               \
            case 4: sk_avx2_micro(4, exact, h, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                       \
            case 3: sk_avx2_micro(3, exact, h, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                       \
            case 2: sk_avx2_micro(2, exact, h, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                       \
            default: sk_avx2_micro(1, exact, h, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                      \
            }                                                                                                             \
        }                                                                                                                 \
    }
SK_AVX2_GROUP(sk_avx2_group_pow2, 0)
SK_AVX2_GROUP(sk_avx2_group_exact, 1)
#undef SK_AVX2_GROUP

SK_AVX2 void sk_gemm_q8_0_avx2(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                               const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    sk_gemm_by_panels(m, n, k, x, ldx, w, y, ldy, n0, n1, SK_AVX2_KC, mode == SK_SCALES_EXACT ? sk_avx2_group_exact : sk_avx2_group_pow2);
}

#endif
