// sk_gemm_q8_0 with AVX2 (+ FMA for the fp32 chain). Same structure as gemm_avx512.c at half
// the width: VPMADDUBSW would saturate on u8 weights, so weights and activations are widened
// to int16 and VPMADDWD multiplies them exactly. A 16-column panel group (64 bytes) is four
// 4-column chunks; each VPMADDWD leaves [col c: k0·x0 + k1·x1, k2·x2 + k3·x3] in 8 int32
// lanes, and the pairs are summed once per block (VPHADDD + a qword permute).
// Micro-tile: 2 rows × 16 columns = 8 int32 + 4 fp32 accumulators (16 ymm registers).
#if defined(__x86_64__)

#include "kernels_internal.h"

#include <immintrin.h>

#define SK_AVX2 __attribute__((target("avx2,fma,f16c")))

enum {
    SK_AVX2_ROWS = 2,
    SK_AVX2_KC = 32,  // K blocks per chunk (bounds the activation table below)
};

/// Lanes [0, valid) of 8 as an AVX2 load/store mask.
static inline SK_AVX2 __m256i sk_mask8(int64_t valid) {
    int v = valid < 0 ? 0 : valid > 8 ? 8 : (int)valid;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(v), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// [c0..c3 pairs] + [c4..c7 pairs] → c0..c7.
static inline SK_AVX2 __m256i sk_pair_sums(__m256i a, __m256i b) {
    return _mm256_permute4x64_epi64(_mm256_hadd_epi32(a, b), 0xd8);  // qwords 0, 2, 1, 3
}

/// rows × 16 outputs over K blocks [b0, b1). x: the group's row 0 at block 0, row stride ldx.
/// p: panel (tile, block 0). y: the group's first output, row stride ldy; `valid` columns
/// (1..16) are stored. `first` starts the accumulators at 0 instead of loading y.
static inline __attribute__((always_inline)) SK_AVX2 void
sk_avx2_micro(int rows, int64_t b0, int64_t b1, int first, const sk_block_q8_a *x, int64_t ldx,
              const sk_panel_q8_0 *p, const uint16_t *ps, float *y, int64_t ldy, int64_t valid, sk_scales mode) {
    // Activations as int16, 4 per group g (one 64-bit broadcast each), and the offset
    // correction x.offset (-128 Σ q_x) in the low half of a 64-bit lane (counted once per column
    // after the pair sums).
    int64_t xs[SK_AVX2_ROWS][SK_AVX2_KC][8];
    int64_t corr[SK_AVX2_ROWS][SK_AVX2_KC];
    for (int r = 0; r < rows; r++) {
        for (int64_t b = b0; b < b1; b++) {
            const sk_block_q8_a *xb = &x[r * ldx + b];
            __m256i lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)xb->qs));
            __m256i hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(xb->qs + 16)));
            _mm256_storeu_si256((__m256i *)&xs[r][b - b0][0], lo);
            _mm256_storeu_si256((__m256i *)&xs[r][b - b0][4], hi);
            corr[r][b - b0] = (int64_t)(uint32_t)xb->offset;
        }
    }
    const __m256i mlo = sk_mask8(valid), mhi = sk_mask8(valid - 8);
    __m256 acc[SK_AVX2_ROWS][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = first ? _mm256_setzero_ps() : _mm256_maskload_ps(y + r * ldy, mlo);
        acc[r][1] = first ? _mm256_setzero_ps() : _mm256_maskload_ps(y + r * ldy + 8, mhi);
    }
    for (int64_t b = b0; b < b1; b++) {
        __m256i part[SK_AVX2_ROWS][4];
        for (int r = 0; r < rows; r++) {
            __m256i c = _mm256_set1_epi64x(corr[r][b - b0]);
            for (int q = 0; q < 4; q++) part[r][q] = c;
        }
        for (int g = 0; g < 8; g++) {
            for (int q = 0; q < 4; q++) {
                __m256i wv = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)&p[b].qs[g][4 * q][0]));
                for (int r = 0; r < rows; r++) {
                    __m256i xv = _mm256_set1_epi64x(xs[r][b - b0][g]);
                    part[r][q] = _mm256_add_epi32(part[r][q], _mm256_madd_epi16(wv, xv));
                }
            }
        }
        __m256i wd0 = _mm256_castps_si256(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(ps + b * SK_PANEL_COLS))));
        __m256i wd1 = _mm256_castps_si256(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(ps + b * SK_PANEL_COLS + 8))));
        for (int r = 0; r < rows; r++) {
            // x.d · w.d as sk_q8_scale_product: a product, or x.d's exponent added to w.d's.
            __m256 s0, s1;
            if (mode == SK_SCALES_EXACT) {
                __m256 xd = _mm256_set1_ps(x[r * ldx + b].d);
                s0 = _mm256_mul_ps(xd, _mm256_castsi256_ps(wd0));
                s1 = _mm256_mul_ps(xd, _mm256_castsi256_ps(wd1));
            } else {
                __m256i xe = _mm256_set1_epi32((int32_t)(sk_f32_bits(x[r * ldx + b].d) - SK_ONE_BITS));
                s0 = _mm256_castsi256_ps(_mm256_add_epi32(wd0, xe));
                s1 = _mm256_castsi256_ps(_mm256_add_epi32(wd1, xe));
            }
            __m256i isum0 = sk_pair_sums(part[r][0], part[r][1]);
            __m256i isum1 = sk_pair_sums(part[r][2], part[r][3]);
            acc[r][0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum0), s0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum1), s1, acc[r][1]);
        }
    }
    for (int r = 0; r < rows; r++) {
        _mm256_maskstore_ps(y + r * ldy, mlo, acc[r][0]);
        _mm256_maskstore_ps(y + r * ldy + 8, mhi, acc[r][1]);
    }
}

SK_AVX2 void sk_gemm_q8_0_avx2(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                               const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    int64_t t_begin = n0 / 16, t_end = (n1 + 15) / 16;
    if (nb == 0) {
        for (int64_t i = 0; i < m; i++) memset(y + i * ldy + n0, 0, sizeof(float) * (size_t)(n1 - n0));
        return;
    }
    int64_t chunks = (nb + SK_AVX2_KC - 1) / SK_AVX2_KC;
    for (int64_t c = 0; c < chunks; c++) {
        int64_t kb = nb * c / chunks, kb1 = nb * (c + 1) / chunks;
        for (int64_t t = t_begin; t < t_end; t++) {
            int64_t valid = n1 - 16 * t;
            for (int64_t i = 0; i < m; i += SK_AVX2_ROWS) {
                const sk_block_q8_a *xi = x + i * ldx;
                float *yi = y + i * ldy + 16 * t;
                if (m - i >= 2) {
                    sk_avx2_micro(2, kb, kb1, c == 0, xi, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, yi, ldy, valid, mode);
                } else {
                    sk_avx2_micro(1, kb, kb1, c == 0, xi, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, yi, ldy, valid, mode);
                }
            }
        }
    }
}

#endif
