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

static inline SK_AVX512 __m512 sk_gelu_tanh16(__m512 x) {
    __m512 inner = _mm512_mul_ps(_mm512_mul_ps(x, x), _mm512_mul_ps(x, _mm512_set1_ps(SK_GELU_C)));
    inner = _mm512_mul_ps(_mm512_set1_ps(SK_SQRT_2_PI), _mm512_add_ps(x, inner));
    __m512 a = sk_abs16(inner);
    __m512 one = _mm512_set1_ps(1.0f);
    __m512 t = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(sk_exp16(_mm512_add_ps(a, a)), one)));
    t = sk_signed16(t, inner);
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(one, t));
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

SK_AVX512 void sk_softmax_avx512(float *x, int64_t n) {
    if (n <= 0) return;
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        mv = _mm512_mask_max_ps(mv, k, mv, _mm512_maskz_loadu_ps(k, x + i));
    }
    float m = _mm512_reduce_max_ps(mv);
    if (m == -INFINITY) return;
    __m512 mb = _mm512_set1_ps(m), sum = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        __m512 e = sk_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mb));
        _mm512_mask_storeu_ps(x + i, k, e);
        sum = _mm512_mask_add_ps(sum, k, sum, e);
    }
    __m512 inv = _mm512_set1_ps(1.0f / sk_lanes_in_order(sum));
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = sk_tail(n, i);
        _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inv));
    }
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

#endif
