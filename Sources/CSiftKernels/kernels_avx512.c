// AVX-512 F/BW/VL/DQ twins of the conversions and Q8_0 kernels in kernels_scalar.c (the
// GEMMs are in gemm_avx512.c and gemm_vnni.c). Every function here returns exactly what its
// scalar twin returns; the comments say why each step is exact.
#if defined(__x86_64__)

#include "kernels_internal.h"

#include <immintrin.h>
#include <math.h>

#define SK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

/// Lanes [0, n) of a 16-lane vector; n ≥ 16 gives all of them.
static inline SK_AVX512 __mmask16 sk_mask16(int64_t n) {
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

// MARK: - Conversions

/// VCVTPH2PS is exact for every half, NaNs come back quiet like sk_fp16_to_fp32_1.
SK_AVX512 void sk_fp16_to_fp32_avx512(const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = sk_mask16(n - i);
        __m256i h = _mm256_maskz_loadu_epi16(m, x + i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_cvtph_ps(h));
    }
}

/// VCVTPS2PH with immediate 0: round to nearest even regardless of MXCSR.RC.
SK_AVX512 void sk_fp32_to_fp16_avx512(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = sk_mask16(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        _mm256_mask_storeu_epi16(y + i, m, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
}

SK_AVX512 void sk_bf16_to_fp32_avx512(const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = sk_mask16(n - i);
        __m512i w = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, x + i));
        _mm512_mask_storeu_ps(y + i, m, _mm512_castsi512_ps(_mm512_slli_epi32(w, 16)));
    }
}

/// The gguf-py formula lane by lane in integer arithmetic (VCVTNEPS2BF16 would flush
/// subnormals, so it is not used).
SK_AVX512 void sk_fp32_to_bf16_avx512(const float *x, uint16_t *y, int64_t n) {
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
    const __m512i hi_mask = _mm512_set1_epi32((int)0xffff0000), quiet = _mm512_set1_epi32(0x00400000);
    const __m512i bias = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = sk_mask16(n - i);
        __m512i u = _mm512_castps_si512(_mm512_maskz_loadu_ps(m, x + i));
        __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs_mask), inf);
        u = _mm512_mask_or_epi32(u, nan, _mm512_and_si512(u, hi_mask), quiet);
        __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), one);
        u = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(bias, lsb)), 16);
        _mm256_mask_storeu_epi16(y + i, m, _mm512_cvtepi32_epi16(u));
    }
}

// MARK: - Q8_0

/// max |x| over 32 floats. max(|v|, 0) maps NaN to 0 (VMAXPS returns its second operand
/// when either is NaN), matching the scalar loop that never lets NaN win; max is exact,
/// so the reduction order does not matter.
static inline SK_AVX512 float sk_amax32(__m512 v0, __m512 v1) {
    const __m512 zero = _mm512_setzero_ps();
    __m512 a = _mm512_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), zero), _mm512_max_ps(_mm512_abs_ps(v1), zero));
    return _mm512_reduce_max_ps(a);
}

/// sk_q8_round on 16 lanes: roundf (half away from zero) as trunc(v + copysign(h, v)) with
/// h = 0.5 - 2^-25, the float just below one half (with h = 0.5, 0.5 - 2^-25 would round up);
/// lanes with |v| ≥ 128, inf or NaN become 0 as in the scalar code. Checked equal to the
/// scalar sk_q8_round for all 2^32 float bit patterns. Six operations where truncating and
/// comparing the fraction took eight.
static inline SK_AVX512 __m512i sk_round_q8(__m512 v) {
    const __m512 h = _mm512_castsi512_ps(_mm512_set1_epi32(0x3effffff)), limit = _mm512_set1_ps(128.0f);
    __mmask16 ok = _mm512_cmp_ps_mask(_mm512_abs_ps(v), limit, _CMP_LT_OQ);
    __m512 signed_h = _mm512_or_ps(h, _mm512_and_ps(v, _mm512_set1_ps(-0.0f)));  // copysign(h, v)
    return _mm512_maskz_cvttps_epi32(ok, _mm512_add_ps(v, signed_h));
}

