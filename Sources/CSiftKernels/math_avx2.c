// Row math with AVX2 + FMA: the operations of math_scalar.c, in the same order, on 8 lanes
// (tails through masked loads and stores), so results are bit-identical with the scalar
// reference and with math_avx512.c. A sum over a row keeps the reference's 16 lane sums, as
// two vectors: element i goes to lane i % 16, the first vector holding lanes 0-7.
#if defined(__x86_64__)

#include "kernels_avx2.h"

#include <math.h>

/// v in the lanes below `left`, +0 in the others (what the AVX-512 file's masked adds leave
/// out of a lane sum: s + 0 = s for the sums below, which never hold −0).
static inline SK_AVX2 __m256 sk_keep8(__m256 v, int64_t left) {
    return left >= 8 ? v : _mm256_and_ps(v, _mm256_castsi256_ps(sk_lanes8(left)));
}

/// sk_horner on 8 lanes.
static inline SK_AVX2 __m256 sk_horner8(__m256 x, const float c[6]) {
    __m256 p = _mm256_set1_ps(c[0]);
    for (int i = 1; i < 6; i++) p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(c[i]));
    return p;
}

static inline SK_AVX2 __m256 sk_exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(SK_EXP_MIN)), _mm256_set1_ps(SK_EXP_MAX));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(SK_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-SK_LN2_HI), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(-SK_LN2_LO), r);
    __m256 p = sk_horner8(r, (const float[6]){SK_EXP_P0, SK_EXP_P1, SK_EXP_P2, SK_EXP_P3, SK_EXP_P4, SK_EXP_P5});
    __m256 r2 = _mm256_mul_ps(r, r);
    p = _mm256_fmadd_ps(p, r2, r);
    p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/// sk_erf_1 on 8 lanes (max first, so NaN lanes become -SK_ERF_MAX).
static inline SK_AVX2 __m256 sk_erf8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-SK_ERF_MAX)), _mm256_set1_ps(SK_ERF_MAX));
    __m256 s = _mm256_mul_ps(x, x);
    __m256 p = sk_horner8(s, (const float[6]){SK_ERF_P5, SK_ERF_P4, SK_ERF_P3, SK_ERF_P2, SK_ERF_P1, SK_ERF_P0});
    __m256 q = sk_horner8(s, (const float[6]){SK_ERF_Q5, SK_ERF_Q4, SK_ERF_Q3, SK_ERF_Q2, SK_ERF_Q1, 1.0f});
    return _mm256_div_ps(_mm256_mul_ps(x, p), q);
}

static inline SK_AVX2 __m256 sk_gelu8(__m256 x) {
    __m256 e = sk_erf8(_mm256_mul_ps(x, _mm256_set1_ps(SK_SQRT1_2)));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/// sk_tanh_1 on 8 lanes; a negative u gets 0 − t, as math_avx512.c's masked subtraction.
static inline SK_AVX2 __m256 sk_tanh8(__m256 u) {
    __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), u);
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 t = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(sk_exp8(_mm256_add_ps(a, a)), one)));
    __m256 neg = _mm256_cmp_ps(u, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_blendv_ps(t, _mm256_sub_ps(_mm256_setzero_ps(), t), neg);
}

static inline SK_AVX2 __m256 sk_gelu_tanh8(__m256 x) {
    __m256 inner = _mm256_mul_ps(_mm256_mul_ps(x, x), _mm256_mul_ps(x, _mm256_set1_ps(SK_GELU_C)));
    inner = _mm256_mul_ps(_mm256_set1_ps(SK_SQRT_2_PI), _mm256_add_ps(x, inner));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), sk_tanh8(inner)));
}

