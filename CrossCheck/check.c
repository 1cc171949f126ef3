// Every kernel level this CPU (or emulator) runs against the scalar reference, bit for bit:
// the conversions, quantization, the GEMM, row math and attention. The Swift tests do the
// same on the machine they run on; this program exists for the levels CI's machine lacks
// (NEON, NEON dot product), built for AArch64 and run under QEMU by run.sh, and for the
// AVX-VNNI GEMM, which neither this project's Zen 4 nor QEMU 7.2 executes: on a CPU with
// AVX-512 VNNI it runs that kernel's code with VPDPBUSD in its AVX-512 VL encoding.
// Prints one line per kernel and level; exits 1 on the first disagreement of any kernel.
#include "kernels_internal.h"
#include "sift_kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
/// Whether check_gemm also runs the AVX-VNNI kernel through its AVX-512 encoding: on a CPU
/// with AVX-512 VNNI and without AVX-VNNI (set by main).
#if defined(__x86_64__)
static int avxvnni_twin = 0;
#endif
static sk_isa levels[8];
static int level_count = 0;

// MARK: - Inputs

static uint64_t rng_state;

static uint64_t next_u64(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/// Roughly normal values (the sum of four uniforms), times `scale`.
static void fill(float *x, int64_t n, uint64_t seed, float scale) {
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t i = 0; i < n; i++) {
        float s = 0;
        for (int j = 0; j < 4; j++) s += (float)(next_u64() >> 40) / (float)(1 << 24) - 0.5f;
        x[i] = s * 1.7f * scale;
    }
}

/// Row-math inputs: activations up to about ±12, with exp's clamps and both zeros.
static void fill_row(float *x, int64_t n, uint64_t seed) {
    fill(x, n, seed, 4);
    if (n > 5) {
        x[1] = 95;
        x[2] = -95;
        x[3] = 0;
        x[4] = -0.0f;
    }
}

/// Activations for quantization: per 32-block, plain, zero, exact .5 ties at d = 1, tiny,
/// huge.
static void fill_awkward(float *x, int64_t k, uint64_t seed) {
    fill(x, k, seed, 1);
    for (int64_t b = 0; b < k / 32; b++) {
        float *xb = x + 32 * b;
        switch (b % 5) {
        case 1: memset(xb, 0, 32 * sizeof(float)); break;
        case 2:
            for (int i = 0; i < 32; i++) xb[i] = (float)((int)(next_u64() % 253) - 126) + (i % 2 == 0 ? 0.5f : -0.5f);
            xb[0] = 127;
            break;
        case 3:
            for (int i = 0; i < 32; i++) xb[i] *= 1e-30f;
            break;
        case 4:
            for (int i = 0; i < 32; i++) xb[i] *= 1e20f;
            break;
        default: break;
        }
    }
}

// MARK: - Comparison

/// Runs `body` at the scalar level into `reference` and at every other level into `got`,
/// comparing `bytes` bytes.
#define AT_EVERY_LEVEL(label, reference, got, bytes, body)                                                         \
    do {                                                                                                          \
        sk_isa_set(SK_ISA_SCALAR);                                                                                \
        {                                                                                                         \
            char *OUT = (char *)(reference);                                                                      \
            body;                                                                                                 \
        }                                                                                                         \
        for (int l_ = 0; l_ < level_count; l_++) {                                                                \
            sk_isa_set(levels[l_]);                                                                               \
            {                                                                                                     \
                char *OUT = (char *)(got);                                                                        \
                body;                                                                                             \
            }                                                                                                     \
            if (memcmp((reference), (got), (bytes)) != 0) {                                                       \
                printf("DIFFERS  %-28s at %s\n", (label), sk_isa_name(levels[l_]));                              \
                failures++;                                                                                       \
            }                                                                                                     \
        }                                                                                                         \
    } while (0)

// MARK: - Checks

static void check_conversions(void) {
    enum { N = 1000 };
    static float x[N];
    static uint16_t h[N], hr[N], hg[N];
    static float fr[N], fg[N];
    fill(x, N, 1, 1000);
    x[0] = INFINITY;
    x[1] = -INFINITY;
    x[2] = NAN;
    x[3] = 65520;
    x[4] = 1e-8f;
    x[5] = -0.0f;
    for (int i = 0; i < N; i++) h[i] = (uint16_t)(next_u64() & 0xffff);
    AT_EVERY_LEVEL("fp32_to_fp16", hr, hg, sizeof hr, sk_fp32_to_fp16(x, (uint16_t *)OUT, N));
    AT_EVERY_LEVEL("fp16_to_fp32", fr, fg, sizeof fr, sk_fp16_to_fp32(h, (float *)OUT, N));
    AT_EVERY_LEVEL("fp32_to_bf16", hr, hg, sizeof hr, sk_fp32_to_bf16(x, (uint16_t *)OUT, N));
    AT_EVERY_LEVEL("bf16_to_fp32", fr, fg, sizeof fr, sk_bf16_to_fp32(h, (float *)OUT, N));
}

