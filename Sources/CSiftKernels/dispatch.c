// Run-time choice of instruction-set level, and the public sk_* entry points.
//
// The level is read from cpuid (x86-64: CPUID + XGETBV, so AVX/AVX-512 count only when the OS
// saves their registers) or from HWCAP / sysctl (AArch64), optionally lowered by the SIFT_ISA
// environment variable ("scalar", "avx2", "avx-vnni", "avx512", "vnni", "neon", "neon-dot",
// "neon-i8mm"; a value this CPU cannot run, or an unknown one, is ignored). The only mutable
// state in the target is sk_selected below: an atomic int written on first use and by
// sk_isa_set. Each public call reads it once, so a call runs entirely on one level; changing
// the level while other threads are inside kernels is safe but means those calls may finish on
// the old level.
#include "kernels_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

// MARK: - Implementation tables (one immutable table per level)

typedef struct {
    void (*fp16_to_fp32)(const uint16_t *, float *, int64_t);
    void (*fp32_to_fp16)(const float *, uint16_t *, int64_t);
    void (*bf16_to_fp32)(const uint16_t *, float *, int64_t);
    void (*fp32_to_bf16)(const float *, uint16_t *, int64_t);
    void (*quantize_row_q8_0)(const float *, sk_block_q8_0 *, int64_t);
    void (*dequantize_row_q8_0)(const sk_block_q8_0 *, float *, int64_t);
    float (*vec_dot_q8_0)(const sk_block_q8_0 *, const sk_block_q8_0 *, int64_t);
    void (*quantize_row_q8_a)(const float *, sk_block_q8_a *, int64_t, sk_scales);
    void (*gemm_q8_0)(int64_t, int64_t, int64_t, const sk_block_q8_a *, int64_t,
                      const sk_panel_q8_0 *, float *, int64_t, int64_t, int64_t, sk_scales);
    // Row math: each level's own (math_<level>.c; VNNI and the NEON dot product share their
    // base level's).
    void (*softmax)(float *, int64_t);
    float (*log_sum_exp)(const float *, int64_t);
    void (*bias_activation)(float *, int64_t, int64_t, int64_t, const float *, sk_activation);
    void (*gelu)(float *, int64_t);
    void (*gelu_tanh)(float *, int64_t);
    void (*silu_mul)(float *, const float *, int64_t);
    void (*gelu_tanh_mul)(float *, const float *, int64_t);
    void (*layer_norm)(float *, const float *, const float *, int64_t, float);
    void (*rms_norm)(float *, const float *, int64_t, float);
    void (*attention_head)(const float *, int64_t, const float *, int64_t, const float *, int64_t, float *, int64_t,
                           int64_t, int64_t, int64_t, int64_t, int64_t, int, int64_t, float, float, float *);
} sk_impl;

#define SK_ROW_MATH_SCALAR sk_softmax_scalar, sk_log_sum_exp_scalar, sk_bias_activation_scalar, sk_gelu_scalar, sk_gelu_tanh_scalar, sk_silu_mul_scalar, \
    sk_gelu_tanh_mul_scalar, sk_layer_norm_scalar, sk_rms_norm_scalar, sk_attention_head_scalar
#define SK_ROW_MATH_AVX2 sk_softmax_avx2, sk_log_sum_exp_avx2, sk_bias_activation_avx2, sk_gelu_avx2, sk_gelu_tanh_avx2, sk_silu_mul_avx2, \
    sk_gelu_tanh_mul_avx2, sk_layer_norm_avx2, sk_rms_norm_avx2, sk_attention_head_avx2
#define SK_ROW_MATH_NEON sk_softmax_neon, sk_log_sum_exp_neon, sk_bias_activation_neon, sk_gelu_neon, sk_gelu_tanh_neon, sk_silu_mul_neon, \
    sk_gelu_tanh_mul_neon, sk_layer_norm_neon, sk_rms_norm_neon, sk_attention_head_neon
