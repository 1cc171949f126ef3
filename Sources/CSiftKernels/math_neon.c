// Row math with AArch64 Advanced SIMD: the operations of math_scalar.c, in the same order,
// on 4 lanes, so results are bit-identical with the scalar reference and the x86 files. A sum
// over a row keeps the reference's 16 lane sums, as four vectors (element i in lane i % 16).
// NEON has no masked loads: a row's last partial vector goes through a zeroed 4-float
// buffer. FMAXNM/FMINNM give fmaxf/fminf's NaN handling (the number wins), FRINTN
// nearbyintf's (ties to even under the default FPCR), FDIV and FSQRT are IEEE. NEON is part
// of the AArch64 base ISA, so nothing here needs a target attribute.
#if defined(__aarch64__)

#include "kernels_internal.h"

#include <arm_neon.h>
#include <math.h>

/// The `left` first of 4 floats at p (all 4 when left ≥ 4), zeros after them.
static inline float32x4_t sk_load4(const float *p, int64_t left) {
    if (left >= 4) return vld1q_f32(p);
    float t[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < left; i++) t[i] = p[i];
    return vld1q_f32(t);
}

static inline void sk_store4(float *p, int64_t left, float32x4_t v) {
    if (left >= 4) {
        vst1q_f32(p, v);
        return;
    }
    float t[4];
    vst1q_f32(t, v);
    for (int64_t i = 0; i < left; i++) p[i] = t[i];
}

/// v in the lanes below `left`, +0 in the others.
static inline float32x4_t sk_keep4(float32x4_t v, int64_t left) {
    if (left >= 4) return v;
    const uint32_t lanes[4] = {0, 1, 2, 3};
    uint32x4_t in = vcltq_u32(vld1q_u32(lanes), vdupq_n_u32(left < 0 ? 0 : (uint32_t)left));
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), in));
}

/// sk_horner on 4 lanes.
static inline float32x4_t sk_horner4(float32x4_t x, const float c[6]) {
    float32x4_t p = vdupq_n_f32(c[0]);
    for (int i = 1; i < 6; i++) p = vfmaq_f32(vdupq_n_f32(c[i]), p, x);
    return p;
}

static inline float32x4_t sk_exp4(float32x4_t x) {
    x = vminnmq_f32(vmaxnmq_f32(x, vdupq_n_f32(SK_EXP_MIN)), vdupq_n_f32(SK_EXP_MAX));
    float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(SK_LOG2E)));
    float32x4_t r = vfmaq_f32(x, n, vdupq_n_f32(-SK_LN2_HI));
    r = vfmaq_f32(r, n, vdupq_n_f32(-SK_LN2_LO));
    float32x4_t p = sk_horner4(r, (const float[6]){SK_EXP_P0, SK_EXP_P1, SK_EXP_P2, SK_EXP_P3, SK_EXP_P4, SK_EXP_P5});
    float32x4_t r2 = vmulq_f32(r, r);
    p = vfmaq_f32(r, p, r2);
    p = vaddq_f32(p, vdupq_n_f32(1.0f));
    int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(bits));
}

/// sk_erf_1 on 4 lanes (a NaN lane becomes -SK_ERF_MAX, as with fmaxf).
static inline float32x4_t sk_erf4(float32x4_t x) {
    x = vminnmq_f32(vmaxnmq_f32(x, vdupq_n_f32(-SK_ERF_MAX)), vdupq_n_f32(SK_ERF_MAX));
    float32x4_t s = vmulq_f32(x, x);
    float32x4_t p = sk_horner4(s, (const float[6]){SK_ERF_P5, SK_ERF_P4, SK_ERF_P3, SK_ERF_P2, SK_ERF_P1, SK_ERF_P0});
    float32x4_t q = sk_horner4(s, (const float[6]){SK_ERF_Q5, SK_ERF_Q4, SK_ERF_Q3, SK_ERF_Q2, SK_ERF_Q1, 1.0f});
    return vdivq_f32(vmulq_f32(x, p), q);
}