static inline SK_AVX2 __m256 sk_silu8(__m256 x) {
    __m256 e = sk_exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/// The 16 lane sums (lanes 0-7 in s[0], 8-15 in s[1]) added in lane order.
static inline SK_AVX2 float sk_lanes_in_order(const __m256 s[2]) {
    float lane[16];
    _mm256_storeu_ps(lane, s[0]);
    _mm256_storeu_ps(lane + 8, s[1]);
    float total = 0;
    for (int l = 0; l < 16; l++) total += lane[l];
    return total;
}

/// The largest of 8 lanes (max is exact, so the order does not matter).
static inline SK_AVX2 float sk_max_lanes(__m256 v) {
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

// The three passes of a softmax, as in math_avx512.c.

/// The largest of x[0 ..< n] (−inf for n = 0): lanes past the row keep −inf.
static inline SK_AVX2 float sk_softmax_max(const float *x, int64_t n) {
    __m256 mv = _mm256_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 8) {
        __m256 in = _mm256_castsi256_ps(sk_lanes8(n - i));
        mv = _mm256_blendv_ps(mv, _mm256_max_ps(mv, sk_load8(x + i, n - i)), in);
    }
    return sk_max_lanes(mv);
}

/// x = exp(x − m); the 16 lane sums of the new x in s (s[0] lanes 0-7, s[1] lanes 8-15).
static inline SK_AVX2 void sk_softmax_exp(float *x, int64_t n, float m, __m256 s[2]) {
    __m256 mb = _mm256_set1_ps(m);
    s[0] = s[1] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 8) {
        __m256 e = sk_exp8(_mm256_sub_ps(sk_load8(x + i, n - i), mb));
        sk_store8(x + i, n - i, e);
        s[(i / 8) & 1] = _mm256_add_ps(s[(i / 8) & 1], sk_keep8(e, n - i));
    }
}

static inline SK_AVX2 void sk_softmax_scale(float *x, int64_t n, float inv) {
    __m256 iv = _mm256_set1_ps(inv);
    for (int64_t i = 0; i < n; i += 8) sk_store8(x + i, n - i, _mm256_mul_ps(sk_load8(x + i, n - i), iv));
}

SK_AVX2 void sk_softmax_avx2(float *x, int64_t n) {
    if (n <= 0) return;
    float m = sk_softmax_max(x, n);
    if (m == -INFINITY) return;
    __m256 s[2];
    sk_softmax_exp(x, n, m, s);
    sk_softmax_scale(x, n, 1.0f / sk_lanes_in_order(s));
}

SK_AVX2 float sk_log_sum_exp_avx2(const float *x, int64_t n) {
    __m256 mv = _mm256_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 8) {
        // The loaded value first: VMAXPS returns its second operand when either is NaN, so
        // a NaN input is skipped, as fmaxf skips it.
        __m256 in = _mm256_castsi256_ps(sk_lanes8(n - i));
        mv = _mm256_blendv_ps(mv, _mm256_max_ps(sk_load8(x + i, n - i), mv), in);
    }
    float m = sk_max_lanes(mv);
    if (m == -INFINITY || !isfinite(m)) return m;
    __m256 mb = _mm256_set1_ps(m), s[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < n; i += 8) {
        s[(i / 8) & 1] = _mm256_add_ps(s[(i / 8) & 1], sk_keep8(sk_exp8(_mm256_sub_ps(sk_load8(x + i, n - i), mb)), n - i));
    }
    return m + logf(sk_lanes_in_order(s));
}

SK_AVX2 void sk_bias_activation_avx2(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act) {
    for (int64_t i = 0; i < m; i++) {
        float *row = y + i * ldy;
        for (int64_t j = 0; j < n; j += 8) {
            __m256 v = sk_load8(row + j, n - j);
            if (bias) v = _mm256_add_ps(v, sk_load8(bias + j, n - j));
            if (act == SK_ACT_GELU) v = sk_gelu8(v);
            if (act == SK_ACT_GELU_TANH) v = sk_gelu_tanh8(v);
            sk_store8(row + j, n - j, v);
        }
    }
}

SK_AVX2 void sk_gelu_avx2(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 8) sk_store8(x + i, n - i, sk_gelu8(sk_load8(x + i, n - i)));
}

SK_AVX2 void sk_gelu_tanh_avx2(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 8) sk_store8(x + i, n - i, sk_gelu_tanh8(sk_load8(x + i, n - i)));
}

SK_AVX2 void sk_silu_mul_avx2(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i += 8) {
        __m256 v = sk_silu8(sk_load8(a + i, n - i));
        sk_store8(a + i, n - i, _mm256_mul_ps(v, sk_load8(b + i, n - i)));
    }
}

SK_AVX2 void sk_gelu_tanh_mul_avx2(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i += 8) {
        __m256 v = sk_gelu_tanh8(sk_load8(a + i, n - i));
        sk_store8(a + i, n - i, _mm256_mul_ps(v, sk_load8(b + i, n - i)));
    }
}

/// Σ (x − shift)², or Σ x with squares == 0 (shift unused), as 16 lane sums in order.
static inline SK_AVX2 float sk_row_sum(const float *x, int64_t n, int squares, float shift) {
    __m256 sb = _mm256_set1_ps(shift), s[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < n; i += 8) {
        __m256 v = sk_load8(x + i, n - i);
        int h = (int)((i / 8) & 1);
        if (squares) {
            __m256 d = sk_keep8(_mm256_sub_ps(v, sb), n - i);
            s[h] = _mm256_fmadd_ps(d, d, s[h]);
        } else {
            s[h] = _mm256_add_ps(s[h], v);
        }
    }
    return sk_lanes_in_order(s);
}

