// The control part of sk_attention_head for the levels whose vectors hold 8 or 4 floats
// (math_avx2.c, math_neon.c): sk_attention_head_avx512's steps, with the group of
// SK_ATTENTION_ROWS query rows taken 4 rows at a time by the scores and values steps (4 rows ×
// 16 keys or columns is 8 accumulators with AVX2, 16 with NEON: with the loads, within their
// 16 and 32 registers). A file includes this after defining SK_ATTEND_TARGET (its target
// attribute, or nothing) and:
//   sk_attend_transpose(k, ldk, d, base, hi, ld, kt)  kt[c·ld + j] = k[(base + j)·ldk + c] for
//       j < hi − base, 0 up to ld (a multiple of 16)
//   sk_attend_scores(qr, kt, ld, d, j0, rows, scale, softcap, s)  rows ≤ 4 of s (row stride
//       ld) for keys j0 ..< j0 + 16: scaled and capped q·k
//   sk_attend_softmax(row, count)  sk_softmax's operations
//   sk_attend_values(v, ldv, p, ldp, out, ldo, rows, lo, hi, d, c0)  rows ≤ 4 of out for the
//       columns c0 ..< c0 + 16 below d, each row over its keys [lo[r], hi[r])
// and calls sk_attend_quarters from its sk_attention_head_<level>.
#ifndef SIFT_ATTENTION_DRIVER_H
#define SIFT_ATTENTION_DRIVER_H

#include "kernels_internal.h"

static inline __attribute__((always_inline)) SK_ATTEND_TARGET void
sk_attend_quarters(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv, float *out, int64_t ldo,
                   int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0, int causal, int64_t window, float scale,
                   float softcap, float *scratch) {
    enum { R = SK_ATTENTION_ROWS, H = SK_ATTEND_QUARTER };
    int64_t base, hi_last, ld;
    sk_attention_span(pos0, m, n, causal, window, &base, &hi_last, &ld);
    float *kt = scratch, *s = scratch + d * ld;
    sk_attend_transpose(k, ldk, d, base, hi_last, ld, kt);
    for (int64_t e = 0; e < heads; e++, q += d, out += d) {
        for (int64_t i0 = 0; i0 < m; i0 += R) {
            int64_t lo[R], hi[R];
            const float *qr[R];
            const int rows = sk_attention_group(q, ldq, i0, m, n, pos0, causal, window, lo, hi, qr);
            for (int h0 = 0; h0 < rows; h0 += H) {
                const int hr = rows - h0 < H ? rows - h0 : H;
                const float *hq[H];
                for (int r = 0; r < H; r++) hq[r] = qr[h0 + (r < hr ? r : 0)];
                const int64_t j_end = (hi[h0 + hr - 1] - base + 15) & ~(int64_t)15;
                for (int64_t j0 = (lo[h0] - base) & ~(int64_t)15; j0 < j_end; j0 += 16) {
                    sk_attend_scores(hq, kt, ld, d, j0, hr, scale, softcap, s + h0 * ld);
                }
            }
            for (int r = 0; r < rows; r++) sk_attend_softmax(s + r * ld + (lo[r] - base), hi[r] - lo[r]);
            // The values, with the keys counted from base.
            int64_t klo[R], khi[R];
            for (int r = 0; r < R; r++) {
                klo[r] = r < rows ? lo[r] - base : 0;
                khi[r] = r < rows ? hi[r] - base : 0;
            }
            const float *vb = v + base * ldv;
            for (int h0 = 0; h0 < rows; h0 += H) {
                const int hr = rows - h0 < H ? rows - h0 : H;
                for (int64_t c0 = 0; c0 < d; c0 += 16) {
                    sk_attend_values(vb, ldv, s + h0 * ld, ld, out + (i0 + h0) * ldo, ldo, hr, klo + h0, khi + h0, d, c0);
                }
            }
        }
    }
}

#endif
