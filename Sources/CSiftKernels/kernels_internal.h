// Private to CSiftKernels: the per-ISA implementations behind the public sk_* entry points
// (dispatch.c picks one) and the scalar bit-level helpers every file shares.
//
// Naming: sk_<kernel>_<level>, level ∈ scalar, avx2, avxvnni, avx512, vnni, neon, neondot,
// i8mm. The avxvnni, vnni, neondot and i8mm levels only define the kernels where their
// instructions pay (the GEMM; vec_dot on NEON); dispatch.c takes the rest from avx2, avx512
// and neon.
#ifndef SIFT_KERNELS_INTERNAL_H
#define SIFT_KERNELS_INTERNAL_H

#include "sift_kernels.h"

#include <string.h>

// The fp32 work is part of the numerical contract (same operations, same order on every
// level), so a*b + c must never become an fma behind our back; clang contracts by default.
// GCC ignores the pragma; no expression in these files has the a*b + c shape it would fuse.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

// MARK: - Scalar helpers (bit-exact with F16C / FCVT and with gguf-py)

static inline uint32_t sk_f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float sk_bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/// IEEE half → single; exact for every input. A signaling NaN comes back quiet (bit 22
/// set), payload kept, as VCVTPH2PS and FCVT do.
static inline float sk_fp16_to_fp32_1(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    if (exp == 0x1f) {
        return sk_bits_f32(sign | 0x7f800000 | (mant ? 0x00400000 | (mant << 13) : 0));
    }
    if (exp == 0) {
        if (mant == 0) return sk_bits_f32(sign);
        // Subnormal: mant * 2^-24. Normalise so the leading 1 lands on bit 10.
        exp = 113;  // 127 - 14
        while ((mant & 0x400) == 0) {
            mant <<= 1;
            exp -= 1;
        }
        return sk_bits_f32(sign | (exp << 23) | ((mant & 0x3ff) << 13));
    }
    return sk_bits_f32(sign | ((exp + 112) << 23) | (mant << 13));
}

/// IEEE single → half, round to nearest even; overflow → ±inf; NaN → quiet NaN with the top
/// 10 payload bits kept (what VCVTPS2PH and FCVT produce).
static inline uint16_t sk_fp32_to_fp16_1(float f) {
    uint32_t x = sk_f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffff;
    if (ax > 0x7f800000) return (uint16_t)(sign | 0x7e00 | ((ax >> 13) & 0x3ff));
    if (ax >= 0x477ff000) return (uint16_t)(sign | 0x7c00);  // ≥ 65520 rounds to inf
    if (ax >= 0x38800000) {                                   // normal half (≥ 2^-14)
        ax -= 0x38000000;                                     // rebias 127 → 15
        ax += 0xfff + ((ax >> 13) & 1);                       // RNE on the 13 dropped bits
        return (uint16_t)(sign | (ax >> 13));
    }
    if (ax <= 0x33000000) return sign;  // ≤ 2^-25: rounds to ±0 (the tie goes to even 0)
    // Subnormal half: round(value * 2^24) with value = m * 2^(e - 150).
    uint32_t e = ax >> 23;
    uint32_t m = (ax & 0x7fffff) | 0x800000;
    uint32_t shift = 126 - e;  // 14 ... 24
    uint32_t h = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h += 1;  // may carry into the smallest normal
    return (uint16_t)(sign | h);
}

static inline float sk_bf16_to_fp32_1(uint16_t h) {
    return sk_bits_f32((uint32_t)h << 16);
}

/// gguf-py / ggml: NaN → (bits & 0xffff0000) | quiet bit, then round to nearest even.
static inline uint16_t sk_fp32_to_bf16_1(float f) {
    uint32_t n = sk_f32_bits(f);
    if ((n & 0x7fffffff) > 0x7f800000) n = (n & 0xffff0000) | 0x00400000;
    return (uint16_t)((n + (0x7fff + ((n >> 16) & 1))) >> 16);
}

// MARK: - Scalar reference (kernels_scalar.c)