#define SK_ROW_MATH_AVX512 sk_softmax_avx512, sk_log_sum_exp_avx512, sk_bias_activation_avx512, sk_gelu_avx512, sk_gelu_tanh_avx512, sk_silu_mul_avx512, \
    sk_gelu_tanh_mul_avx512, sk_layer_norm_avx512, sk_rms_norm_avx512, sk_attention_head_avx512

static const sk_impl sk_impl_scalar = {
    sk_fp16_to_fp32_scalar, sk_fp32_to_fp16_scalar, sk_bf16_to_fp32_scalar,
    sk_fp32_to_bf16_scalar, sk_quantize_row_q8_0_scalar, sk_dequantize_row_q8_0_scalar,
    sk_vec_dot_q8_0_scalar, sk_quantize_row_q8_a_scalar, sk_gemm_q8_0_scalar, SK_ROW_MATH_SCALAR,
};

#if defined(__x86_64__)
static const sk_impl sk_impl_avx2 = {
    sk_fp16_to_fp32_avx2, sk_fp32_to_fp16_avx2, sk_bf16_to_fp32_avx2,
    sk_fp32_to_bf16_avx2, sk_quantize_row_q8_0_avx2, sk_dequantize_row_q8_0_avx2,
    sk_vec_dot_q8_0_avx2, sk_quantize_row_q8_a_avx2, sk_gemm_q8_0_avx2, SK_ROW_MATH_AVX2,
};
/// AVX2 with the 256-bit VPDPBUSD for the int8 products; everything else is AVX2's.
static const sk_impl sk_impl_avxvnni = {
    sk_fp16_to_fp32_avx2, sk_fp32_to_fp16_avx2, sk_bf16_to_fp32_avx2,
    sk_fp32_to_bf16_avx2, sk_quantize_row_q8_0_avx2, sk_dequantize_row_q8_0_avx2,
    sk_vec_dot_q8_0_avx2, sk_quantize_row_q8_a_avx2, sk_gemm_q8_0_avxvnni, SK_ROW_MATH_AVX2,
};
static const sk_impl sk_impl_avx512 = {
    sk_fp16_to_fp32_avx512, sk_fp32_to_fp16_avx512, sk_bf16_to_fp32_avx512,
    sk_fp32_to_bf16_avx512, sk_quantize_row_q8_0_avx512, sk_dequantize_row_q8_0_avx512,
    sk_vec_dot_q8_0_avx512, sk_quantize_row_q8_a_avx512, sk_gemm_q8_0_avx512, SK_ROW_MATH_AVX512,
};
static const sk_impl sk_impl_vnni = {
    sk_fp16_to_fp32_avx512, sk_fp32_to_fp16_avx512, sk_bf16_to_fp32_avx512,
    sk_fp32_to_bf16_avx512, sk_quantize_row_q8_0_avx512, sk_dequantize_row_q8_0_avx512,
    sk_vec_dot_q8_0_avx512, sk_quantize_row_q8_a_avx512, sk_gemm_q8_0_vnni, SK_ROW_MATH_AVX512,
};
#endif

#if defined(__aarch64__)
static const sk_impl sk_impl_neon = {
    sk_fp16_to_fp32_neon, sk_fp32_to_fp16_neon, sk_bf16_to_fp32_neon,
    sk_fp32_to_bf16_neon, sk_quantize_row_q8_0_neon, sk_dequantize_row_q8_0_neon,
    sk_vec_dot_q8_0_neon, sk_quantize_row_q8_a_neon, sk_gemm_q8_0_neon, SK_ROW_MATH_NEON,
};
static const sk_impl sk_impl_neondot = {
    sk_fp16_to_fp32_neon, sk_fp32_to_fp16_neon, sk_bf16_to_fp32_neon,
    sk_fp32_to_bf16_neon, sk_quantize_row_q8_0_neon, sk_dequantize_row_q8_0_neon,
    sk_vec_dot_q8_0_neondot, sk_quantize_row_q8_a_neon, sk_gemm_q8_0_neondot, SK_ROW_MATH_NEON,
};
/// The dot product level with USMMLA for the GEMM.
static const sk_impl sk_impl_i8mm = {
    sk_fp16_to_fp32_neon, sk_fp32_to_fp16_neon, sk_bf16_to_fp32_neon,
    sk_fp32_to_bf16_neon, sk_quantize_row_q8_0_neon, sk_dequantize_row_q8_0_neon,
    sk_vec_dot_q8_0_neondot, sk_quantize_row_q8_a_neon, sk_gemm_q8_0_i8mm, SK_ROW_MATH_NEON,
};
#endif

