// Row math of the forward pass (softmax, GELU, SiLU, LayerNorm, RMSNorm, attention): the
// scalar reference. math_avx512.c, math_avx2.c and math_neon.c do the same operations in the
// same order on 16, 8 and 4 lanes, so results are bit-identical: a sum over a row is kept as
// 16 partial sums (element i goes to lane i % 16) added in lane order at the end, and every
// a*b+c that the SIMD files fuse is an explicit fmaf here.
//
// exp: Cephes' single-precision range reduction and polynomial (relative error ~1e-7);
// erf: a rational fit (kernels_internal.h; absolute error 3.5e-7 in fp32), enough for the
// 1e-4 agreement with transformers the architecture tests ask for.
#include "kernels_internal.h"

#include <math.h>

/// c[0] x⁵ + c[1] x⁴ + … + c[5] by Horner's rule, one fmaf a step (sk_horner16 in
/// math_avx512.c takes the same steps).
static inline float sk_horner(float x, const float c[6]) {
    float p = c[0];
    for (int i = 1; i < 6; i++) p = fmaf(p, x, c[i]);
    return p;
}

float sk_expf_1(float x) {
    x = fminf(fmaxf(x, SK_EXP_MIN), SK_EXP_MAX);
    float n = nearbyintf(x * SK_LOG2E);
    float r = fmaf(n, -SK_LN2_HI, x);
    r = fmaf(n, -SK_LN2_LO, r);
    float p = sk_horner(r, (const float[6]){SK_EXP_P0, SK_EXP_P1, SK_EXP_P2, SK_EXP_P3, SK_EXP_P4, SK_EXP_P5});
    float r2 = r * r;
    p = fmaf(p, r2, r);
    p = p + 1.0f;
    return p * sk_bits_f32((uint32_t)((int32_t)n + 127) << 23);
}

/// erf(x) = x P(x²) / Q(x²), x clamped to ±SK_ERF_MAX (NaN becomes -SK_ERF_MAX, as VMAXPS
/// does).
static float sk_erf_1(float x) {
    x = fminf(fmaxf(x, -SK_ERF_MAX), SK_ERF_MAX);
    float s = x * x;
    float p = sk_horner(s, (const float[6]){SK_ERF_P5, SK_ERF_P4, SK_ERF_P3, SK_ERF_P2, SK_ERF_P1, SK_ERF_P0});
    float q = sk_horner(s, (const float[6]){SK_ERF_Q5, SK_ERF_Q4, SK_ERF_Q3, SK_ERF_Q2, SK_ERF_Q1, 1.0f});
    return (x * p) / q;
}

float sk_gelu_1(float x) {
    float e = sk_erf_1(x * SK_SQRT1_2);
    return (0.5f * x) * (1.0f + e);
}

/// tanh(u) = sign(u) (1 − 2 / (exp(2|u|) + 1)).
static float sk_tanh_1(float u) {
    float a = fabsf(u);
    float t = 1.0f - 2.0f / (sk_expf_1(a + a) + 1.0f);
    return u < 0 ? -t : t;
}

float sk_gelu_tanh_1(float x) {
    float inner = (x * x) * (x * SK_GELU_C);
    inner = SK_SQRT_2_PI * (x + inner);
    return (0.5f * x) * (1.0f + sk_tanh_1(inner));
}

float sk_silu_1(float x) { return x / (1.0f + sk_expf_1(-x)); }

/// Σ x[i] (or Σ x[i]² with `squares`) as 16 lane sums added in lane order.
static float sk_lane_sum(const float *x, int64_t n, int squares, float shift) {
    float lane[16] = {0};
    for (int64_t i = 0; i < n; i++) {
        float v = x[i] - shift;
        lane[i % 16] = squares ? fmaf(v, v, lane[i % 16]) : lane[i % 16] + v;
    }
    float s = 0;
    for (int l = 0; l < 16; l++) s += lane[l];
    return s;
}