static inline float32x4_t sk_gelu4(float32x4_t x) {
    float32x4_t e = sk_erf4(vmulq_f32(x, vdupq_n_f32(SK_SQRT1_2)));
    return vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), x), vaddq_f32(vdupq_n_f32(1.0f), e));
}

/// sk_tanh_1 on 4 lanes; a negative u gets 0 − t, as the x86 files do.
static inline float32x4_t sk_tanh4(float32x4_t u) {
    float32x4_t a = vabsq_f32(u), one = vdupq_n_f32(1.0f);
    float32x4_t t = vsubq_f32(one, vdivq_f32(vdupq_n_f32(2.0f), vaddq_f32(sk_exp4(vaddq_f32(a, a)), one)));
    return vbslq_f32(vcltq_f32(u, vdupq_n_f32(0.0f)), vsubq_f32(vdupq_n_f32(0.0f), t), t);
}

static inline float32x4_t sk_gelu_tanh4(float32x4_t x) {
    float32x4_t inner = vmulq_f32(vmulq_f32(x, x), vmulq_f32(x, vdupq_n_f32(SK_GELU_C)));
    inner = vmulq_f32(vdupq_n_f32(SK_SQRT_2_PI), vaddq_f32(x, inner));
    return vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), x), vaddq_f32(vdupq_n_f32(1.0f), sk_tanh4(inner)));
}

static inline float32x4_t sk_silu4(float32x4_t x) {
    float32x4_t e = sk_exp4(vsubq_f32(vdupq_n_f32(0.0f), x));
    return vdivq_f32(x, vaddq_f32(vdupq_n_f32(1.0f), e));
}

/// The 16 lane sums (s[v] holds lanes 4v ..< 4v + 4) added in lane order.
static inline float sk_lanes_in_order(const float32x4_t s[4]) {
    float lane[16];
    for (int v = 0; v < 4; v++) vst1q_f32(lane + 4 * v, s[v]);
    float total = 0;
    for (int l = 0; l < 16; l++) total += lane[l];
    return total;
}

// The three passes of a softmax, as in the x86 files.

/// The largest of x[0 ..< n] (−inf for n = 0): lanes past the row keep −inf.
static inline float sk_softmax_max(const float *x, int64_t n) {
    float32x4_t mv = vdupq_n_f32(-INFINITY);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) mv = vmaxnmq_f32(mv, vld1q_f32(x + i));
    float m = vmaxnmvq_f32(mv);
    for (; i < n; i++) m = fmaxf(m, x[i]);
    return m;
}

/// x = exp(x − m); its 16 lane sums in s.
static inline void sk_softmax_exp(float *x, int64_t n, float m, float32x4_t s[4]) {
    float32x4_t mb = vdupq_n_f32(m);
    for (int v = 0; v < 4; v++) s[v] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < n; i += 4) {
        float32x4_t e = sk_exp4(vsubq_f32(sk_load4(x + i, n - i), mb));
        sk_store4(x + i, n - i, e);
        int v = (int)((i / 4) & 3);
        s[v] = vaddq_f32(s[v], sk_keep4(e, n - i));
    }
}

static inline void sk_softmax_scale(float *x, int64_t n, float inv) {
    float32x4_t iv = vdupq_n_f32(inv);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vmulq_f32(vld1q_f32(x + i), iv));
    for (; i < n; i++) x[i] *= inv;
}

void sk_softmax_neon(float *x, int64_t n) {
    if (n <= 0) return;
    float m = sk_softmax_max(x, n);
    if (m == -INFINITY) return;
    float32x4_t s[4];
    sk_softmax_exp(x, n, m, s);
    sk_softmax_scale(x, n, 1.0f / sk_lanes_in_order(s));
}

float sk_log_sum_exp_neon(const float *x, int64_t n) {
    float m = sk_softmax_max(x, n);
    if (m == -INFINITY || !isfinite(m)) return m;
    float32x4_t mb = vdupq_n_f32(m), s[4];
    for (int v = 0; v < 4; v++) s[v] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < n; i += 4) {
        int v = (int)((i / 4) & 3);
        s[v] = vaddq_f32(s[v], sk_keep4(sk_exp4(vsubq_f32(sk_load4(x + i, n - i), mb)), n - i));
    }
    return m + logf(sk_lanes_in_order(s));
}

