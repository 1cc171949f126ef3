// AVX2 + FMA + F16C twins of the conversions and Q8_0 kernels in kernels_scalar.c (the GEMM
// is in gemm_avx2.c). Main loops take 8 lanes; tails go through the scalar helpers, which
// compute the same values.
#if defined(__x86_64__)

#include "kernels_avx2.h"

#include <math.h>

// MARK: - Conversions

/// VCVTPH2PS is exact for every half, NaNs come back quiet like sk_fp16_to_fp32_1.
SK_AVX2 void sk_fp16_to_fp32_avx2(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
    }
    for (; i < n; i++) y[i] = sk_fp16_to_fp32_1(x[i]);
}

/// VCVTPS2PH with immediate 0: round to nearest even regardless of MXCSR.RC.
SK_AVX2 void sk_fp32_to_fp16_avx2(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; i++) y[i] = sk_fp32_to_fp16_1(x[i]);
}

SK_AVX2 void sk_bf16_to_fp32_avx2(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i)));
        _mm256_storeu_ps(y + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
    }
    for (; i < n; i++) y[i] = sk_bf16_to_fp32_1(x[i]);
}

/// The gguf-py formula lane by lane in integer arithmetic.
SK_AVX2 void sk_fp32_to_bf16_avx2(const float *x, uint16_t *y, int64_t n) {
    const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff), inf = _mm256_set1_epi32(0x7f800000);
    const __m256i hi_mask = _mm256_set1_epi32((int)0xffff0000), quiet = _mm256_set1_epi32(0x00400000);
    const __m256i bias = _mm256_set1_epi32(0x7fff), one = _mm256_set1_epi32(1);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i u = _mm256_castps_si256(_mm256_loadu_ps(x + i));
        // |u| > inf as signed compare is fine: both sides are non-negative.
        __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, abs_mask), inf);
        u = _mm256_blendv_epi8(u, _mm256_or_si256(_mm256_and_si256(u, hi_mask), quiet), nan);
        __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), one);
        u = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(bias, lsb)), 16);
        // Values are < 2^16 so the unsigned-saturating pack is exact; it works per 128-bit
        // lane, hence the qword permute.
        __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(u, u), 0x08);
        _mm_storeu_si128((__m128i *)(y + i), _mm256_castsi256_si128(p));
    }
    for (; i < n; i++) y[i] = sk_fp32_to_bf16_1(x[i]);
}

// MARK: - Q8_0

/// sk_q8_round on 8 lanes: roundf via truncation (|v| - trunc|v| is exact in fp32); lanes
/// with |v| ≥ 128, inf or NaN become 0 as in the scalar code.
static inline SK_AVX2 __m256i sk_round_q8(__m256 v) {
    const __m256 sign = _mm256_set1_ps(-0.0f), half = _mm256_set1_ps(0.5f);
    const __m256 one = _mm256_set1_ps(1.0f), limit = _mm256_set1_ps(128.0f);
    __m256 a = _mm256_andnot_ps(sign, v);
    __m256 t = _mm256_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m256 up = _mm256_cmp_ps(_mm256_sub_ps(a, t), half, _CMP_GE_OQ);
    t = _mm256_add_ps(t, _mm256_and_ps(up, one));
    __m256 ok = _mm256_cmp_ps(a, limit, _CMP_LT_OQ);
    __m256 r = _mm256_and_ps(_mm256_or_ps(t, _mm256_and_ps(v, sign)), ok);
    return _mm256_cvttps_epi32(r);
}

/// One 32-block: scale (by `scale`, sk_q8_scale or sk_q8_a_scale) and quants; returns Σ qs.
/// max(|v|, 0) maps NaN to 0 (VMAXPS returns its second operand when either is NaN), as the
/// scalar loop never lets NaN win.
static inline __attribute__((always_inline)) SK_AVX2 int32_t sk_quantize_block(const float *x, float *d, int8_t *qs, sk_scale_fn scale) {
    const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
    __m256 v[4];
    __m256 m = zero;
    for (int j = 0; j < 4; j++) {
        v[j] = _mm256_loadu_ps(x + 8 * j);
        m = _mm256_max_ps(m, _mm256_max_ps(_mm256_andnot_ps(sign, v[j]), zero));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float id;
    scale(_mm_cvtss_f32(m4), d, &id);
    const __m256 vid = _mm256_set1_ps(id);
    __m256i q[4];
    for (int j = 0; j < 4; j++) q[j] = sk_round_q8(_mm256_mul_ps(v[j], vid));
    // int32 → int8: every value is in [-127, 127], so the saturating packs are exact; undo
    // their per-lane interleave with one dword permute.
    __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)qs, p);
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
    return _mm_cvtsi128_si32(s4);
}

SK_AVX2 void sk_quantize_row_q8_0_avx2(const float *x, sk_block_q8_0 *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        sk_quantize_block(x + 32 * b, &d, y[b].qs, sk_q8_scale);
        y[b].d = sk_fp32_to_fp16_1(d);
    }
}

/// The row's blocks with `scale` (a constant wherever this is inlined).
static inline __attribute__((always_inline)) SK_AVX2 void sk_quantize_blocks_a(const float *x, sk_block_q8_a *y, int64_t k, sk_scale_fn scale) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        y[b].offset = -128 * sk_quantize_block(x + 32 * b, &d, y[b].qs, scale);
        y[b].d = d;
    }
}

SK_AVX2 void sk_quantize_row_q8_a_avx2(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales) {
    if (scales == SK_SCALES_EXACT) {
        sk_quantize_blocks_a(x, y, k, sk_q8_scale);
    } else {
        sk_quantize_blocks_a(x, y, k, sk_q8_a_scale);
    }
}

SK_AVX2 void sk_dequantize_row_q8_0_avx2(const sk_block_q8_0 *x, float *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        __m256 d = _mm256_set1_ps(sk_fp16_to_fp32_1(x[b].d));
        for (int j = 0; j < 4; j++) {
            __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(x[b].qs + 8 * j)));
            _mm256_storeu_ps(y + 32 * b + 8 * j, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
        }
    }
}

/// isum by widening both sides to int16 (exact for every int8, -128 included); the fp32
/// chain is the scalar one, block by block.
SK_AVX2 float sk_vec_dot_q8_0_avx2(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks) {
    float acc = 0.0f;
    for (int64_t i = 0; i < nblocks; i++) {
        __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].qs));
        __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a[i].qs + 16)));
        __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)b[i].qs));
        __m256i b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b[i].qs + 16)));
        __m256i s = _mm256_add_epi32(_mm256_madd_epi16(a0, b0), _mm256_madd_epi16(a1, b1));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
        float scale = sk_fp16_to_fp32_1(a[i].d) * sk_fp16_to_fp32_1(b[i].d);
        acc = fmaf((float)_mm_cvtsi128_si32(s4), scale, acc);
    }
    return acc;
}

#endif
