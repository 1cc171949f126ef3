// The body of gemm_avxvnni.c's kernel, included once per encoding of the 256-bit VPDPBUSD.
// The including file defines:
//   SK_DP8_TARGET          the target attribute (AVX2 + FMA + F16C + the VPDPBUSD feature)
//   SK_DP8(acc, u8, s8)    acc + the 4-products of u8 weights and s8 activations, per lane
//   SK_DP8_NAME(name)      name with the encoding's suffix
// and gets SK_DP8_NAME(sk_gemm_q8_0)(…), an sk_gemm_q8_0 for its level.
//
// One VPDPBUSD multiplies half a panel's group (8 columns × 4 k, u8 = q + 128) by 4
// activation bytes broadcast to every lane and adds the 4-products to 8 int32 sums. As in
// gemm_vnni.c, each sum starts at x.offset = -128 Σ q_x, which removes the weights' +128:
// isum = Σ q_w q_x exactly; the float part is the scalar reference's, per lane:
//   acc = fma((float)isum, x.d · w.d[c], acc), blocks in order, acc from 0.
//
// Micro-tile: 4 rows × a whole panel (two 8-column halves), 8 int32 chains. 256-bit VPDPBUSD
// has a latency of 4-5 cycles at 2 a cycle on the cores that have AVX-VNNI (Alder Lake and
// later, Sierra Forest), so 8 chains keep it at least 80% busy; 4 rows × half a panel, as
// the AVX2 kernel has, would keep 4. With the two weight vectors and the activation
// broadcast that is 11 of AVX2's 16 registers; the 8 fp32 sums, touched once per block,
// are what the compiler keeps in memory. Loops: sk_gemm_by_panels, K chunks of 32 blocks.

enum { SK_DP8_NAME(SK_DP8_KC) = 32 };

/// rows × (8 · halves) outputs of one panel (rows ≤ 4 and halves ≤ 2, constants wherever
/// this is inlined) over K blocks [b0, b1); arguments as for sk_panel_group.
static inline __attribute__((always_inline)) SK_DP8_TARGET void
SK_DP8_NAME(sk_dp8_micro)(int rows, int halves, int exact, int64_t b0, int64_t b1, int first, const sk_block_q8_a *x,
                          int64_t ldx, const sk_panel_q8_0 *p, const uint16_t *ps, float *y, int64_t ldy, int64_t valid) {
    __m256 acc[SK_PANEL_GROUP_ROWS][2];
    for (int r = 0; r < rows; r++) {
        for (int h = 0; h < halves; h++) acc[r][h] = first ? _mm256_setzero_ps() : sk_load8(y + r * ldy + 8 * h, valid - 8 * h);
    }
    for (int64_t b = b0; b < b1; b++) {
        __m256i isum[SK_PANEL_GROUP_ROWS][2];
        for (int r = 0; r < rows; r++) {
            __m256i offset = _mm256_set1_epi32(x[r * ldx + b].offset);
            for (int h = 0; h < halves; h++) isum[r][h] = offset;
        }
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            __m256i wv[2];
            for (int h = 0; h < halves; h++) wv[h] = _mm256_loadu_si256((const __m256i *)p[b].qs[g][8 * h]);
            for (int r = 0; r < rows; r++) {
                int32_t q4;
                memcpy(&q4, x[r * ldx + b].qs + 4 * g, 4);
                __m256i xv = _mm256_set1_epi32(q4);
                for (int h = 0; h < halves; h++) isum[r][h] = SK_DP8(isum[r][h], wv[h], xv);
            }
        }
        for (int h = 0; h < halves; h++) {
            __m256 wd = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(ps + b * SK_PANEL_COLS + 8 * h)));
            for (int r = 0; r < rows; r++) acc[r][h] = sk_scaled_block8(acc[r][h], isum[r][h], wd, x[r * ldx + b].d, exact);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int h = 0; h < halves; h++) sk_store8(y + r * ldy + 8 * h, valid - 8 * h, acc[r][h]);
    }
}

/// sk_panel_group for each scale mode: the micro-tile for the rows at hand and one or both
/// halves of the panel (the second only when it has columns to store), all constants.
#define SK_DP8_GROUP(name, exact)                                                                                          \
    static SK_DP8_TARGET void name(int rows, int64_t b0, int64_t b1, int first, const sk_block_q8_a *x, int64_t ldx,      \
                                   const sk_panel_q8_0 *p, const uint16_t *ps, float *y, int64_t ldy, int64_t valid) {     \
        const int both = valid > 8;                                                                                        \
        switch (rows * 2 + both) {                                                                                         \
        case 9: SK_DP8_NAME(sk_dp8_micro)(4, 2, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        case 8: SK_DP8_NAME(sk_dp8_micro)(4, 1, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        case 7: SK_DP8_NAME(sk_dp8_micro)(3, 2, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        case 6: SK_DP8_NAME(sk_dp8_micro)(3, 1, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        case 5: SK_DP8_NAME(sk_dp8_micro)(2, 2, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        case 4: SK_DP8_NAME(sk_dp8_micro)(2, 1, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        case 3: SK_DP8_NAME(sk_dp8_micro)(1, 2, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;                \
        default: SK_DP8_NAME(sk_dp8_micro)(1, 1, exact, b0, b1, first, x, ldx, p, ps, y, ldy, valid); break;               \
        }                                                                                                                  \
    }
SK_DP8_GROUP(SK_DP8_NAME(sk_dp8_group_pow2), 0)
SK_DP8_GROUP(SK_DP8_NAME(sk_dp8_group_exact), 1)
#undef SK_DP8_GROUP

SK_DP8_TARGET void SK_DP8_NAME(sk_gemm_q8_0)(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                                             const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1,
                                             sk_scales mode) {
    sk_gemm_by_panels(m, n, k, x, ldx, w, y, ldy, n0, n1, SK_DP8_NAME(SK_DP8_KC),
                      mode == SK_SCALES_EXACT ? SK_DP8_NAME(sk_dp8_group_exact) : SK_DP8_NAME(sk_dp8_group_pow2));
}
