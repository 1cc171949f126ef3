// Row math with AVX-512: the operations of math_scalar.c, in the same order, on 16 lanes
// (tails through masks), so results are bit-identical with the scalar reference.
#if defined(__x86_64__)

#include "kernels_internal.h"

#include <immintrin.h>
#include <math.h>

#define SK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

/// sk_horner on 16 lanes.
static inline SK_AVX512 __m512 sk_horner16(__m512 x, const float c[6]) {
    __m512 p = _mm512_set1_ps(c[0]);
    for (int i = 1; i < 6; i++) p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(c[i]));
    return p;
}

static inline SK_AVX512 __m512 sk_exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(SK_EXP_MIN)), _mm512_set1_ps(SK_EXP_MAX));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(SK_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-SK_LN2_HI), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(-SK_LN2_LO), r);
    __m512 p = sk_horner16(r, (const float[6]){SK_EXP_P0, SK_EXP_P1, SK_EXP_P2, SK_EXP_P3, SK_EXP_P4, SK_EXP_P5});
    __m512 r2 = _mm512_mul_ps(r, r);
    p = _mm512_fmadd_ps(p, r2, r);
    p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

static inline SK_AVX512 __m512 sk_abs16(__m512 x) { return _mm512_abs_ps(x); }

/// Copies the sign of `s` onto the non-negative `v`.
static inline SK_AVX512 __m512 sk_signed16(__m512 v, __m512 s) {
    __mmask16 neg = _mm512_cmp_ps_mask(s, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_sub_ps(v, neg, _mm512_setzero_ps(), v);
}

/// sk_erf_1 on 16 lanes: the clamp (max first, so NaN lanes become -SK_ERF_MAX as with
/// fmaxf), then the same fmas.
static inline SK_AVX512 __m512 sk_erf16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-SK_ERF_MAX)), _mm512_set1_ps(SK_ERF_MAX));
    __m512 s = _mm512_mul_ps(x, x);
    __m512 p = sk_horner16(s, (const float[6]){SK_ERF_P5, SK_ERF_P4, SK_ERF_P3, SK_ERF_P2, SK_ERF_P1, SK_ERF_P0});
    __m512 q = sk_horner16(s, (const float[6]){SK_ERF_Q5, SK_ERF_Q4, SK_ERF_Q3, SK_ERF_Q2, SK_ERF_Q1, 1.0f});
    return _mm512_div_ps(_mm512_mul_ps(x, p), q);
}

static inline SK_AVX512 __m512 sk_gelu16(__m512 x) {
    __m512 e = sk_erf16(_mm512_mul_ps(x, _mm512_set1_ps(SK_SQRT1_2)));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

/// sk_tanh_1 on 16 lanes.
static inline SK_AVX512 __m512 sk_tanh16(__m512 u) {
    __m512 a = sk_abs16(u);
    __m512 one = _mm512_set1_ps(1.0f);
    __m512 t = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(sk_exp16(_mm512_add_ps(a, a)), one)));
    return sk_signed16(t, u);
}

static inline SK_AVX512 __m512 sk_gelu_tanh16(__m512 x) {
    __m512 inner = _mm512_mul_ps(_mm512_mul_ps(x, x), _mm512_mul_ps(x, _mm512_set1_ps(SK_GELU_C)));
    inner = _mm512_mul_ps(_mm512_set1_ps(SK_SQRT_2_PI), _mm512_add_ps(x, inner));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(_mm512_set1_ps(1.0f), sk_tanh16(inner)));
}

static inline SK_AVX512 __m512 sk_silu16(__m512 x) {
    __m512 e = sk_exp16(_mm512_sub_ps(_mm512_setzero_ps(), x));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

static inline SK_AVX512 __mmask16 sk_tail(int64_t n, int64_t i) {
    int64_t left = n - i;
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

/// The 16 lane sums of a vector added in lane order (as sk_lane_sum in math_scalar.c).
static inline SK_AVX512 float sk_lanes_in_order(__m512 v) {
    float lane[16];
    _mm512_storeu_ps(lane, v);
    float s = 0;
    for (int l = 0; l < 16; l++) s += lane[l];
    return s;
}

// sk_softmax_avx512's three passes, shared with the attention's softmax of a group of rows.

/// The largest of x[0 ..< n] (−inf for n = 0).
static inline SK_AVX512 float sk_softmax_max(const float *x, int64_t n) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        mv = _mm512_mask_max_ps(mv, k, mv, _mm512_maskz_loadu_ps(k, x + i));
    }
    return _mm512_reduce_max_ps(mv);
}