static void check_quantization(void) {
    enum { K = 640 };
    static float x[K], y[K], fr[K], fg[K];
    static sk_block_q8_0 a[K / 32], b[K / 32], qr[K / 32], qg[K / 32];
    static sk_block_q8_a ar[K / 32], ag[K / 32];
    fill_awkward(x, K, 2);
    fill(y, K, 3, 1);
    AT_EVERY_LEVEL("quantize_row_q8_0", qr, qg, sizeof qr, sk_quantize_row_q8_0(x, (sk_block_q8_0 *)OUT, K));
    sk_isa_set(SK_ISA_SCALAR);
    sk_quantize_row_q8_0(x, a, K);
    sk_quantize_row_q8_0(y, b, K);
    AT_EVERY_LEVEL("dequantize_row_q8_0", fr, fg, sizeof fr, sk_dequantize_row_q8_0(a, (float *)OUT, K));
    AT_EVERY_LEVEL("vec_dot_q8_0", fr, fg, sizeof(float), *(float *)OUT = sk_vec_dot_q8_0(a, b, K / 32));
    AT_EVERY_LEVEL("quantize_row_q8_a pow2", ar, ag, sizeof ar, sk_quantize_row_q8_a(x, (sk_block_q8_a *)OUT, K, SK_SCALES_POW2));
    AT_EVERY_LEVEL("quantize_row_q8_a exact", ar, ag, sizeof ar, sk_quantize_row_q8_a(x, (sk_block_q8_a *)OUT, K, SK_SCALES_EXACT));
}

/// Packs n × k weights (fp32, quantized to Q8_0) into panels; `extreme` overwrites some
/// blocks with quants at int8's ends (−128 only comes from a file).
static sk_panel_q8_0 *pack(int64_t n, int64_t k, uint64_t seed, int extreme) {
    float *w = malloc(sizeof(float) * (size_t)(n * k));
    sk_block_q8_0 *rows = malloc(sizeof(sk_block_q8_0) * (size_t)(n * k / 32));
    fill(w, n * k, seed, 1);
    sk_isa_set(SK_ISA_SCALAR);
    for (int64_t j = 0; j < n; j++) sk_quantize_row_q8_0(w + j * k, rows + j * k / 32, k);
    if (extreme) {
        static const int8_t ends[6] = {-128, 127, -127, -128, 0, 127};
        for (int64_t j = 0; j < n; j++) {
            for (int64_t b = 0; b < k / 32; b++) {
                if ((j + b) % 2) continue;
                int8_t v = ends[j % 6];
                for (int e = 0; e < 32; e++) rows[j * k / 32 + b].qs[e] = e % 8 < 6 ? v : (int8_t)~v;
            }
        }
    }
    sk_panel_q8_0 *p = malloc(sizeof(sk_panel_q8_0) * (size_t)sk_packed_panels(n, k));
    sk_pack_q8_0(rows, n, k, p);
    free(w);
    free(rows);
    return p;
}

/// The AVX-VNNI kernel's code in its AVX-512 VL encoding (gemm_avxvnni.c), where this CPU can
/// run that and not the level itself: against the scalar result in `reference` (columns
/// n0 ..< n1 computed, the others 7 as AT_EVERY_LEVEL's callers leave them).
static void check_avxvnni_twin(const char *label, int64_t m, int64_t n, int64_t k, const sk_block_q8_a *xa,
                               const sk_panel_q8_0 *w, sk_scales scales, int64_t n0, int64_t n1, const float *reference,
                               float *got) {
#if defined(__x86_64__)
    if (!avxvnni_twin) return;
    for (int64_t i = 0; i < m * n; i++) got[i] = 7;
    sk_gemm_q8_0_avxvnni_evex(m, n, k, xa, k / 32, w, got, n, n0, n1, scales);
    if (memcmp(reference, got, sizeof(float) * (size_t)(m * n)) != 0) {
        printf("DIFFERS  %-28s at avx-vnni (AVX-512 VL encoding)\n", label);
        failures++;
    }
#else
    (void)label, (void)m, (void)n, (void)k, (void)xa, (void)w, (void)scales, (void)n0, (void)n1, (void)reference, (void)got;
#endif
}