SK_AVX2 void sk_layer_norm_avx2(float *x, const float *w, const float *b, int64_t n, float eps) {
    float mean = sk_row_sum(x, n, 0, 0) / (float)n;
    float var = sk_row_sum(x, n, 1, mean) / (float)n;
    __m256 mb = _mm256_set1_ps(mean), rstd = _mm256_set1_ps(1.0f / sqrtf(var + eps));
    for (int64_t i = 0; i < n; i += 8) {
        __m256 t = _mm256_mul_ps(_mm256_sub_ps(sk_load8(x + i, n - i), mb), rstd);
        __m256 y = b ? _mm256_fmadd_ps(t, sk_load8(w + i, n - i), sk_load8(b + i, n - i)) : _mm256_mul_ps(t, sk_load8(w + i, n - i));
        sk_store8(x + i, n - i, y);
    }
}

SK_AVX2 void sk_rms_norm_avx2(float *x, const float *w, int64_t n, float eps) {
    __m256 rstd = _mm256_set1_ps(1.0f / sqrtf(sk_row_sum(x, n, 1, 0) / (float)n + eps));
    for (int64_t i = 0; i < n; i += 8) {
        __m256 y = _mm256_mul_ps(_mm256_mul_ps(sk_load8(x + i, n - i), rstd), sk_load8(w + i, n - i));
        sk_store8(x + i, n - i, y);
    }
}

// MARK: - Attention

/// Transposes 8 rows of 8 floats in place: afterwards r[c] holds (r[0][c], …, r[7][c]).
static inline SK_AVX2 void sk_transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // u[4g + e], 128-bit lane L: element 4L + e of rows 4g ..< 4g + 4.
    for (int g = 0; g < 2; g++) {
        u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xee);
        u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xee);
    }
    for (int e = 0; e < 4; e++) {
        r[e] = _mm256_permute2f128_ps(u[e], u[4 + e], 0x20);
        r[4 + e] = _mm256_permute2f128_ps(u[e], u[4 + e], 0x31);
    }
}