void sk_bias_activation_neon(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act) {
    for (int64_t i = 0; i < m; i++) {
        float *row = y + i * ldy;
        for (int64_t j = 0; j < n; j += 4) {
            float32x4_t v = sk_load4(row + j, n - j);
            if (bias) v = vaddq_f32(v, sk_load4(bias + j, n - j));
            if (act == SK_ACT_GELU) v = sk_gelu4(v);
            if (act == SK_ACT_GELU_TANH) v = sk_gelu_tanh4(v);
            sk_store4(row + j, n - j, v);
        }
    }
}

void sk_gelu_neon(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 4) sk_store4(x + i, n - i, sk_gelu4(sk_load4(x + i, n - i)));
}

void sk_gelu_tanh_neon(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 4) sk_store4(x + i, n - i, sk_gelu_tanh4(sk_load4(x + i, n - i)));
}

void sk_silu_mul_neon(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i += 4) sk_store4(a + i, n - i, vmulq_f32(sk_silu4(sk_load4(a + i, n - i)), sk_load4(b + i, n - i)));
}

void sk_gelu_tanh_mul_neon(float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i += 4) {
        sk_store4(a + i, n - i, vmulq_f32(sk_gelu_tanh4(sk_load4(a + i, n - i)), sk_load4(b + i, n - i)));
    }
}

/// Σ (x − shift)², or Σ x with squares == 0 (shift unused), as 16 lane sums in order.
static inline float sk_row_sum(const float *x, int64_t n, int squares, float shift) {
    float32x4_t sb = vdupq_n_f32(shift), s[4];
    for (int v = 0; v < 4; v++) s[v] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < n; i += 4) {
        float32x4_t v = sk_load4(x + i, n - i);
        int h = (int)((i / 4) & 3);
        if (squares) {
            float32x4_t d = sk_keep4(vsubq_f32(v, sb), n - i);
            s[h] = vfmaq_f32(s[h], d, d);
        } else {
            s[h] = vaddq_f32(s[h], v);
        }
    }
    return sk_lanes_in_order(s);
}

void sk_layer_norm_neon(float *x, const float *w, const float *b, int64_t n, float eps) {
    float mean = sk_row_sum(x, n, 0, 0) / (float)n;
    float var = sk_row_sum(x, n, 1, mean) / (float)n;
    float32x4_t mb = vdupq_n_f32(mean), rstd = vdupq_n_f32(1.0f / sqrtf(var + eps));
    for (int64_t i = 0; i < n; i += 4) {
        float32x4_t t = vmulq_f32(vsubq_f32(sk_load4(x + i, n - i), mb), rstd);
        float32x4_t y = b ? vfmaq_f32(sk_load4(b + i, n - i), t, sk_load4(w + i, n - i)) : vmulq_f32(t, sk_load4(w + i, n - i));
        sk_store4(x + i, n - i, y);
    }
}

void sk_rms_norm_neon(float *x, const float *w, int64_t n, float eps) {
    float32x4_t rstd = vdupq_n_f32(1.0f / sqrtf(sk_row_sum(x, n, 1, 0) / (float)n + eps));
    for (int64_t i = 0; i < n; i += 4) {
        sk_store4(x + i, n - i, vmulq_f32(vmulq_f32(sk_load4(x + i, n - i), rstd), sk_load4(w + i, n - i)));
    }
}

// MARK: - Attention