void sk_fp16_to_fp32_scalar(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_fp16_scalar(const float *x, uint16_t *y, int64_t n);
void sk_bf16_to_fp32_scalar(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_bf16_scalar(const float *x, uint16_t *y, int64_t n);
void sk_quantize_row_q8_0_scalar(const float *x, sk_block_q8_0 *y, int64_t k);
void sk_dequantize_row_q8_0_scalar(const sk_block_q8_0 *x, float *y, int64_t k);
float sk_vec_dot_q8_0_scalar(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks);
void sk_quantize_row_q8_a_scalar(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales);
void sk_gemm_q8_0_scalar(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                         const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

/// The one quantization step every level shares: amax → (d, 1/d) exactly as ggml does.
/// amax ignores NaN lanes (SIMD levels drop them the same way).
static inline void sk_q8_scale(float amax, float *d, float *id) {
    *d = amax / 127.0f;
    *id = *d != 0.0f ? 1.0f / *d : 0.0f;
}

/// amax → (d, 1/d): sk_q8_scale for Q8_0 blocks, sk_q8_a_scale for activation blocks.
typedef void (*sk_scale_fn)(float amax, float *d, float *id);

/// Bit patterns of the activation scale's bounds, 2^-100 and 2^110, and of 1.0f.
#define SK_Q8A_MIN_BITS 0x0d800000u
#define SK_Q8A_MAX_BITS 0x76800000u
#define SK_ONE_BITS 0x3f800000u

/// The activation blocks' scale for SK_SCALES_POW2: amax / 127 rounded up to a power of
/// two within [2^-100, 2^110], and its exact reciprocal. On the bits of a non-negative
/// float: add the mantissa mask and keep the exponent (a power of two stays itself,
/// anything else moves up one), then clamp from below (0 and subnormals). 1/d is the power
/// of two with the mirrored exponent. A block beyond the top (amax / 127 > 2^110, inf
/// included) gets d = 2^110 and 1/d = 0, so all its quants are 0: with 1/d = 2^-110 some
/// would round to 128, which int8 does not hold.
static inline void sk_q8_a_scale(float amax, float *d, float *id) {
    uint32_t b = sk_f32_bits(amax / 127.0f);
    if (b > SK_Q8A_MAX_BITS) {
        *d = sk_bits_f32(SK_Q8A_MAX_BITS);
        *id = 0.0f;
        return;
    }
    b = (b + 0x007fffffu) & 0x7f800000u;
    if (b < SK_Q8A_MIN_BITS) b = SK_Q8A_MIN_BITS;
    *d = sk_bits_f32(b);
    *id = sk_bits_f32(0x7f000000u - b);
}

/// x.d · w.d as the GEMMs compute it: for SK_SCALES_POW2 an add to w.d's exponent (x.d is
/// a power of two), for SK_SCALES_EXACT the fp32 product.
static inline float sk_q8_scale_product(float xd, float wd, sk_scales scales) {
    if (scales == SK_SCALES_EXACT) return xd * wd;
    return sk_bits_f32(sk_f32_bits(wd) + sk_f32_bits(xd) - SK_ONE_BITS);
}

/// A product with no K blocks (k < 32): its outputs, columns [n0, n1) of every row, are 0.
/// Returns whether that was the case; the GEMMs start with it.
static inline int sk_gemm_without_k(int64_t m, int64_t k, float *y, int64_t ldy, int64_t n0, int64_t n1) {
    if (k >= 32) return 0;
    for (int64_t i = 0; i < m; i++) memset(y + i * ldy + n0, 0, sizeof(float) * (size_t)(n1 - n0));
    return 1;
}

/// The fewest row groups a product needs for the GEMMs without VNNI (sk_gemm_by_panels,
/// gemm_avx512.c) to prefetch the next panels while computing: with fewer, a panel's
/// prefetches come all at once and slow it down (measurements at sk_gemm_by_panels).
enum { SK_PREFETCH_MIN_GROUPS = 4 };

/// Row group g of `groups`' share of `lines` cache lines from `next`, prefetched into L2: the
/// next panels' weights, fetched while this group computes.
static inline void sk_prefetch_share(const char *next, int64_t lines, int64_t g, int64_t groups) {
    for (int64_t l = lines * g / groups; l < lines * (g + 1) / groups; l++) __builtin_prefetch(next + 64 * l, 0, 2);
}

/// The fp16 scales of `tiles` panels from tile t over K blocks [kb, kb1), prefetched into L2.
static inline void sk_prefetch_scales(const uint16_t *scales, int64_t nb, int64_t t, int64_t tiles, int64_t kb, int64_t kb1) {
    for (int64_t j = 0; j < tiles; j++) {
        const char *s0 = (const char *)(scales + ((t + j) * nb + kb) * SK_PANEL_COLS);
        for (int64_t o = 0; o < (kb1 - kb) * SK_PANEL_COLS * 2; o += 64) __builtin_prefetch(s0 + o, 0, 2);
    }
}

/// Rows in a row group of the 8-lane GEMMs (sk_gemm_by_panels and the micro-tiles it calls).
enum { SK_PANEL_GROUP_ROWS = 4 };

/// One row group of an 8-lane GEMM (gemm_avx2.c, gemm_avxvnni.c): `rows` (1 … 4) rows of
/// one panel over K blocks [b0, b1). x: the group's row 0 at block 0, row stride ldx; p: the
/// panel (tile, block 0); ps: its 16 fp16 scales, the next block's after them; y: the group's
/// output for the panel's column 0, row stride ldy, of which the first `valid` columns
/// (1 … 16 and more) are stored. `first` starts the sums at 0 instead of loading y.
typedef void (*sk_panel_group)(int rows, int64_t b0, int64_t b1, int first, const sk_block_q8_a *x, int64_t ldx,
                               const sk_panel_q8_0 *p, const uint16_t *ps, float *y, int64_t ldy, int64_t valid);

/// The loops around an 8-lane GEMM's row groups: K chunks of `kc` blocks at most, all of
/// equal size (no short tail chunk), with the outputs passing through y between chunks (each
/// output's fma chain is unchanged); per chunk every row group of 4 over a panel before the
/// next panel, so that the panel's blocks stay in L1 for all the rows.
static inline void sk_gemm_by_panels(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                                     const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, int64_t kc,
                                     sk_panel_group group) {
    if (sk_gemm_without_k(m, k, y, ldy, n0, n1)) return;
    int64_t nb = k / 32, chunks = (nb + kc - 1) / kc;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    int64_t t_begin = n0 / 16, t_end = (n1 + 15) / 16;
    for (int64_t c = 0; c < chunks; c++) {
        int64_t kb = nb * c / chunks, kb1 = nb * (c + 1) / chunks;
        const int64_t groups = (m + SK_PANEL_GROUP_ROWS - 1) / SK_PANEL_GROUP_ROWS;
        const int64_t lines = (kb1 - kb) * (int64_t)sizeof(sk_panel_q8_0) / 64;
        for (int64_t t = t_begin; t < t_end; t++) {
            // The next panel's lines for this chunk, spread over the row groups, into L2:
            // otherwise every panel waits on memory when the weights stream from it. From 4
            // row groups (13 rows) on. One thread, C harness, 896 × 896 weights, µs, without
            // -> with, AVX-VNNI code (AVX-512 encoding) on the Zen 4: streamed from memory (100
            // copies), 16 rows 128-136 -> 105-112, 64 rows 342-349 -> 300-310; in L2, 16 rows
            // 70.6-71.2 -> 73.7-74.3, 64 rows 282-287 -> 288-289; AVX2 streamed, 16 rows
            // 266-269 -> 238-239, 64 rows 861-871 -> 823-830, in L2 within 1%. With 1 or 2 row
            // groups, where a panel's prefetches come all at once, 4 rows streamed took 45-48 µs
            // without them and 79-80 with them.
            const int ahead = t + 1 < t_end && groups >= SK_PREFETCH_MIN_GROUPS;
            if (ahead) sk_prefetch_scales(scales, nb, t + 1, 1, kb, kb1);
            for (int64_t g = 0; g < groups; g++) {
                int64_t i = SK_PANEL_GROUP_ROWS * g;
                if (ahead) sk_prefetch_share((const char *)(w + (t + 1) * nb + kb), lines, g, groups);
                int rows = m - i < SK_PANEL_GROUP_ROWS ? (int)(m - i) : SK_PANEL_GROUP_ROWS;
                group(rows, kb, kb1, c == 0, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, y + i * ldy + 16 * t,
                      ldy, n1 - 16 * t);
            }
        }
    }
}

#if defined(__x86_64__)

// MARK: - AVX2 + FMA + F16C (kernels_avx2.c, gemm_avx2.c)

void sk_fp16_to_fp32_avx2(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_fp16_avx2(const float *x, uint16_t *y, int64_t n);
void sk_bf16_to_fp32_avx2(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_bf16_avx2(const float *x, uint16_t *y, int64_t n);
void sk_quantize_row_q8_0_avx2(const float *x, sk_block_q8_0 *y, int64_t k);
void sk_dequantize_row_q8_0_avx2(const sk_block_q8_0 *x, float *y, int64_t k);
float sk_vec_dot_q8_0_avx2(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks);
void sk_quantize_row_q8_a_avx2(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales);
void sk_gemm_q8_0_avx2(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                       const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

// MARK: - AVX-512 F/BW/VL/DQ (kernels_avx512.c, gemm_avx512.c) and VNNI (gemm_vnni.c)

void sk_fp16_to_fp32_avx512(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_fp16_avx512(const float *x, uint16_t *y, int64_t n);
void sk_bf16_to_fp32_avx512(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_bf16_avx512(const float *x, uint16_t *y, int64_t n);
void sk_quantize_row_q8_0_avx512(const float *x, sk_block_q8_0 *y, int64_t k);
void sk_dequantize_row_q8_0_avx512(const sk_block_q8_0 *x, float *y, int64_t k);
float sk_vec_dot_q8_0_avx512(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks);
void sk_quantize_row_q8_a_avx512(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales);
void sk_gemm_q8_0_avx512(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                         const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

void sk_gemm_q8_0_vnni(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                       const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

// MARK: - AVX-VNNI (gemm_avxvnni.c): the AVX2 level with a 256-bit VPDPBUSD

void sk_gemm_q8_0_avxvnni(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                          const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);
/// The same kernel from the same source with VPDPBUSD in its AVX-512 VL encoding, for
/// machines with AVX-512 VNNI but not AVX-VNNI (CrossCheck runs it there: the only way this
/// project's Zen 4 can execute the AVX-VNNI kernel's code).
void sk_gemm_q8_0_avxvnni_evex(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                               const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

#endif

#if defined(__aarch64__)

// MARK: - AArch64 Advanced SIMD (kernels_neon.c, gemm_neon.c), dot product and matrix multiply

/// Per-function targets for the dot product (SDOT) and int8 matrix multiply (USMMLA): clang
/// and GCC spell them differently.
#if defined(__clang__)
#define SK_DOTPROD __attribute__((target("dotprod")))
#define SK_I8MM __attribute__((target("i8mm")))
#else
#define SK_DOTPROD __attribute__((target("+dotprod")))
#define SK_I8MM __attribute__((target("+i8mm")))
#endif

void sk_fp16_to_fp32_neon(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_fp16_neon(const float *x, uint16_t *y, int64_t n);
void sk_bf16_to_fp32_neon(const uint16_t *x, float *y, int64_t n);
void sk_fp32_to_bf16_neon(const float *x, uint16_t *y, int64_t n);
void sk_quantize_row_q8_0_neon(const float *x, sk_block_q8_0 *y, int64_t k);
void sk_dequantize_row_q8_0_neon(const sk_block_q8_0 *x, float *y, int64_t k);
float sk_vec_dot_q8_0_neon(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks);
void sk_quantize_row_q8_a_neon(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales);
void sk_gemm_q8_0_neon(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                       const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

float sk_vec_dot_q8_0_neondot(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks);
void sk_gemm_q8_0_neondot(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                          const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);
void sk_gemm_q8_0_i8mm(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                       const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales);

#endif

// MARK: - Attention (math_scalar.c, math_avx2.c, math_avx512.c, math_neon.c)

/// The keys [*lo, *hi) the query at position p may attend to (sk_attention_head).
static inline void sk_attention_keys(int64_t p, int64_t n, int causal, int64_t window, int64_t *lo, int64_t *hi) {
    int64_t h = causal && p + 1 < n ? p + 1 : n;
    int64_t l = window > 0 && p - window + 1 > 0 ? p - window + 1 : 0;
    *lo = l < h ? l : h;
    *hi = h;
}

/// The keys that query rows pos0 ..< pos0 + m reach together, as the SIMD attention kernels
/// lay them out: from *base (the first row's first key, rounded down to a multiple of 16) to
/// *hi (the last row's end), *ld keys (that span rounded up to 16). A row's keys never start
/// or end earlier than the row before's, so the first and last rows bound them all.
static inline void sk_attention_span(int64_t pos0, int64_t m, int64_t n, int causal, int64_t window, int64_t *base, int64_t *hi,
                                     int64_t *ld) {
    int64_t lo_first, hi_first, lo_last;
    sk_attention_keys(pos0, n, causal, window, &lo_first, &hi_first);
    sk_attention_keys(pos0 + m - 1, n, causal, window, &lo_last, hi);
    *base = lo_first & ~(int64_t)15;
    *ld = (*hi - *base + 15) & ~(int64_t)15;
}

/// The group of up to SK_ATTENTION_ROWS query rows from row i0 (of m) that the SIMD
/// attention kernels take together: each row's keys [lo[r], hi[r]) and query qr[r]; rows past
/// m get no keys and row i0's query. Returns the group's rows.
static inline int sk_attention_group(const float *q, int64_t ldq, int64_t i0, int64_t m, int64_t n, int64_t pos0, int causal,
                                     int64_t window, int64_t lo[SK_ATTENTION_ROWS], int64_t hi[SK_ATTENTION_ROWS],
                                     const float *qr[SK_ATTENTION_ROWS]) {
    const int rows = m - i0 < SK_ATTENTION_ROWS ? (int)(m - i0) : SK_ATTENTION_ROWS;
    for (int r = 0; r < SK_ATTENTION_ROWS; r++) {
        if (r < rows) {
            sk_attention_keys(pos0 + i0 + r, n, causal, window, &lo[r], &hi[r]);
        } else {
            lo[r] = hi[r] = 0;
        }
        qr[r] = q + (i0 + (r < rows ? r : 0)) * ldq;
    }
    return rows;
}

/// Query rows the scores and values steps of attention_driver.h take together.
enum { SK_ATTEND_QUARTER = 4 };

// MARK: - Row math constants (math_scalar.c, math_avx2.c, math_avx512.c, math_neon.c)

#define SK_EXP_MIN (-87.3f)
#define SK_EXP_MAX 88.3f
#define SK_LOG2E 1.44269504088896341f
#define SK_LN2_HI 0.693359375f
#define SK_LN2_LO (-2.12194440e-4f)
#define SK_EXP_P0 1.9875691500e-4f
#define SK_EXP_P1 1.3981999507e-3f
#define SK_EXP_P2 8.3334519073e-3f
#define SK_EXP_P3 4.1665795894e-2f
#define SK_EXP_P4 1.6666665459e-1f
#define SK_EXP_P5 5.0000001201e-1f
// erf(x) = x P(x²) / Q(x²) for |x| ≤ SK_ERF_MAX, where erf rounds to 1 in fp32; x is clamped
// to that range. P and Q are of degree 5, fitted by models/fit_erf.py by iterated
// least squares toward the smallest absolute error: 1.6e-8 in exact arithmetic, 3.5e-7 in
// fp32 with these fmaf steps (Abramowitz & Stegun 7.1.26, used before, is 5.3e-7 in fp32,
// and needs an exp).
#define SK_ERF_MAX 3.92f
#define SK_ERF_P0 1.12837899f
#define SK_ERF_P1 0.192747623f
#define SK_ERF_P2 0.0530582257f
#define SK_ERF_P3 0.00386759848f
#define SK_ERF_P4 0.000287458621f
#define SK_ERF_P5 2.03480454e-06f
#define SK_ERF_Q1 0.504149795f
#define SK_ERF_Q2 0.115077749f
#define SK_ERF_Q3 0.0151708433f
#define SK_ERF_Q4 0.00118793012f
#define SK_ERF_Q5 3.80702731e-05f
#define SK_SQRT1_2 0.70710678118654752f
#define SK_GELU_C 0.044715f
#define SK_SQRT_2_PI 0.79788456080286536f

float sk_expf_1(float x);
float sk_gelu_1(float x);
float sk_gelu_tanh_1(float x);
float sk_silu_1(float x);

#define SK_ROW_MATH(level) \
    void sk_softmax_##level(float *x, int64_t n); \
    float sk_log_sum_exp_##level(const float *x, int64_t n); \
    void sk_bias_activation_##level(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act); \
    void sk_gelu_##level(float *x, int64_t n); \
    void sk_gelu_tanh_##level(float *x, int64_t n); \
    void sk_silu_mul_##level(float *a, const float *b, int64_t n); \
    void sk_gelu_tanh_mul_##level(float *a, const float *b, int64_t n); \
    void sk_layer_norm_##level(float *x, const float *w, const float *b, int64_t n, float eps); \
    void sk_rms_norm_##level(float *x, const float *w, int64_t n, float eps); \
    void sk_attention_head_##level(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv, \
                                   float *out, int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0, int causal, \
                                   int64_t window, float scale, float softcap, float *scratch);
SK_ROW_MATH(scalar)
SK_ROW_MATH(avx2)
SK_ROW_MATH(avx512)
SK_ROW_MATH(neon)
#undef SK_ROW_MATH

#endif