/// One 32-block: scale and quants; returns Σ qs.
static inline SK_AVX512 int32_t sk_quantize_block(const float *x, float *d, int8_t *qs) {
    __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
    float id;
    sk_q8_scale(sk_amax32(v0, v1), d, &id);
    const __m512 vid = _mm512_set1_ps(id);
    __m512i q0 = sk_round_q8(_mm512_mul_ps(v0, vid));
    __m512i q1 = sk_round_q8(_mm512_mul_ps(v1, vid));
    _mm_storeu_si128((__m128i *)qs, _mm512_cvtepi32_epi8(q0));
    _mm_storeu_si128((__m128i *)(qs + 16), _mm512_cvtepi32_epi8(q1));
    return _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
}

SK_AVX512 void sk_quantize_row_q8_0_avx512(const float *x, sk_block_q8_0 *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        sk_quantize_block(x + 32 * b, &d, y[b].qs);
        y[b].d = sk_fp32_to_fp16_1(d);
    }
}

/// Combines two vectors lane by lane: max of fp32 lanes, or sum of int32 lanes (`add`).
static inline __attribute__((always_inline)) SK_AVX512 __m512 sk_combine(__m512 a, __m512 b, int add) {
    if (add) return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
    return _mm512_max_ps(a, b);
}

/// Reduces 16 vectors at once: lane j of the result is the max (or int32 sum) of v[j]'s 16
/// lanes. Four halving rounds of two shuffles and one combine, then one permute puts block
/// j in lane j: 46 instructions where 16 separate reductions take 128. Max and integer sums
/// are exact, so the order does not change the result.
static inline __attribute__((always_inline)) SK_AVX512 __m512 sk_reduce16(__m512 v[16], int add) {
    __m512 a[8], b[4], c[2];
    // 16 -> 8: a[i] holds v[2i] in 128-bit quarters 0-1 and v[2i+1] in 2-3, 8 lanes each.
    for (int i = 0; i < 8; i++) {
        a[i] = sk_combine(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                          _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)), add);
    }
    // 8 -> 4: quarter q of b[i] holds v[4i + q] in 4 lanes.
    for (int i = 0; i < 4; i++) {
        b[i] = sk_combine(_mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                          _mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)), add);
    }
    // 4 -> 2: quarter q of c[i] holds v[8i + q] in lanes 0-1 and v[8i + 4 + q] in lanes 2-3.
    for (int i = 0; i < 2; i++) {
        c[i] = sk_combine(_mm512_shuffle_ps(b[2 * i], b[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                          _mm512_shuffle_ps(b[2 * i], b[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)), add);
    }
    // 2 -> 1: lane 4q + s holds v[4s + q].
    __m512 r = sk_combine(_mm512_shuffle_ps(c[0], c[1], _MM_SHUFFLE(2, 0, 2, 0)),
                          _mm512_shuffle_ps(c[0], c[1], _MM_SHUFFLE(3, 1, 3, 1)), add);
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_ps(order, r);
}

/// 16 blocks at a time (the last batch may be short): their maxima and sums are reduced
/// together (sk_reduce16) and their scales computed as one vector, the same operations as
/// sk_q8_scale's or sk_q8_a_scale's per block.
SK_AVX512 void sk_quantize_row_q8_a_avx512(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales) {
    const __m512 zero = _mm512_setzero_ps();
    int64_t nb = k / 32;
    for (int64_t b = 0; b < nb; b += 16) {
        const float *xb = x + 32 * b;
        int count = nb - b < 16 ? (int)(nb - b) : 16;
        __m512 v[16];
        for (int j = 0; j < 16; j++) {
            if (j >= count) {
                v[j] = zero;
                continue;
            }
            __m512 v0 = _mm512_abs_ps(_mm512_loadu_ps(xb + 32 * j)), v1 = _mm512_abs_ps(_mm512_loadu_ps(xb + 32 * j + 16));
            v[j] = _mm512_max_ps(_mm512_max_ps(v0, zero), _mm512_max_ps(v1, zero));  // NaN -> 0, as sk_amax32
        }
        __m512 d = _mm512_div_ps(sk_reduce16(v, 0), _mm512_set1_ps(127.0f)), id;
        if (scales == SK_SCALES_EXACT) {  // sk_q8_scale on 16 blocks
            id = _mm512_maskz_div_ps(_mm512_cmp_ps_mask(d, zero, _CMP_NEQ_UQ), _mm512_set1_ps(1.0f), d);
        } else {  // sk_q8_a_scale on 16 blocks: the same division, then the same integer steps
            const __m512i top = _mm512_set1_epi32((int)SK_Q8A_MAX_BITS);
            __mmask16 beyond = _mm512_cmpgt_epu32_mask(_mm512_castps_si512(d), top);
            __m512i bits = _mm512_and_si512(_mm512_add_epi32(_mm512_castps_si512(d), _mm512_set1_epi32(0x007fffff)), _mm512_set1_epi32(0x7f800000));
            bits = _mm512_mask_mov_epi32(_mm512_max_epu32(bits, _mm512_set1_epi32((int)SK_Q8A_MIN_BITS)), beyond, top);
            d = _mm512_castsi512_ps(bits);
            id = _mm512_castsi512_ps(_mm512_maskz_sub_epi32(~beyond, _mm512_set1_epi32(0x7f000000), bits));
        }
        float ids[16], ds[16];
        _mm512_storeu_ps(ids, id);
        _mm512_storeu_ps(ds, d);
        for (int j = 0; j < count; j++) {
            const __m512 vid = _mm512_set1_ps(ids[j]);
            __m512i q0 = sk_round_q8(_mm512_mul_ps(_mm512_loadu_ps(xb + 32 * j), vid));
            __m512i q1 = sk_round_q8(_mm512_mul_ps(_mm512_loadu_ps(xb + 32 * j + 16), vid));
            _mm_storeu_si128((__m128i *)y[b + j].qs, _mm512_cvtepi32_epi8(q0));
            _mm_storeu_si128((__m128i *)(y[b + j].qs + 16), _mm512_cvtepi32_epi8(q1));
            y[b + j].d = ds[j];
            v[j] = _mm512_castsi512_ps(_mm512_add_epi32(q0, q1));
        }
        int32_t offsets[16];
        __m512i sums = _mm512_castps_si512(sk_reduce16(v, 1));
        _mm512_storeu_si512(offsets, _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sums, 7)));  // -128 Σq
        // Scalar stores: clang turns this loop into scatters, which cost more than the rest
        // of the function together.
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
        for (int j = 0; j < count; j++) y[b + j].offset = offsets[j];
    }
}

SK_AVX512 void sk_dequantize_row_q8_0_avx512(const sk_block_q8_0 *x, float *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        __m512 d = _mm512_set1_ps(sk_fp16_to_fp32_1(x[b].d));
        __m512i q0 = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)x[b].qs));
        __m512i q1 = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x[b].qs + 16)));
        _mm512_storeu_ps(y + 32 * b, _mm512_mul_ps(_mm512_cvtepi32_ps(q0), d));
        _mm512_storeu_ps(y + 32 * b + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(q1), d));
    }
}

/// isum by widening both sides to int16 (exact for every int8, -128 included); the fp32
/// chain is the scalar one, block by block.
SK_AVX512 float sk_vec_dot_q8_0_avx512(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks) {
    float acc = 0.0f;
    for (int64_t i = 0; i < nblocks; i++) {
        __m512i va = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)a[i].qs));
        __m512i vb = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)b[i].qs));
        int32_t isum = _mm512_reduce_add_epi32(_mm512_madd_epi16(va, vb));
        float scale = sk_fp16_to_fp32_1(a[i].d) * sk_fp16_to_fp32_1(b[i].d);
        acc = fmaf((float)isum, scale, acc);
    }
    return acc;
}

#endif