static const sk_impl *sk_impl_for(sk_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case SK_ISA_AVX2: return &sk_impl_avx2;
    case SK_ISA_AVX_VNNI: return &sk_impl_avxvnni;
    case SK_ISA_AVX512: return &sk_impl_avx512;
    case SK_ISA_AVX512_VNNI: return &sk_impl_vnni;
#endif
#if defined(__aarch64__)
    case SK_ISA_NEON: return &sk_impl_neon;
    case SK_ISA_NEON_DOT: return &sk_impl_neondot;
    case SK_ISA_NEON_I8MM: return &sk_impl_i8mm;
#endif
    default: return &sk_impl_scalar;
    }
}

// MARK: - Detection

#if defined(__APPLE__)
/// 1 if sysctl reports the feature, 0 if it reports it absent, -1 if the key is unknown.
static int sk_sysctl_flag(const char *name) {
    int value = 0;
    size_t size = sizeof value;
    if (sysctlbyname(name, &value, &size, NULL, 0) != 0) return -1;
    return value != 0;
}
#endif

#if defined(__x86_64__)
static uint64_t sk_xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/// What the x86-64 levels need, as this CPU and OS provide it.
typedef struct {
    int avx2;      // AVX2, FMA, F16C, with YMM state saved by the OS
    int avx512;    // AVX-512 F/BW/VL/DQ, with its state saved
    int vnni;      // AVX-512 VNNI
    int avx_vnni;  // AVX-VNNI (CPUID.(7,1):EAX bit 4)
} sk_x86_features;