static void check_gemm(void) {
    static const int64_t ms[] = {1, 2, 3, 4, 5, 7, 13, 64}, ns[] = {1, 15, 16, 17, 48, 100}, ks[] = {32, 96, 384, 1056};
    for (int extreme = 0; extreme < 2; extreme++) {
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                int64_t n = ns[ni], k = ks[ki];
                sk_panel_q8_0 *w = pack(n, k, (uint64_t)(n * 1000 + k), extreme);
                for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
                    int64_t m = ms[mi];
                    float *x = malloc(sizeof(float) * (size_t)(m * k));
                    sk_block_q8_a *xa = malloc(sizeof(sk_block_q8_a) * (size_t)(m * k / 32));
                    float *yr = malloc(sizeof(float) * (size_t)(m * n)), *yg = malloc(sizeof(float) * (size_t)(m * n));
                    fill_awkward(x, m * k, (uint64_t)m);
                    if (extreme) {
                        for (int64_t e = 0; e < k; e++) x[e] = -1;  // quants of −127
                    }
                    for (int s = 0; s < 2; s++) {
                        sk_scales scales = s ? SK_SCALES_EXACT : SK_SCALES_POW2;
                        sk_isa_set(SK_ISA_SCALAR);
                        for (int64_t i = 0; i < m; i++) sk_quantize_row_q8_a(x + i * k, xa + i * k / 32, k, scales);
                        char label[64];
                        snprintf(label, sizeof label, "gemm %ldx%ldx%ld%s%s", (long)m, (long)n, (long)k, s ? " exact" : "",
                                 extreme ? " ends" : "");
                        int before = failures;
                        AT_EVERY_LEVEL(label, yr, yg, sizeof(float) * (size_t)(m * n),
                                       sk_gemm_q8_0(m, n, k, xa, k / 32, w, (float *)OUT, n, 0, n, scales));
                        check_avxvnni_twin(label, m, n, k, xa, w, scales, 0, n, yr, yg);
                        // Columns from the second panel on (the rest of y is left as it was).
                        if (n > 16) {
                            snprintf(label, sizeof label, "gemm %ldx%ldx%ld cols 16-%s%s", (long)m, (long)n, (long)k,
                                     s ? " exact" : "", extreme ? " ends" : "");
                            AT_EVERY_LEVEL(label, yr, yg, sizeof(float) * (size_t)(m * n), {
                                for (int64_t i = 0; i < m * n; i++) ((float *)OUT)[i] = 7;
                                sk_gemm_q8_0(m, n, k, xa, k / 32, w, (float *)OUT, n, 16, n, scales);
                            });
                            check_avxvnni_twin(label, m, n, k, xa, w, scales, 16, n, yr, yg);
                        }
                        if (failures > before) break;
                    }
                    free(x);
                    free(xa);
                    free(yr);
                    free(yg);
                }
                free(w);
            }
        }
    }
}

static void check_row_math(void) {
    static const int64_t lengths[] = {1, 3, 4, 5, 7, 15, 16, 17, 33, 64, 100, 384, 1000};
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        int64_t n = lengths[li];
        float *x = malloc(sizeof(float) * (size_t)n), *y = malloc(sizeof(float) * (size_t)n);
        float *r = malloc(sizeof(float) * (size_t)n), *g = malloc(sizeof(float) * (size_t)n);
        fill_row(x, n, (uint64_t)n);
        fill(y, n, (uint64_t)n + 99, 1);
        char label[64];
#define ROW(name, call)                                                                                               \
    snprintf(label, sizeof label, "%s n=%ld", name, (long)n);                                                        \
    AT_EVERY_LEVEL(label, r, g, sizeof(float) * (size_t)n, {                                                          \
        float *a = (float *)OUT;                                                                                      \
        memcpy(a, x, sizeof(float) * (size_t)n);                                                                      \
        call;                                                                                                         \
    })
        ROW("softmax", sk_softmax(a, n));
        ROW("gelu", sk_gelu(a, n));
        ROW("gelu_tanh", sk_gelu_tanh(a, n));
        ROW("silu_mul", sk_silu_mul(a, y, n));
        ROW("gelu_tanh_mul", sk_gelu_tanh_mul(a, y, n));
        ROW("layer_norm", sk_layer_norm(a, y, y, n, 1e-12f));
        ROW("layer_norm no bias", sk_layer_norm(a, y, NULL, n, 1e-5f));
        ROW("rms_norm", sk_rms_norm(a, y, n, 1e-6f));
        ROW("bias", sk_bias_activation(a, n, 1, n, y, SK_ACT_NONE));
        ROW("bias gelu", sk_bias_activation(a, n, 1, n, y, SK_ACT_GELU));
        ROW("bias gelu_tanh", sk_bias_activation(a, n, 1, n, y, SK_ACT_GELU_TANH));
        ROW("gelu epilogue", sk_bias_activation(a, n, 1, n, NULL, SK_ACT_GELU));
        ROW("log_sum_exp", a[0] = sk_log_sum_exp(x, n));
#undef ROW
        free(x);
        free(y);
        free(r);
        free(g);
    }
}