/// x = exp(x − m); returns the 16 lane sums of the new x.
static inline SK_AVX512 __m512 sk_softmax_exp(float *x, int64_t n, float m) {
    __m512 mb = _mm512_set1_ps(m), sum = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 e = sk_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mb));
        _mm512_mask_storeu_ps(x + i, k, e);
        sum = _mm512_mask_add_ps(sum, k, sum, e);
    }
    return sum;
}

/// x *= inv.
static inline SK_AVX512 void sk_softmax_scale(float *x, int64_t n, float inv) {
    __m512 iv = _mm512_set1_ps(inv);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), iv));
    }
}

SK_AVX512 void sk_softmax_avx512(float *x, int64_t n) {
    if (n <= 0) return;
    float m = sk_softmax_max(x, n);
    if (m == -INFINITY) return;
    sk_softmax_scale(x, n, 1.0f / sk_lanes_in_order(sk_softmax_exp(x, n, m)));
}

SK_AVX512 float sk_log_sum_exp_avx512(const float *x, int64_t n) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        // VMAXPS returns its second operand when either is NaN: a NaN input is skipped, as
        // fmaxf skips it in the scalar version.
        mv = _mm512_mask_max_ps(mv, k, _mm512_maskz_loadu_ps(k, x + i), mv);
    }
    float m = _mm512_reduce_max_ps(mv);
    if (m == -INFINITY || !isfinite(m)) return m;
    __m512 mb = _mm512_set1_ps(m), sum = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        sum = _mm512_mask_add_ps(sum, k, sum, sk_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mb)));
    }
    return m + logf(sk_lanes_in_order(sum));
}

/// One pass over each row: load, add the bias, apply the activation, store.
SK_AVX512 void sk_bias_activation_avx512(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act) {
    for (int64_t i = 0; i < m; i++) {
        float *row = y + i * ldy;
        for (int64_t j = 0; j < n; j += 16) {
            __mmask16 k = sk_tail(n, j);
            __m512 v = _mm512_maskz_loadu_ps(k, row + j);
            if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, bias + j));
            if (act == SK_ACT_GELU) v = sk_gelu16(v);
            if (act == SK_ACT_GELU_TANH) v = sk_gelu_tanh16(v);
            _mm512_mask_storeu_ps(row + j, k, v);
        }
    }
}

SK_AVX512 void sk_gelu_avx512(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        _mm512_mask_storeu_ps(x + i, k, sk_gelu16(_mm512_maskz_loadu_ps(k, x + i)));
    }
}

SK_AVX512 void sk_gelu_tanh_avx512(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        _mm512_mask_storeu_ps(x + i, k, sk_gelu_tanh16(_mm512_maskz_loadu_ps(k, x + i)));
    }
}

SK_AVX512 void sk_silu_mul_avx512(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 v = sk_silu16(_mm512_maskz_loadu_ps(k, a + i));
        _mm512_mask_storeu_ps(a + i, k, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(k, b + i)));
    }
}

SK_AVX512 void sk_gelu_tanh_mul_avx512(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 v = sk_gelu_tanh16(_mm512_maskz_loadu_ps(k, a + i));
        _mm512_mask_storeu_ps(a + i, k, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(k, b + i)));
    }
}