static sk_x86_features sk_x86(void) {
    sk_x86_features f = {0, 0, 0, 0};
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, f16c = (c >> 29) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return f;
    uint64_t xcr0 = sk_xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return f;  // XMM and YMM state
    if (__get_cpuid_max(0, NULL) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned subleaves = a;
    int avx2 = (b >> 5) & 1;
    int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    int vnni = (c >> 11) & 1;
    // Opmask, upper ZMM0-15 and ZMM16-31 state. macOS turns it on lazily at the first AVX-512
    // instruction, so there XCR0 can read 0 for a capable machine: ask the kernel instead.
    int os_avx512 = (xcr0 & 0xe0) == 0xe0;
#if defined(__APPLE__)
    if (!os_avx512) os_avx512 = sk_sysctl_flag("hw.optional.avx512f") == 1;
#endif
    int avx_vnni = 0;
    if (subleaves >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        avx_vnni = (a >> 4) & 1;
    }
    f.avx2 = avx2 && fma && f16c;
    f.avx512 = f.avx2 && avx512 && os_avx512;
    f.vnni = f.avx512 && vnni;
    f.avx_vnni = f.avx2 && avx_vnni;
    return f;
}

/// The fastest level: AVX-512 VNNI, else AVX-VNNI (its one 256-bit VPDPBUSD per 32
/// multiply-adds beats AVX-512's two 512-bit operations per 32), else AVX-512, else AVX2.
static sk_isa sk_detect(void) {
    sk_x86_features f = sk_x86();
    if (f.vnni) return SK_ISA_AVX512_VNNI;
    if (f.avx_vnni) return SK_ISA_AVX_VNNI;
    if (f.avx512) return SK_ISA_AVX512;
    return f.avx2 ? SK_ISA_AVX2 : SK_ISA_SCALAR;
}
#elif defined(__aarch64__)
/// What the AArch64 levels beyond plain Advanced SIMD need.
typedef struct {
    int dot;   // SDOT/UDOT (FEAT_DotProd)
    int i8mm;  // USMMLA/SMMLA (FEAT_I8MM), counted only with the dot product
} sk_arm_features;

static sk_arm_features sk_arm(void) {
    sk_arm_features f = {0, 0};
#if defined(__linux__)
    f.dot = (getauxval(AT_HWCAP) >> 20) & 1;  // HWCAP_ASIMDDP
#if defined(AT_HWCAP2)
    f.i8mm = (getauxval(AT_HWCAP2) >> 13) & 1;  // HWCAP2_I8MM
#endif
#elif defined(__APPLE__)
    // The keys exist from macOS 12 / iOS 15; the package's minimum OSes are newer.
    f.dot = sk_sysctl_flag("hw.optional.arm.FEAT_DotProd") == 1;
    f.i8mm = sk_sysctl_flag("hw.optional.arm.FEAT_I8MM") == 1;
#else
#if defined(__ARM_FEATURE_DOTPROD)
    f.dot = 1;
#endif
#if defined(__ARM_FEATURE_MATMUL_INT8)
    f.i8mm = 1;
#endif
#endif
    f.i8mm = f.i8mm && f.dot;
    return f;
}

/// SDOT, else plain. The USMMLA level (neon-i8mm) is only taken when SIFT_ISA asks for it:
/// with the default power-of-two activation scales LLVM's scheduling models put its GEMM 1-9%
/// behind the SDOT one on Neoverse V1, V2 and N2, the cores that have both (gemm_neon.c);
/// neither has been timed on a real core.
static sk_isa sk_detect(void) { return sk_arm().dot ? SK_ISA_NEON_DOT : SK_ISA_NEON; }
#else
static sk_isa sk_detect(void) { return SK_ISA_SCALAR; }
#endif

sk_isa sk_isa_detected(void) { return sk_detect(); }

int sk_isa_supported(sk_isa isa) {
    switch (isa) {
    case SK_ISA_SCALAR: return 1;
#if defined(__x86_64__)
    case SK_ISA_AVX2: return sk_x86().avx2;
    case SK_ISA_AVX_VNNI: return sk_x86().avx_vnni;
    case SK_ISA_AVX512: return sk_x86().avx512;
    case SK_ISA_AVX512_VNNI: return sk_x86().vnni;
#else
    case SK_ISA_AVX2:
    case SK_ISA_AVX_VNNI:
    case SK_ISA_AVX512:
    case SK_ISA_AVX512_VNNI:
        return 0;
#endif
#if defined(__aarch64__)
    case SK_ISA_NEON: return 1;
    case SK_ISA_NEON_DOT: return sk_arm().dot;
    case SK_ISA_NEON_I8MM: return sk_arm().i8mm;
#else
    case SK_ISA_NEON:
    case SK_ISA_NEON_DOT:
    case SK_ISA_NEON_I8MM:
        return 0;
#endif
    }
    return 0;
}

const char *sk_isa_name(sk_isa isa) {
    switch (isa) {
    case SK_ISA_SCALAR: return "scalar";
    case SK_ISA_AVX2: return "avx2";
    case SK_ISA_AVX512: return "avx512";
    case SK_ISA_AVX512_VNNI: return "vnni";
    case SK_ISA_NEON: return "neon";
    case SK_ISA_NEON_DOT: return "neon-dot";
    case SK_ISA_AVX_VNNI: return "avx-vnni";
    case SK_ISA_NEON_I8MM: return "neon-i8mm";
    }
    return "unknown";
}

// MARK: - Selected level

/// -1 until first use, then an sk_isa. See the thread-safety note at the top of the file.
static _Atomic int sk_selected = -1;

static sk_isa sk_initial_level(void) {
    const char *env = getenv("SIFT_ISA");
    if (env != NULL) {
        for (int isa = SK_ISA_SCALAR; isa <= SK_ISA_NEON_I8MM; isa++) {
            if (strcmp(env, sk_isa_name((sk_isa)isa)) == 0 && sk_isa_supported((sk_isa)isa)) {
                return (sk_isa)isa;
            }
        }
    }
    return sk_detect();
}

sk_isa sk_isa_active(void) {
    int level = atomic_load_explicit(&sk_selected, memory_order_relaxed);
    if (level < 0) {
        // Racing first callers compute the same value; whichever store lands first wins.
        int expected = -1;
        level = (int)sk_initial_level();
        if (!atomic_compare_exchange_strong(&sk_selected, &expected, level)) level = expected;
    }
    return (sk_isa)level;
}

int sk_isa_set(sk_isa isa) {
    if (!sk_isa_supported(isa)) return -1;
    atomic_store(&sk_selected, (int)isa);
    return 0;
}

static const sk_impl *sk_impl_active(void) { return sk_impl_for(sk_isa_active()); }

// MARK: - Public entry points

void sk_fp16_to_fp32(const uint16_t *x, float *y, int64_t n) {
    sk_impl_active()->fp16_to_fp32(x, y, n);
}

void sk_fp32_to_fp16(const float *x, uint16_t *y, int64_t n) {
    sk_impl_active()->fp32_to_fp16(x, y, n);
}

void sk_bf16_to_fp32(const uint16_t *x, float *y, int64_t n) {
    sk_impl_active()->bf16_to_fp32(x, y, n);
}

void sk_fp32_to_bf16(const float *x, uint16_t *y, int64_t n) {
    sk_impl_active()->fp32_to_bf16(x, y, n);
}

void sk_quantize_row_q8_0(const float *x, sk_block_q8_0 *y, int64_t k) {
    sk_impl_active()->quantize_row_q8_0(x, y, k);
}

void sk_dequantize_row_q8_0(const sk_block_q8_0 *x, float *y, int64_t k) {
    sk_impl_active()->dequantize_row_q8_0(x, y, k);
}

float sk_vec_dot_q8_0(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks) {
    return sk_impl_active()->vec_dot_q8_0(a, b, nblocks);
}

void sk_quantize_row_q8_a(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales) {
    sk_impl_active()->quantize_row_q8_a(x, y, k, scales);
}

void sk_gemm_q8_0(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                  const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales scales) {
    if (m <= 0 || n1 <= n0) return;
    sk_impl_active()->gemm_q8_0(m, n, k, x, ldx, w, y, ldy, n0, n1, scales);
}

void sk_bias_activation(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act) {
    if (m <= 0 || n <= 0) return;
    sk_impl_active()->bias_activation(y, ldy, m, n, bias, act);
}

void sk_softmax(float *x, int64_t n) { sk_impl_active()->softmax(x, n); }
float sk_log_sum_exp(const float *x, int64_t n) { return sk_impl_active()->log_sum_exp(x, n); }
void sk_gelu(float *x, int64_t n) { sk_impl_active()->gelu(x, n); }
void sk_gelu_tanh(float *x, int64_t n) { sk_impl_active()->gelu_tanh(x, n); }
void sk_silu_mul(float *a, const float *b, int64_t n) { sk_impl_active()->silu_mul(a, b, n); }
void sk_gelu_tanh_mul(float *a, const float *b, int64_t n) { sk_impl_active()->gelu_tanh_mul(a, b, n); }
void sk_layer_norm(float *x, const float *w, const float *b, int64_t n, float eps) { sk_impl_active()->layer_norm(x, w, b, n, eps); }
void sk_rms_norm(float *x, const float *w, int64_t n, float eps) { sk_impl_active()->rms_norm(x, w, n, eps); }

void sk_attention_head(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv,
                       float *out, int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0, int causal,
                       int64_t window, float scale, float softcap, float *scratch) {
    if (heads <= 0 || m <= 0 || d <= 0) return;
    sk_impl_active()->attention_head(q, ldq, k, ldk, v, ldv, out, ldo, heads, m, n, d, pos0, causal, window, scale, softcap, scratch);
}

int sk_attention_head_preferred(int causal) {
    sk_isa isa = sk_isa_active();
    return isa == SK_ISA_AVX512 || isa == SK_ISA_AVX512_VNNI || ((isa == SK_ISA_AVX2 || isa == SK_ISA_AVX_VNNI) && causal);
}
