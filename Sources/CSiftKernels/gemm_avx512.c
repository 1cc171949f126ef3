// sk_gemm_q8_0 with AVX-512 F/BW/VL/DQ, for CPUs without VNNI (Skylake-X, Cascade Lake
// without it disabled, Zen 4 with VNNI masked off). Same blocking idea and the same fp32
// chain as gemm_vnni.c; only the integer dot product differs.
//
// VPMADDUBSW would saturate on u8 weights (255 * 127 * 2 > 32767), so both sides are widened
// to int16 and VPMADDWD does the multiply: exact for any input. Per 32-block and panel half
// (8 columns × 4 k = 32 bytes → 32 int16 lanes), one VPMADDWD with the 4 activation int16
// repeated gives 16 int32 lanes holding [col c: k0·x0 + k1·x1, k2·x2 + k3·x3] pairs; the pairs
// are summed once per block by two permutes and an add.
#if defined(__x86_64__)

#include "kernels_internal.h"

#include <immintrin.h>

#define SK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

enum {
    SK_BW_ROWS = 4,   // rows per micro-tile
    SK_BW_TILES = 2,  // 16-column panels per micro-tile
    SK_BW_KC = 32,    // K blocks per chunk (bounds the activation table below)
};

/// rows × tiles outputs over K blocks [b0, b1); arguments as in gemm_vnni.c.
static inline __attribute__((always_inline)) SK_AVX512 void
sk_bw_micro(int rows, int tiles, int64_t b0, int64_t b1, int first,
            const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, const uint16_t *ws, int64_t nb,
            float *y, int64_t ldy, const __mmask16 *mask, sk_scales mode) {
    // Activations as int16, 4 per group g (one 64-bit broadcast each), and the offset
    // correction x.offset (-128 Σ q_x) placed in the low half of a 64-bit lane so that it is counted
    // once per column after the pair sums.
    int64_t xs[SK_BW_ROWS][SK_BW_KC][8];
    int64_t corr[SK_BW_ROWS][SK_BW_KC];
    for (int r = 0; r < rows; r++) {
        for (int64_t b = b0; b < b1; b++) {
            const sk_block_q8_a *xb = &x[r * ldx + b];
            _mm512_storeu_si512(xs[r][b - b0], _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)xb->qs)));
            corr[r][b - b0] = (int64_t)(uint32_t)xb->offset;
        }
    }
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    __m512 acc[SK_BW_ROWS][SK_BW_TILES];
    for (int r = 0; r < rows; r++) {
        for (int t = 0; t < tiles; t++) {
            acc[r][t] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask[t], y + r * ldy + 16 * t);
        }
    }
    for (int64_t b = b0; b < b1; b++) {
        __m512i lo[SK_BW_ROWS][SK_BW_TILES], hi[SK_BW_ROWS][SK_BW_TILES];
        for (int r = 0; r < rows; r++) {
            __m512i c = _mm512_set1_epi64(corr[r][b - b0]);
            for (int t = 0; t < tiles; t++) {
                lo[r][t] = c;
                hi[r][t] = c;
            }
        }
        for (int g = 0; g < 8; g++) {
            __m512i wlo[SK_BW_TILES], whi[SK_BW_TILES];
            for (int t = 0; t < tiles; t++) {
                const uint8_t *q = &w[t * nb + b].qs[g][0][0];
                wlo[t] = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)q));         // cols 0-7
                whi[t] = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(q + 32)));  // cols 8-15
            }
            for (int r = 0; r < rows; r++) {
                __m512i xv = _mm512_set1_epi64(xs[r][b - b0][g]);
                for (int t = 0; t < tiles; t++) {
                    lo[r][t] = _mm512_add_epi32(lo[r][t], _mm512_madd_epi16(wlo[t], xv));
                    hi[r][t] = _mm512_add_epi32(hi[r][t], _mm512_madd_epi16(whi[t], xv));
                }
            }
        }
        __m512i wd[SK_BW_TILES];
        for (int t = 0; t < tiles; t++) {
            wd[t] = _mm512_castps_si512(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(ws + (t * nb + b) * SK_PANEL_COLS))));
        }
        for (int r = 0; r < rows; r++) {
            float xd = x[r * ldx + b].d;
            __m512i xe = _mm512_set1_epi32((int32_t)(sk_f32_bits(xd) - SK_ONE_BITS));
            for (int t = 0; t < tiles; t++) {
                __m512i isum = _mm512_add_epi32(_mm512_permutex2var_epi32(lo[r][t], even, hi[r][t]),
                                                _mm512_permutex2var_epi32(lo[r][t], odd, hi[r][t]));
                __m512 scale = mode == SK_SCALES_EXACT  // sk_q8_scale_product
                    ? _mm512_mul_ps(_mm512_set1_ps(xd), _mm512_castsi512_ps(wd[t]))
                    : _mm512_castsi512_ps(_mm512_add_epi32(wd[t], xe));
                acc[r][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc[r][t]);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int t = 0; t < tiles; t++) _mm512_mask_storeu_ps(y + r * ldy + 16 * t, mask[t], acc[r][t]);
    }
}