SK_AVX512 void sk_layer_norm_avx512(float *x, const float *w, const float *b, int64_t n, float eps) {
    __m512 s = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        s = _mm512_mask_add_ps(s, k, s, _mm512_maskz_loadu_ps(k, x + i));
    }
    float mean = sk_lanes_in_order(s) / (float)n;
    __m512 mb = _mm512_set1_ps(mean), v = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mb);
        v = _mm512_mask3_fmadd_ps(d, d, v, k);
    }
    float var = sk_lanes_in_order(v) / (float)n;
    __m512 rstd = _mm512_set1_ps(1.0f / sqrtf(var + eps));
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 t = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mb), rstd);
        __m512 y = b ? _mm512_fmadd_ps(t, _mm512_maskz_loadu_ps(k, w + i), _mm512_maskz_loadu_ps(k, b + i))
                     : _mm512_mul_ps(t, _mm512_maskz_loadu_ps(k, w + i));
        _mm512_mask_storeu_ps(x + i, k, y);
    }
}

SK_AVX512 void sk_rms_norm_avx512(float *x, const float *w, int64_t n, float eps) {
    __m512 s = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 v = _mm512_maskz_loadu_ps(k, x + i);
        s = _mm512_mask3_fmadd_ps(v, v, s, k);
    }
    __m512 rstd = _mm512_set1_ps(1.0f / sqrtf(sk_lanes_in_order(s) / (float)n + eps));
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 y = _mm512_mul_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), rstd), _mm512_maskz_loadu_ps(k, w + i));
        _mm512_mask_storeu_ps(x + i, k, y);
    }
}

// MARK: - Attention

/// Transposes 16 rows of 16 floats in place: afterwards r[c] holds (r[0][c], …, r[15][c]).
/// Within each 128-bit lane the unpacks and shuffles gather a 4 × 4 block; the two rounds of
/// lane shuffles then put the four blocks of a column in order.
static inline SK_AVX512 void sk_transpose16(__m512 r[16]) {
    __m512 t[16], u[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // u[4g + e], lane L: element 4L + e of rows 4g ..< 4g + 4.
    for (int g = 0; g < 4; g++) {
        u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xee);
        u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xee);
    }
    for (int e = 0; e < 4; e++) {
        __m512 a0 = _mm512_shuffle_f32x4(u[e], u[4 + e], 0x88), a1 = _mm512_shuffle_f32x4(u[e], u[4 + e], 0xdd);
        __m512 b0 = _mm512_shuffle_f32x4(u[8 + e], u[12 + e], 0x88), b1 = _mm512_shuffle_f32x4(u[8 + e], u[12 + e], 0xdd);
        r[e] = _mm512_shuffle_f32x4(a0, b0, 0x88);
        r[8 + e] = _mm512_shuffle_f32x4(a0, b0, 0xdd);
        r[4 + e] = _mm512_shuffle_f32x4(a1, b1, 0x88);
        r[12 + e] = _mm512_shuffle_f32x4(a1, b1, 0xdd);
    }
}

// The two steps below are macros instantiated for each count of vectors a row (1 or 2): with
// the count a constant from the start, clang keeps the accumulator arrays in registers (as
// inlined functions taking the count, it kept a copy of them on the stack, stored on every
// step).

/// out rows of one group for the columns c0 ..< c0 + 16·XS: Σ_j p_ij v_j, one fma a key in
/// key order, each row only over its own keys [lo[r], hi[r]) (rows past the group's end have
/// lo = hi). p_ij is at p + r·ldp + j.
#define SK_ATTEND_VALUES(XS)                                                                                          \
    static inline SK_AVX512 void sk_attend_values_##XS(const float *v, int64_t ldv, const float *p, int64_t ldp,      \
                                                       float *out, int64_t ldo, int rows, const int64_t *lo,          \
                                                       const int64_t *hi, int64_t d, int64_t c0) {                    \
        __m512 acc[SK_ATTENTION_ROWS][XS];                                                                            \
        __mmask16 mask[XS];                                                                                           \
        for (int x = 0; x < XS; x++) mask[x] = sk_tail(d, c0 + 16 * x);                                               \
        for (int r = 0; r < SK_ATTENTION_ROWS; r++)                                                                   \
            for (int x = 0; x < XS; x++) acc[r][x] = _mm512_setzero_ps();                                             \
        int64_t first = lo[0], last = hi[0];                                                                          \
        for (int r = 1; r < rows; r++) {                                                                              \
            first = lo[r] < first ? lo[r] : first;                                                                    \
            last = hi[r] > last ? hi[r] : last;                                                                       \
        }                                                                                                             \
        for (int64_t j = first; j < last; j++) {                                                                      \
            __m512 vj[XS];                                                                                            \
            for (int x = 0; x < XS; x++) vj[x] = _mm512_maskz_loadu_ps(mask[x], v + j * ldv + c0 + 16 * x);          \
            for (int r = 0; r < SK_ATTENTION_ROWS; r++) {                                                             \
                if (j < lo[r] || j >= hi[r]) continue;                                                                \
                __m512 pj = _mm512_set1_ps(p[r * ldp + j]);                                                           \
                for (int x = 0; x < XS; x++) acc[r][x] = _mm512_fmadd_ps(pj, vj[x], acc[r][x]);                       \
            }                                                                                                         \
        }                                                                                                             \
        for (int r = 0; r < SK_ATTENTION_ROWS; r++) {                                                                 \
            if (r >= rows) break;                                                                                     \
            for (int x = 0; x < XS; x++) _mm512_mask_storeu_ps(out + r * ldo + c0 + 16 * x, mask[x], acc[r][x]);     \
        }                                                                                                             \
    }
