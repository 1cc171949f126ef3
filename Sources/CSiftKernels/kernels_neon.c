// AArch64 Advanced SIMD twins of the conversions and Q8_0 kernels in kernels_scalar.c (the
// GEMMs are in gemm_neon.c). NEON is part of the AArch64 base ISA, so these need no target
// attribute; only the dot-product variant of vec_dot does. The defaults assumed: FPCR.RMode
// round-to-nearest, FPCR.FZ and FPCR.AHP off (true on Linux, macOS and iOS).
#if defined(__aarch64__)

#include "kernels_internal.h"

#include <arm_neon.h>
#include <math.h>

#if defined(__clang__)
#define SK_DOTPROD __attribute__((target("dotprod")))
#else
#define SK_DOTPROD __attribute__((target("+dotprod")))
#endif

// MARK: - Conversions

/// FCVT half → single is exact and quiets signalling NaNs, like sk_fp16_to_fp32_1.
void sk_fp16_to_fp32_neon(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(x + i));
        vst1q_f32(y + i, vcvt_f32_f16(vget_low_f16(h)));
        vst1q_f32(y + i + 4, vcvt_high_f32_f16(h));
    }
    for (; i < n; i++) y[i] = sk_fp16_to_fp32_1(x[i]);
}

/// FCVT single → half rounds to nearest even and keeps the top NaN payload bits, quiet.
void sk_fp32_to_fp16_neon(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float16x8_t h = vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(x + i)), vld1q_f32(x + i + 4));
        vst1q_u16(y + i, vreinterpretq_u16_f16(h));
    }
    for (; i < n; i++) y[i] = sk_fp32_to_fp16_1(x[i]);
}

void sk_bf16_to_fp32_neon(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint16x8_t h = vld1q_u16(x + i);
        vst1q_f32(y + i, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16)));
        vst1q_f32(y + i + 4, vreinterpretq_f32_u32(vshll_high_n_u16(h, 16)));
    }
    for (; i < n; i++) y[i] = sk_bf16_to_fp32_1(x[i]);
}

/// The gguf-py formula lane by lane in integer arithmetic.
static inline uint16x4_t sk_bf16_4(float32x4_t v) {
    uint32x4_t u = vreinterpretq_u32_f32(v);
    uint32x4_t nan = vcgtq_u32(vandq_u32(u, vdupq_n_u32(0x7fffffff)), vdupq_n_u32(0x7f800000));
    uint32x4_t quiet = vorrq_u32(vandq_u32(u, vdupq_n_u32(0xffff0000)), vdupq_n_u32(0x00400000));
    u = vbslq_u32(nan, quiet, u);
    uint32x4_t lsb = vandq_u32(vshrq_n_u32(u, 16), vdupq_n_u32(1));
    u = vaddq_u32(u, vaddq_u32(vdupq_n_u32(0x7fff), lsb));
    return vshrn_n_u32(u, 16);
}

void sk_fp32_to_bf16_neon(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        vst1q_u16(y + i, vcombine_u16(sk_bf16_4(vld1q_f32(x + i)), sk_bf16_4(vld1q_f32(x + i + 4))));
    }
    for (; i < n; i++) y[i] = sk_fp32_to_bf16_1(x[i]);
}

// MARK: - Q8_0

/// sk_q8_round on 4 lanes: FRINTA is roundf (half away from zero); lanes with |v| ≥ 128, inf
/// or NaN become 0 as in the scalar code.
static inline int32x4_t sk_round_q8(float32x4_t v) {
    uint32x4_t ok = vcltq_f32(vabsq_f32(v), vdupq_n_f32(128.0f));
    float32x4_t r = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(vrndaq_f32(v)), ok));
    return vcvtq_s32_f32(r);
}