/// Scores of rows qr[0 ..< rows] (rows ≤ 4; the others repeat row 0 and are not stored) for
/// keys j0 ..< j0 + 16 of the transposed keys kt (row stride ld), scaled and capped, into s
/// (row stride ld).
static inline void sk_attend_scores(const float *const *qr, const float *kt, int64_t ld, int64_t d, int64_t j0, int rows,
                                    float scale, float softcap, float *s) {
    enum { R = SK_ATTEND_QUARTER };
    float32x4_t acc[R][4];
    for (int r = 0; r < R; r++)
        for (int h = 0; h < 4; h++) acc[r][h] = vdupq_n_f32(0.0f);
    for (int64_t c = 0; c < d; c++) {
        float32x4_t kc[4];
        for (int h = 0; h < 4; h++) kc[h] = vld1q_f32(kt + c * ld + j0 + 4 * h);
        for (int r = 0; r < R; r++) {
            float32x4_t qc = vdupq_n_f32(qr[r][c]);
            for (int h = 0; h < 4; h++) acc[r][h] = vfmaq_f32(acc[r][h], qc, kc[h]);
        }
    }
    const float32x4_t scale4 = vdupq_n_f32(scale), cap4 = vdupq_n_f32(softcap);
    for (int r = 0; r < R; r++) {
        if (r >= rows) break;
        for (int h = 0; h < 4; h++) {
            float32x4_t x = vmulq_f32(acc[r][h], scale4);
            if (softcap > 0) x = vmulq_f32(cap4, sk_tanh4(vdivq_f32(x, cap4)));
            vst1q_f32(s + r * ld + j0 + 4 * h, x);
        }
    }
}

/// out rows r < rows (≤ 4) for the columns c0 ..< c0 + 16 (those below d): Σ_j p_ij v_j, one
/// fma a key in key order, each row over its own keys [lo[r], hi[r]). p_ij is at p + r·ldp + j.
static inline void sk_attend_values(const float *v, int64_t ldv, const float *p, int64_t ldp, float *out, int64_t ldo, int rows,
                                    const int64_t *lo, const int64_t *hi, int64_t d, int64_t c0) {
    enum { R = SK_ATTEND_QUARTER };
    float32x4_t acc[R][4];
    for (int r = 0; r < R; r++)
        for (int h = 0; h < 4; h++) acc[r][h] = vdupq_n_f32(0.0f);
    int64_t first = lo[0], last = hi[0];
    for (int r = 1; r < rows; r++) {
        first = lo[r] < first ? lo[r] : first;
        last = hi[r] > last ? hi[r] : last;
    }
    const int64_t left = d - c0;
    for (int64_t j = first; j < last; j++) {
        const float *vj = v + j * ldv + c0;
        float32x4_t vv[4];
        for (int h = 0; h < 4; h++) vv[h] = left >= 16 ? vld1q_f32(vj + 4 * h) : sk_load4(vj + 4 * h, left - 4 * h);
        for (int r = 0; r < R; r++) {
            if (r >= rows || j < lo[r] || j >= hi[r]) continue;
            float32x4_t pj = vdupq_n_f32(p[r * ldp + j]);
            for (int h = 0; h < 4; h++) acc[r][h] = vfmaq_f32(acc[r][h], pj, vv[h]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int h = 0; h < 4; h++) sk_store4(out + r * ldo + c0 + 4 * h, left - 4 * h, acc[r][h]);
    }
}

/// The keys base ..< hi transposed into d rows of ld floats, zeros past hi (element by
/// element: once a call, against the scores' m · n · d multiply-adds).
static inline void sk_attend_transpose(const float *k, int64_t ldk, int64_t d, int64_t base, int64_t hi, int64_t ld, float *kt) {
    for (int64_t c = 0; c < d; c++) {
        for (int64_t j = 0; j < ld; j++) kt[c * ld + j] = base + j < hi ? k[(base + j) * ldk + c] : 0.0f;
    }
}

#define sk_attend_softmax sk_softmax_neon
#define SK_ATTEND_TARGET
#include "attention_driver.h"

/// sk_attention_head_avx512's steps with 4-float vectors (attention_driver.h).
void sk_attention_head_neon(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv, float *out,
                            int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0, int causal, int64_t window,
                            float scale, float softcap, float *scratch) {
    sk_attend_quarters(q, ldq, k, ldk, v, ldv, out, ldo, heads, m, n, d, pos0, causal, window, scale, softcap, scratch);
}

#endif