SK_ATTEND_VALUES(1)
SK_ATTEND_VALUES(2)
#undef SK_ATTEND_VALUES

/// Scores of one group of rows for keys j0 ..< j0 + 16·HS of the transposed keys kt (row
/// stride ld), scaled and capped, into s (row stride ld).
#define SK_ATTEND_SCORES(HS)                                                                                          \
    static inline SK_AVX512 void sk_attend_scores_##HS(const float *const *qr, const float *kt, int64_t ld, int64_t d, \
                                                       int64_t j0, int rows, float scale, float softcap, float *s) {  \
        __m512 acc[SK_ATTENTION_ROWS][HS];                                                                            \
        for (int r = 0; r < SK_ATTENTION_ROWS; r++)                                                                   \
            for (int h = 0; h < HS; h++) acc[r][h] = _mm512_setzero_ps();                                             \
        for (int64_t c = 0; c < d; c++) {                                                                             \
            __m512 kc[HS];                                                                                            \
            for (int h = 0; h < HS; h++) kc[h] = _mm512_loadu_ps(kt + c * ld + j0 + 16 * h);                          \
            for (int r = 0; r < SK_ATTENTION_ROWS; r++) {                                                             \
                __m512 qc = _mm512_set1_ps(qr[r][c]);                                                                 \
                for (int h = 0; h < HS; h++) acc[r][h] = _mm512_fmadd_ps(qc, kc[h], acc[r][h]);                       \
            }                                                                                                         \
        }                                                                                                             \
        const __m512 scale16 = _mm512_set1_ps(scale), cap16 = _mm512_set1_ps(softcap);                               \
        for (int r = 0; r < SK_ATTENTION_ROWS; r++) {                                                                 \
            if (r >= rows) break;                                                                                     \
            for (int h = 0; h < HS; h++) {                                                                            \
                __m512 x = _mm512_mul_ps(acc[r][h], scale16);                                                         \
                if (softcap > 0) x = _mm512_mul_ps(cap16, sk_tanh16(_mm512_div_ps(x, cap16)));                        \
                _mm512_storeu_ps(s + r * ld + j0 + 16 * h, x);                                                        \
            }                                                                                                         \
        }                                                                                                             \
    }
SK_ATTEND_SCORES(1)
SK_ATTEND_SCORES(2)
#undef SK_ATTEND_SCORES