void sk_softmax_scalar(float *x, int64_t n) {
    if (n <= 0) return;
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = fmaxf(m, x[i]);
    if (m == -INFINITY) return;
    for (int64_t i = 0; i < n; i++) x[i] = sk_expf_1(x[i] - m);
    float inv = 1.0f / sk_lane_sum(x, n, 0, 0);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

/// The sum runs in 16 lanes (element i in lane i % 16) added in lane order, as the
/// AVX-512 version's vector does.
float sk_log_sum_exp_scalar(const float *x, int64_t n) {
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = fmaxf(m, x[i]);
    if (m == -INFINITY || !isfinite(m)) return m;
    float lane[16] = {0};
    for (int64_t i = 0; i < n; i++) lane[i % 16] += sk_expf_1(x[i] - m);
    float s = 0;
    for (int l = 0; l < 16; l++) s += lane[l];
    return m + logf(s);
}

void sk_bias_activation_scalar(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act) {
    for (int64_t i = 0; i < m; i++) {
        float *row = y + i * ldy;
        for (int64_t j = 0; j < n; j++) {
            float v = bias ? row[j] + bias[j] : row[j];
            row[j] = act == SK_ACT_GELU ? sk_gelu_1(v) : act == SK_ACT_GELU_TANH ? sk_gelu_tanh_1(v) : v;
        }
    }
}

void sk_gelu_scalar(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = sk_gelu_1(x[i]);
}

void sk_gelu_tanh_scalar(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = sk_gelu_tanh_1(x[i]);
}

void sk_silu_mul_scalar(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i++) a[i] = sk_silu_1(a[i]) * b[i];
}

void sk_gelu_tanh_mul_scalar(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i++) a[i] = sk_gelu_tanh_1(a[i]) * b[i];
}

void sk_layer_norm_scalar(float *x, const float *w, const float *b, int64_t n, float eps) {
    float mean = sk_lane_sum(x, n, 0, 0) / (float)n;
    float var = sk_lane_sum(x, n, 1, mean) / (float)n;
    float rstd = 1.0f / sqrtf(var + eps);
    for (int64_t i = 0; i < n; i++) {
        float t = (x[i] - mean) * rstd;
        x[i] = b ? fmaf(t, w[i], b[i]) : t * w[i];
    }
}

void sk_rms_norm_scalar(float *x, const float *w, int64_t n, float eps) {
    float ms = sk_lane_sum(x, n, 1, 0) / (float)n;
    float rstd = 1.0f / sqrtf(ms + eps);
    for (int64_t i = 0; i < n; i++) x[i] = (x[i] * rstd) * w[i];
}

/// One query row (the query at position pos) of sk_attention_head_scalar.
static void sk_attention_row_scalar(const float *qi, const float *k, int64_t ldk, const float *v, int64_t ldv, float *oi,
                                    int64_t n, int64_t d, int64_t pos, int causal, int64_t window, float scale, float softcap,
                                    float *scratch) {
    int64_t lo, hi;
    sk_attention_keys(pos, n, causal, window, &lo, &hi);
    for (int64_t c = 0; c < d; c++) oi[c] = 0.0f;
    if (lo == hi) return;
    for (int64_t j = lo; j < hi; j++) {
        const float *kj = k + j * ldk;
        float s = 0.0f;
        for (int64_t c = 0; c < d; c++) s = fmaf(qi[c], kj[c], s);
        s *= scale;
        if (softcap > 0) s = softcap * sk_tanh_1(s / softcap);
        scratch[j - lo] = s;
    }
    sk_softmax_scalar(scratch, hi - lo);
    for (int64_t j = lo; j < hi; j++) {
        const float *vj = v + j * ldv;
        float p = scratch[j - lo];
        for (int64_t c = 0; c < d; c++) oi[c] = fmaf(p, vj[c], oi[c]);
    }
}

/// Head by head and row by row, the operations sk_attention_head documents, in its order.
/// The AVX-512 version computes several rows and 16 keys or values at once; every lane of
/// it takes these steps for its row.
void sk_attention_head_scalar(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv,
                              float *out, int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0, int causal,
                              int64_t window, float scale, float softcap, float *scratch) {
    for (int64_t e = 0; e < heads; e++) {
        for (int64_t i = 0; i < m; i++) {
            sk_attention_row_scalar(q + i * ldq + e * d, k, ldk, v, ldv, out + i * ldo + e * d, n, d, pos0 + i, causal, window,
                                    scale, softcap, scratch);
        }
    }
}