static SK_AVX512 void
sk_bw_group(int rows, int tiles, int64_t b0, int64_t b1, int first,
            const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, const uint16_t *ws, int64_t nb,
            float *y, int64_t ldy, const __mmask16 *mask, sk_scales mode) {
    switch (rows * 8 + tiles) {
    case 4 * 8 + 2: sk_bw_micro(4, 2, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    case 3 * 8 + 2: sk_bw_micro(3, 2, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    case 2 * 8 + 2: sk_bw_micro(2, 2, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    case 1 * 8 + 2: sk_bw_micro(1, 2, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    case 4 * 8 + 1: sk_bw_micro(4, 1, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    case 3 * 8 + 1: sk_bw_micro(3, 1, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    case 2 * 8 + 1: sk_bw_micro(2, 1, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    default: sk_bw_micro(1, 1, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, mode); break;
    }
}

SK_AVX512 void sk_gemm_q8_0_avx512(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                                   const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    if (sk_gemm_without_k(m, k, y, ldy, n0, n1)) return;
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    int64_t t_begin = n0 / 16, t_end = (n1 + 15) / 16;
    int64_t chunks = (nb + SK_BW_KC - 1) / SK_BW_KC;
    for (int64_t c = 0; c < chunks; c++) {
        int64_t kb = nb * c / chunks, kb1 = nb * (c + 1) / chunks;
        for (int64_t t = t_begin; t < t_end; t += SK_BW_TILES) {
            int tiles = t_end - t < SK_BW_TILES ? (int)(t_end - t) : SK_BW_TILES;
            __mmask16 mask[SK_BW_TILES];
            for (int i = 0; i < tiles; i++) {
                int64_t valid = n1 - 16 * (t + i);
                mask[i] = valid >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << valid) - 1);
            }
            // The next column group's chunk into L2 while this one computes, as in
            // sk_gemm_by_panels.
            const int64_t groups = (m + SK_BW_ROWS - 1) / SK_BW_ROWS, tn = t + SK_BW_TILES;
            const int64_t next_tiles = groups < SK_PREFETCH_MIN_GROUPS || tn >= t_end ? 0 : t_end - tn < SK_BW_TILES ? t_end - tn : SK_BW_TILES;
            if (next_tiles) sk_prefetch_scales(scales, nb, tn, next_tiles, kb, kb1);
            for (int64_t i = 0; i < m; i += SK_BW_ROWS) {
                // The group's tiles are nb panels apart: each tile's chunk is its own run of lines.
                for (int64_t j = 0; j < next_tiles; j++) {
                    sk_prefetch_share((const char *)(w + (tn + j) * nb + kb), (kb1 - kb) * (int64_t)sizeof(sk_panel_q8_0) / 64,
                                      i / SK_BW_ROWS, groups);
                }
                int rows = m - i < SK_BW_ROWS ? (int)(m - i) : SK_BW_ROWS;
                sk_bw_group(rows, tiles, kb, kb1, c == 0, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, nb,
                            y + i * ldy + 16 * t, ldy, mask, mode);
            }
        }
    }
}

#endif