/// sk_softmax_avx512 on each row r < rows of a group, over its keys lo[r] ..< hi[r] (at
/// s + r·ld + key − base), with the same operations. One row's steps depend on each other
/// (the lane sum is 16 adds in a row); the group's rows are taken together so that their
/// steps overlap.
static inline SK_AVX512 void sk_attend_softmax(float *s, int64_t ld, int rows, const int64_t *lo, const int64_t *hi, int64_t base) {
    float top[SK_ATTENTION_ROWS], lane[SK_ATTENTION_ROWS][16], total[SK_ATTENTION_ROWS];
    for (int r = 0; r < rows; r++) top[r] = sk_softmax_max(s + r * ld + (lo[r] - base), hi[r] - lo[r]);
    for (int r = 0; r < rows; r++) {
        __m512 sum = top[r] == -INFINITY ? _mm512_setzero_ps() : sk_softmax_exp(s + r * ld + (lo[r] - base), hi[r] - lo[r], top[r]);
        _mm512_storeu_ps(lane[r], sum);
        total[r] = 0;
    }
    for (int l = 0; l < 16; l++)
        for (int r = 0; r < rows; r++) total[r] += lane[r][l];
    for (int r = 0; r < rows; r++) {
        if (top[r] != -INFINITY) sk_softmax_scale(s + r * ld + (lo[r] - base), hi[r] - lo[r], 1.0f / total[r]);
    }
}

/// sk_attention_head_scalar's steps, SK_ATTENTION_ROWS query rows at a time:
///   1. the keys the rows can reach, transposed once for all the heads into d rows (16 × 16
///      tiles), so that 16 keys' scores are one fma a dimension;
///   2. per group of rows, scores 32 keys at a time (16 accumulators), scaled and capped;
///   3. each row's softmax over its own keys (sk_softmax_avx512's operations);
///   4. the values, 32 columns at a time (16 accumulators), each row adding only its own
///      keys.
SK_AVX512 void sk_attention_head_avx512(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv,
                                        float *out, int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0,
                                        int causal, int64_t window, float scale, float softcap, float *scratch) {
    enum { R = SK_ATTENTION_ROWS };
    int64_t base, hi_last, ld;
    sk_attention_span(pos0, m, n, causal, window, &base, &hi_last, &ld);
    float *kt = scratch, *s = scratch + d * ld;
    for (int64_t j0 = 0; j0 < ld; j0 += 16) {
        for (int64_t c0 = 0; c0 < d; c0 += 16) {
            __mmask16 cm = sk_tail(d, c0);
            __m512 r[16];
            for (int t = 0; t < 16; t++) {
                int64_t j = base + j0 + t;
                r[t] = j < hi_last ? _mm512_maskz_loadu_ps(cm, k + j * ldk + c0) : _mm512_setzero_ps();
            }
            sk_transpose16(r);
            for (int64_t t = 0; t < 16 && c0 + t < d; t++) _mm512_storeu_ps(kt + (c0 + t) * ld + j0, r[t]);
        }
    }
    for (int64_t e = 0; e < heads; e++, q += d, out += d) {
        for (int64_t i0 = 0; i0 < m; i0 += R) {
            int64_t lo[R], hi[R];
            const float *qr[R];
            const int rows = sk_attention_group(q, ldq, i0, m, n, pos0, causal, window, lo, hi, qr);
            // Scores of the group's keys, 32 at a time (16 accumulators), then 16, from the
            // tile holding its first key.
            const int64_t j_end = (hi[rows - 1] - base + 15) & ~(int64_t)15;
            int64_t j0 = (lo[0] - base) & ~(int64_t)15;
            for (; j0 + 32 <= j_end; j0 += 32) sk_attend_scores_2(qr, kt, ld, d, j0, rows, scale, softcap, s);
            if (j0 < j_end) sk_attend_scores_1(qr, kt, ld, d, j0, rows, scale, softcap, s);
            sk_attend_softmax(s, ld, rows, lo, hi, base);
            // The values, with the keys counted from base.
            int64_t klo[R], khi[R];
            for (int r = 0; r < R; r++) {
                klo[r] = r < rows ? lo[r] - base : 0;
                khi[r] = r < rows ? hi[r] - base : 0;
            }
            const float *vb = v + base * ldv;
            float *o = out + i0 * ldo;
            for (int64_t c0 = 0; c0 < d; c0 += 32) {
                if (d - c0 > 16) {
                    sk_attend_values_2(vb, ldv, s, ld, o, ldo, rows, klo, khi, d, c0);
                } else {
                    sk_attend_values_1(vb, ldv, s, ld, o, ldo, rows, klo, khi, d, c0);
                }
            }
        }
    }
}

#endif