typedef struct {
    int64_t m, n, d, heads, pos0, window;
    int causal;
    float softcap;
} attention_case;

static void check_attention(void) {
    static const attention_case cases[] = {
        {1, 1, 8, 1, 0, 0, 0, 0},        {5, 5, 16, 1, 0, 0, 1, 0},    {16, 16, 64, 1, 0, 0, 0, 0},
        {13, 13, 64, 3, 0, 0, 1, 0},     {7, 40, 32, 4, 33, 0, 1, 0},  {9, 9, 24, 2, 0, 4, 1, 0},
        {20, 20, 128, 7, 0, 0, 1, 30},   {3, 50, 72, 1, 47, 8, 1, 50}, {33, 33, 40, 2, 0, 0, 0, 0},
        {8, 64, 256, 1, 56, 0, 1, 0},    {3, 4, 32, 1, 10, 2, 1, 0},   {2, 0, 16, 1, 0, 0, 0, 0},
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        attention_case c = cases[ci];
        int64_t ldq = c.heads * c.d + 3, ldk = c.d + 5, ldo = c.heads * c.d + 2;
        float *q = malloc(sizeof(float) * (size_t)(c.m * ldq + 1));
        float *k = malloc(sizeof(float) * (size_t)(c.n * ldk + 1)), *v = malloc(sizeof(float) * (size_t)(c.n * ldk + 1));
        float *r = malloc(sizeof(float) * (size_t)(c.m * ldo + 1)), *g = malloc(sizeof(float) * (size_t)(c.m * ldo + 1));
        float *scratch = malloc(sizeof(float) * (size_t)(sk_attention_scratch(c.n, c.d) + 1));
        fill(q, c.m * ldq, 10 + ci, 1);
        fill(k, c.n * ldk, 20 + ci, 1);
        fill(v, c.n * ldk, 30 + ci, 1);
        char label[64];
        snprintf(label, sizeof label, "attention m%ld n%ld d%ld h%ld", (long)c.m, (long)c.n, (long)c.d, (long)c.heads);
        AT_EVERY_LEVEL(label, r, g, sizeof(float) * (size_t)(c.m * ldo), {
            float *o = (float *)OUT;
            for (int64_t i = 0; i < c.m * ldo; i++) o[i] = NAN;
            sk_attention_head(q, ldq, k, ldk, v, ldk, o, ldo, c.heads, c.m, c.n, c.d, c.pos0, c.causal, c.window,
                              1.0f / sqrtf((float)c.d), c.softcap, scratch);
            for (int64_t i = 0; i < c.m * ldo; i++)
                if (isnan(o[i])) o[i] = -7;  // columns past the heads: compared as written (not at all)
        });
        free(q);
        free(k);
        free(v);
        free(r);
        free(g);
        free(scratch);
    }
}

int main(void) {
    static const sk_isa all[] = {SK_ISA_AVX2, SK_ISA_AVX_VNNI, SK_ISA_AVX512, SK_ISA_AVX512_VNNI, SK_ISA_NEON, SK_ISA_NEON_DOT, SK_ISA_NEON_I8MM};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (sk_isa_supported(all[i])) levels[level_count++] = all[i];
    }
    printf("levels checked against scalar:");
    for (int i = 0; i < level_count; i++) printf(" %s", sk_isa_name(levels[i]));
    printf(" (detected: %s)\n", sk_isa_name(sk_isa_detected()));
#if defined(__x86_64__)
    avxvnni_twin = !sk_isa_supported(SK_ISA_AVX_VNNI) && sk_isa_supported(SK_ISA_AVX512_VNNI);
    if (avxvnni_twin) printf("and the avx-vnni GEMM in its AVX-512 VL encoding\n");
#endif
    if (level_count == 0) {
        printf("no SIMD level to check\n");
        return 1;
    }
    check_conversions();
    check_quantization();
    check_gemm();
    check_row_math();
    check_attention();
    if (failures) {
        printf("FAILED: %d disagreements\n", failures);
    } else {
        printf("all levels agree with the scalar reference\n");
    }
    return failures ? 1 : 0;
}
