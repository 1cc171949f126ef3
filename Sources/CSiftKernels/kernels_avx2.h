// What the AVX2 files (kernels_avx2.c, gemm_avx2.c, gemm_avxvnni.c, math_avx2.c) share: their
// target attribute, the 8-lane loads and stores of a row's last, partial vector, and the
// GEMMs' per-block float step.
#ifndef SIFT_KERNELS_AVX2_H
#define SIFT_KERNELS_AVX2_H

#include "kernels_internal.h"

#include <immintrin.h>

/// The AVX2 level: AVX2 + FMA + F16C.
#define SK_AVX2 __attribute__((target("avx2,fma,f16c")))

/// Lanes [0, left) of 8 as a load/store mask.
static inline SK_AVX2 __m256i sk_lanes8(int64_t left) {
    int v = left < 0 ? 0 : left > 8 ? 8 : (int)left;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(v), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// The `left` first of 8 floats at p (all 8 when left ≥ 8), zeros in the other lanes. A
/// masked load touches no memory outside its lanes.
static inline SK_AVX2 __m256 sk_load8(const float *p, int64_t left) {
    return left >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, sk_lanes8(left));
}

/// Stores the `left` first lanes of v at p (all 8 when left ≥ 8, none when left ≤ 0).
static inline SK_AVX2 void sk_store8(float *p, int64_t left, __m256 v) {
    if (left >= 8) {
        _mm256_storeu_ps(p, v);
    } else if (left > 0) {
        _mm256_maskstore_ps(p, sk_lanes8(left), v);
    }
}

/// acc + (float)isum · (x.d · w.d) on 8 columns, as the scalar reference takes a block: the
/// scale product as sk_q8_scale_product (a product, or x.d's exponent added to w.d's), then
/// one fma. `exact` is a constant wherever this is inlined.
static inline __attribute__((always_inline)) SK_AVX2 __m256 sk_scaled_block8(__m256 acc, __m256i isum, __m256 wd, float xd,
                                                                             int exact) {
    __m256 scale;
    if (exact) {
        scale = _mm256_mul_ps(_mm256_set1_ps(xd), wd);
    } else {
        __m256i xe = _mm256_set1_epi32((int32_t)(sk_f32_bits(xd) - SK_ONE_BITS));
        scale = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(wd), xe));
    }
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc);
}

#endif