/// Scores of rows qr[0 ..< rows] (rows ≤ 4; the others repeat row 0 and are not stored) for
/// keys j0 ..< j0 + 16 of the transposed keys kt (row stride ld), scaled and capped, into s
/// (row stride ld).
static inline SK_AVX2 void sk_attend_scores(const float *const *qr, const float *kt, int64_t ld, int64_t d, int64_t j0, int rows,
                                            float scale, float softcap, float *s) {
    enum { R = SK_ATTEND_QUARTER };
    __m256 acc[R][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t c = 0; c < d; c++) {
        __m256 k0 = _mm256_loadu_ps(kt + c * ld + j0), k1 = _mm256_loadu_ps(kt + c * ld + j0 + 8);
        for (int r = 0; r < R; r++) {
            __m256 qc = _mm256_set1_ps(qr[r][c]);
            acc[r][0] = _mm256_fmadd_ps(qc, k0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(qc, k1, acc[r][1]);
        }
    }
    const __m256 scale8 = _mm256_set1_ps(scale), cap8 = _mm256_set1_ps(softcap);
    for (int r = 0; r < R; r++) {
        if (r >= rows) break;
        for (int h = 0; h < 2; h++) {
            __m256 x = _mm256_mul_ps(acc[r][h], scale8);
            if (softcap > 0) x = _mm256_mul_ps(cap8, sk_tanh8(_mm256_div_ps(x, cap8)));
            _mm256_storeu_ps(s + r * ld + j0 + 8 * h, x);
        }
    }
}

/// acc[r] += p_rj · v_j for the keys j0 ≤ j < j1, in key order; rows r < rows only, and with
/// `checked` only the rows whose keys [lo[r], hi[r]) hold j. `full`: all 16 columns from c0 are
/// below d (`left` = d − c0). Both flags are constants wherever this is inlined.
static inline __attribute__((always_inline)) SK_AVX2 void
sk_attend_values_run(__m256 acc[SK_ATTEND_QUARTER][2], const float *v, int64_t ldv, const float *p, int64_t ldp, int rows,
                     const int64_t *lo, const int64_t *hi, int64_t j0, int64_t j1, int64_t left, int checked, int full) {
    for (int64_t j = j0; j < j1; j++) {
        const float *vj = v + j * ldv;
        __m256 v0 = full ? _mm256_loadu_ps(vj) : sk_load8(vj, left);
        __m256 v1 = full ? _mm256_loadu_ps(vj + 8) : sk_load8(vj + 8, left - 8);
        for (int r = 0; r < SK_ATTEND_QUARTER; r++) {
            if (r >= rows || (checked && (j < lo[r] || j >= hi[r]))) continue;
            __m256 pj = _mm256_set1_ps(p[r * ldp + j]);
            acc[r][0] = _mm256_fmadd_ps(pj, v0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(pj, v1, acc[r][1]);
        }
    }
}

/// out rows r < rows (≤ 4) for the columns c0 ..< c0 + 16 (those below d): Σ_j p_ij v_j, one
/// fma a key in key order, each row over its own keys [lo[r], hi[r]). p_ij is at p + r·ldp + j.
/// The keys every row has are added without the per-row test; those before and after them,
/// with it (key order within each row is kept).
static inline __attribute__((always_inline)) SK_AVX2 void
sk_attend_values(const float *v, int64_t ldv, const float *p, int64_t ldp, float *out, int64_t ldo, int rows, const int64_t *lo,
                 const int64_t *hi, int64_t d, int64_t c0) {
    __m256 acc[SK_ATTEND_QUARTER][2];
    for (int r = 0; r < SK_ATTEND_QUARTER; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    int64_t first = lo[0], last = hi[0], all_lo = lo[0], all_hi = hi[0];
    for (int r = 1; r < rows; r++) {
        first = lo[r] < first ? lo[r] : first;
        last = hi[r] > last ? hi[r] : last;
        all_lo = lo[r] > all_lo ? lo[r] : all_lo;
        all_hi = hi[r] < all_hi ? hi[r] : all_hi;
    }
    if (all_hi < all_lo) all_hi = all_lo;
    const int64_t left = d - c0;
    v += c0;
    if (left >= 16 && rows == SK_ATTEND_QUARTER) {
        sk_attend_values_run(acc, v, ldv, p, ldp, SK_ATTEND_QUARTER, lo, hi, first, all_lo, left, 1, 1);
        sk_attend_values_run(acc, v, ldv, p, ldp, SK_ATTEND_QUARTER, lo, hi, all_lo, all_hi, left, 0, 1);
        sk_attend_values_run(acc, v, ldv, p, ldp, SK_ATTEND_QUARTER, lo, hi, all_hi, last, left, 1, 1);
    } else if (left >= 16) {
        sk_attend_values_run(acc, v, ldv, p, ldp, rows, lo, hi, first, last, left, 1, 1);
    } else {
        sk_attend_values_run(acc, v, ldv, p, ldp, rows, lo, hi, first, last, left, 1, 0);
    }
    for (int r = 0; r < rows; r++) {
        sk_store8(out + r * ldo + c0, left, acc[r][0]);
        sk_store8(out + r * ldo + c0 + 8, left - 8, acc[r][1]);
    }
}

/// The keys base ..< hi transposed into d rows of ld floats, zeros past hi: 8 × 8 tiles.
static inline SK_AVX2 void sk_attend_transpose(const float *k, int64_t ldk, int64_t d, int64_t base, int64_t hi, int64_t ld,
                                               float *kt) {
    for (int64_t j0 = 0; j0 < ld; j0 += 8) {
        for (int64_t c0 = 0; c0 < d; c0 += 8) {
            __m256 r[8];
            for (int t = 0; t < 8; t++) {
                int64_t j = base + j0 + t;
                r[t] = j < hi ? sk_load8(k + j * ldk + c0, d - c0) : _mm256_setzero_ps();
            }
            sk_transpose8(r);
            for (int64_t t = 0; t < 8 && c0 + t < d; t++) _mm256_storeu_ps(kt + (c0 + t) * ld + j0, r[t]);
        }
    }
}

#define sk_attend_softmax sk_softmax_avx2
#define SK_ATTEND_TARGET SK_AVX2
#include "attention_driver.h"

/// sk_attention_head_avx512's steps with 8-float vectors (attention_driver.h).
SK_AVX2 void sk_attention_head_avx2(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv,
                                    float *out, int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0,
                                    int causal, int64_t window, float scale, float softcap, float *scratch) {
    sk_attend_quarters(q, ldq, k, ldk, v, ldv, out, ldo, heads, m, n, d, pos0, causal, window, scale, softcap, scratch);
}

#endif