/// One 32-block: scale (by `scale`, sk_q8_scale or sk_q8_a_scale) and quants; returns Σ qs.
/// NaN lanes are zeroed before the max (the scalar loop never lets NaN win); max is exact,
/// so the order does not matter.
static inline __attribute__((always_inline)) int32_t sk_quantize_block(const float *x, float *d, int8_t *qs, sk_scale_fn scale) {
    float32x4_t v[8];
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int j = 0; j < 8; j++) {
        v[j] = vld1q_f32(x + 4 * j);
        uint32x4_t not_nan = vceqq_f32(v[j], v[j]);
        m = vmaxq_f32(m, vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(vabsq_f32(v[j])), not_nan)));
    }
    float id;
    scale(vmaxvq_f32(m), d, &id);
    int32x4_t sum = vdupq_n_s32(0);
    for (int j = 0; j < 8; j += 2) {
        int32x4_t q0 = sk_round_q8(vmulq_n_f32(v[j], id));
        int32x4_t q1 = sk_round_q8(vmulq_n_f32(v[j + 1], id));
        sum = vaddq_s32(sum, vaddq_s32(q0, q1));
        int16x8_t q16 = vcombine_s16(vmovn_s32(q0), vmovn_s32(q1));  // exact: |q| ≤ 127
        vst1_s8(qs + 4 * j, vmovn_s16(q16));
    }
    return vaddvq_s32(sum);
}

void sk_quantize_row_q8_0_neon(const float *x, sk_block_q8_0 *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        sk_quantize_block(x + 32 * b, &d, y[b].qs, sk_q8_scale);
        y[b].d = sk_fp32_to_fp16_1(d);
    }
}

/// The row's blocks with `scale` (a constant wherever this is inlined).
static inline __attribute__((always_inline)) void sk_quantize_blocks_a(const float *x, sk_block_q8_a *y, int64_t k, sk_scale_fn scale) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        y[b].offset = -128 * sk_quantize_block(x + 32 * b, &d, y[b].qs, scale);
        y[b].d = d;
    }
}

void sk_quantize_row_q8_a_neon(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales) {
    if (scales == SK_SCALES_EXACT) {
        sk_quantize_blocks_a(x, y, k, sk_q8_scale);
    } else {
        sk_quantize_blocks_a(x, y, k, sk_q8_a_scale);
    }
}

void sk_dequantize_row_q8_0_neon(const sk_block_q8_0 *x, float *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d = sk_fp16_to_fp32_1(x[b].d);
        for (int h = 0; h < 2; h++) {
            int8x16_t q = vld1q_s8(x[b].qs + 16 * h);
            int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
            float *out = y + 32 * b + 16 * h;
            vst1q_f32(out, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), d));
            vst1q_f32(out + 4, vmulq_n_f32(vcvtq_f32_s32(vmovl_high_s16(lo)), d));
            vst1q_f32(out + 8, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), d));
            vst1q_f32(out + 12, vmulq_n_f32(vcvtq_f32_s32(vmovl_high_s16(hi)), d));
        }
    }
}

/// isum from int16 products (exact: |q·q| ≤ 16384) pairwise-added into int32.
float sk_vec_dot_q8_0_neon(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks) {
    float acc = 0.0f;
    for (int64_t i = 0; i < nblocks; i++) {
        int32x4_t s = vdupq_n_s32(0);
        for (int h = 0; h < 2; h++) {
            int8x16_t va = vld1q_s8(a[i].qs + 16 * h), vb = vld1q_s8(b[i].qs + 16 * h);
            s = vpadalq_s16(s, vmull_s8(vget_low_s8(va), vget_low_s8(vb)));
            s = vpadalq_s16(s, vmull_high_s8(va, vb));
        }
        float scale = sk_fp16_to_fp32_1(a[i].d) * sk_fp16_to_fp32_1(b[i].d);
        acc = fmaf((float)vaddvq_s32(s), scale, acc);
    }
    return acc;
}

/// SDOT: four int8 products per int32 lane, exact.
SK_DOTPROD float sk_vec_dot_q8_0_neondot(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks) {
    float acc = 0.0f;
    for (int64_t i = 0; i < nblocks; i++) {
        int32x4_t s = vdotq_s32(vdupq_n_s32(0), vld1q_s8(a[i].qs), vld1q_s8(b[i].qs));
        s = vdotq_s32(s, vld1q_s8(a[i].qs + 16), vld1q_s8(b[i].qs + 16));
        float scale = sk_fp16_to_fp32_1(a[i].d) * sk_fp16_to_fp32_1(b[i].d);
        acc = fmaf((float)vaddvq_s32(s), scale, acc);
    }
    return acc;
}

#endif
