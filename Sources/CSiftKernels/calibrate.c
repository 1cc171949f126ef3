// The machine's int8 multiply-add peak, for the benchmark's "% of peak" column: a loop of
// independent dot-product instructions with no memory traffic, at the active level.
#include "kernels_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

/// 16 independent VPDPBUSD chains (latency 4-5 × 2-3 per cycle needs ≥ 12).
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static int64_t sk_peak_vnni(int64_t iterations) {
    __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(5);
    __m512i acc[16];
    for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_epi32(i);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 16; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(a));
    }
    __m512i s = acc[0];
    for (int i = 1; i < 16; i++) s = _mm512_add_epi32(s, acc[i]);
    volatile int32_t sink = _mm512_reduce_add_epi32(s);
    (void)sink;
    return iterations * 16 * 64;
}

/// AVX2: VPMADDUBSW + VPMADDWD + VPADDD per 32 multiply-adds, 8 chains. Each chain has its
/// own multiplicand, changed every iteration, so that no two VPMADDUBSW are the same
/// expression: with one shared product clang computed it once for all 8 chains, and the
/// "peak" (1065 GOP/s on two threads of this project's Zen 4) counted multiplies it never
/// made. (The kernel needs a VPSIGNB more per 32, see gemm_avx2.c.)
__attribute__((target("avx2"))) static int64_t sk_peak_avx2(int64_t iterations) {
    __m256i a = _mm256_set1_epi8(3), ones = _mm256_set1_epi16(1);
    __m256i b[8], acc[8];
    for (int i = 0; i < 8; i++) {
        b[i] = _mm256_set1_epi8((char)(5 + i));
        acc[i] = _mm256_set1_epi32(i);
    }
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 8; i++) {
            acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(a, b[i]), ones));
            __asm__ volatile("" : "+x"(b[i]));
        }
    }
    __m256i s = acc[0];
    for (int i = 1; i < 8; i++) s = _mm256_add_epi32(s, acc[i]);
    volatile int32_t sink = _mm256_extract_epi32(s, 0);
    (void)sink;
    return iterations * 8 * 32;
}

/// AVX-VNNI: 256-bit VPDPBUSD, 12 chains (latency 4-5 at 2 a cycle needs ≥ 10; AVX2 has 16
/// registers).
__attribute__((target("avx2,avxvnni"))) static int64_t sk_peak_avxvnni(int64_t iterations) {
    __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(5);
    __m256i acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_epi32(i);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
        __asm__ volatile("" : "+x"(a));
    }
    __m256i s = acc[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_epi32(s, acc[i]);
    volatile int32_t sink = _mm256_extract_epi32(s, 0);
    (void)sink;
    return iterations * 12 * 32;
}
#endif

#if defined(__aarch64__)
#include <arm_neon.h>

/// Plain Advanced SIMD: SMULL + SADALP per 8 multiply-adds (the neon GEMM's products), 12
/// chains, each with its own multiplicand changed every iteration (see sk_peak_avx2); 12 so
/// that the accumulators, multiplicands and products fit the 32 registers.
static int64_t sk_peak_neon(int64_t iterations) {
    int8x8_t a = vdup_n_s8(3);
    int8x8_t b[12];
    int32x4_t acc[12];
    for (int i = 0; i < 12; i++) {
        b[i] = vdup_n_s8((int8_t)(5 + i));
        acc[i] = vdupq_n_s32(i);
    }
    for (int64_t it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) {
            acc[i] = vpadalq_s16(acc[i], vmull_s8(a, b[i]));
            __asm__ volatile("" : "+w"(b[i]));
        }
    }
    int32x4_t s = acc[0];
    for (int i = 1; i < 12; i++) s = vaddq_s32(s, acc[i]);
    volatile int32_t sink = vaddvq_s32(s);
    (void)sink;
    return iterations * 12 * 8;
}

/// 16 independent SDOT chains, 16 multiply-adds each (latency 3-4 at up to 4 a cycle).
SK_DOTPROD static int64_t sk_peak_neondot(int64_t iterations) {
    int8x16_t a = vdupq_n_s8(3), b = vdupq_n_s8(5);
    int32x4_t acc[16];
    for (int i = 0; i < 16; i++) acc[i] = vdupq_n_s32(i);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 16; i++) acc[i] = vdotq_s32(acc[i], a, b);
        __asm__ volatile("" : "+w"(a));
    }
    int32x4_t s = acc[0];
    for (int i = 1; i < 16; i++) s = vaddq_s32(s, acc[i]);
    volatile int32_t sink = vaddvq_s32(s);
    (void)sink;
    return iterations * 16 * 16;
}

/// 16 independent USMMLA chains, 32 multiply-adds each.
SK_I8MM static int64_t sk_peak_i8mm(int64_t iterations) {
    uint8x16_t a = vdupq_n_u8(3);
    int8x16_t b = vdupq_n_s8(5);
    int32x4_t acc[16];
    for (int i = 0; i < 16; i++) acc[i] = vdupq_n_s32(i);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 16; i++) acc[i] = vusmmlaq_s32(acc[i], a, b);
        __asm__ volatile("" : "+w"(a));
    }
    int32x4_t s = acc[0];
    for (int i = 1; i < 16; i++) s = vaddq_s32(s, acc[i]);
    volatile int32_t sink = vaddvq_s32(s);
    (void)sink;
    return iterations * 16 * 32;
}
#endif

int64_t sk_int8_peak_loop(int64_t iterations) {
    switch (sk_isa_active()) {
#if defined(__x86_64__)
    case SK_ISA_AVX512_VNNI: return sk_peak_vnni(iterations);
    case SK_ISA_AVX_VNNI: return sk_peak_avxvnni(iterations);
    case SK_ISA_AVX2:
    case SK_ISA_AVX512: return sk_peak_avx2(iterations);
#endif
#if defined(__aarch64__)
    case SK_ISA_NEON: return sk_peak_neon(iterations);
    case SK_ISA_NEON_DOT: return sk_peak_neondot(iterations);
    case SK_ISA_NEON_I8MM: return sk_peak_i8mm(iterations);
#endif
    default: return 0;
    }
}
