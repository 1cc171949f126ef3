// Sift's compute kernels: the only code in Sift with SIMD intrinsics.
//
// Every kernel has a scalar reference (kernels_scalar.c) and, where it pays, SIMD twins
// (kernels_avx2.c, kernels_avx512.c, kernels_neon.c). Each SIMD function is compiled with
// a per-function __attribute__((target(...))); dispatch.c picks one level at run time from
// cpuid (or the SIFT_ISA environment variable) so the package needs no compiler flags.
//
// Numerical contract: for a given input every ISA level produces bit-identical output.
// Integer sums are exact; the fp32 work that follows them is done in the same order with
// the same operations (fused multiply-add where stated) on every level.
#ifndef SIFT_KERNELS_H
#define SIFT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Block types

/// ggml/GGUF Q8_0 block: 32 signed 8-bit quants and one IEEE fp16 scale; x[i] = d * qs[i].
typedef struct {
    uint16_t d;
    int8_t qs[32];
} sk_block_q8_0;
_Static_assert(sizeof(sk_block_q8_0) == 34, "sk_block_q8_0 must match ggml's block_q8_0");

/// A quantized activation block: 32 int8 quants, an fp32 scale (a power of two with
/// SK_SCALES_POW2) and an offset correction. x[i] ≈ d * qs[i]; offset = -128 · Σ qs[i],
/// what a u8×s8 dot product over weights stored as q + 128 adds to get Σ q_w·q_x (the GEMMs
/// start their int32 sums from it).
typedef struct {
    float d;
    int32_t offset;
    int8_t qs[32];
} sk_block_q8_a;
_Static_assert(sizeof(sk_block_q8_a) == 40, "sk_block_q8_a is 40 bytes");

/// Output columns per packed weight panel.
#define SK_PANEL_COLS 16

/// The quants of Q8_0 weights for 16 output columns over one 32-wide K block, laid out for
/// dot-product instructions that consume 4 consecutive int8 per 32-bit lane:
///   qs[g][c][j]   (q + 128) as uint8 for column c, k = 4g + j
/// Eight cache lines. The scales are kept apart (sk_panel_scales): with them inside, a
/// panel was 576 bytes, its lines were not aligned, and it was 1.125 bytes a weight instead
/// of 1.0625 as now; a short prefill streams every weight from memory once.
typedef struct {
    uint8_t qs[8][SK_PANEL_COLS][4];
} sk_panel_q8_0;
_Static_assert(sizeof(sk_panel_q8_0) == 512, "sk_panel_q8_0 is 512 bytes");

// MARK: - Instruction-set levels

typedef enum {
    SK_ISA_SCALAR = 0,
    SK_ISA_AVX2 = 1,       // AVX2 + FMA + F16C
    SK_ISA_AVX512 = 2,     // AVX-512 F/BW/VL/DQ
    SK_ISA_AVX512_VNNI = 3,// AVX-512 + VNNI
    SK_ISA_NEON = 4,       // AArch64 Advanced SIMD
    SK_ISA_NEON_DOT = 5,   // AArch64 + dot product (SDOT/UDOT)
    SK_ISA_AVX_VNNI = 6,   // AVX2 + FMA + F16C + AVX-VNNI (256-bit VPDPBUSD, without AVX-512)
    SK_ISA_NEON_I8MM = 7,  // AArch64 + dot product + int8 matrix multiply (USMMLA)
} sk_isa;

/// The best level this CPU supports.
sk_isa sk_isa_detected(void);
/// The level kernels currently use: SIFT_ISA if set and supported, else the detected one.
sk_isa sk_isa_active(void);
/// Forces a level. Returns 0, or -1 (and changes nothing) if the CPU cannot run it.
int sk_isa_set(sk_isa isa);
/// Whether this CPU can run `isa`.
int sk_isa_supported(sk_isa isa);
/// "scalar", "avx2", "avx-vnni", "avx512", "vnni", "neon", "neon-dot", "neon-i8mm".
const char *sk_isa_name(sk_isa isa);

// MARK: - Conversions

void sk_fp16_to_fp32(const uint16_t *x, float *y, int64_t n);
/// Round to nearest even; NaN stays NaN, overflow becomes ±inf.
void sk_fp32_to_fp16(const float *x, uint16_t *y, int64_t n);
void sk_bf16_to_fp32(const uint16_t *x, float *y, int64_t n);
/// Round to nearest even; NaN becomes a quiet NaN (as ggml and gguf-py do).
void sk_fp32_to_bf16(const float *x, uint16_t *y, int64_t n);

// MARK: - Q8_0

/// k % 32 == 0. d = max|x| / 127 (fp32, then rounded to fp16), q = roundf(x * (1/d)),
/// rounding half away from zero, bit-identical to ggml's reference and gguf-py.
void sk_quantize_row_q8_0(const float *x, sk_block_q8_0 *y, int64_t k);
void sk_dequantize_row_q8_0(const sk_block_q8_0 *x, float *y, int64_t k);

/// Σ over blocks b, in order: acc = fmaf((float)isum_b, fp16(a_b.d) * fp16(b_b.d), acc).
float sk_vec_dot_q8_0(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks);

/// How activation blocks are scaled, and so how the GEMM folds their scales in.
typedef enum {
    /// d = max|x| / 127 rounded up to the next power of two, at least 2^-100. This is OCP
    /// Microscaling's MXINT8 idea (32 int8 values sharing an E8M0 exponent): |q| ≤ 127 as
    /// with SK_SCALES_EXACT but the largest |q| is 64-127 instead of 127 (smaller for
    /// blocks at the 2^-100 floor), so the rounding step is up to 2× (on average
    /// 1/ln 2 ≈ 1.44×) as coarse. In exchange x.d · w.d in the GEMM is an integer add to
    /// w.d's exponent, which leaves the multiply ports to the dot products (+6-18% GEMM
    /// throughput on Zen 4). A block with max|x| / 127 > 2^110 (≈ 1.6e35, or inf) gets
    /// d = 2^110 and all quants 0. Every d is then in [2^-100, 2^110], so its product with
    /// an fp16 weight scale is a normal float.
    SK_SCALES_POW2 = 0,
    /// d = max|x| / 127 in fp32: the quants of ggml's Q8_0 reference quantizer, with d kept
    /// in fp32 where ggml rounds it to fp16; the GEMM multiplies x.d · w.d in fp32.
    SK_SCALES_EXACT = 1,
} sk_scales;

/// Activations: k % 32 == 0. d by `scales`, q = roundf(x * (1/d)) with
/// sk_quantize_row_q8_0's rounding.
void sk_quantize_row_q8_a(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales);

// MARK: - int8 GEMM

/// Number of panels for an N×K weight matrix: ceil(n / 16) * (k / 32).
int64_t sk_panel_count(int64_t n, int64_t k);

/// Panels to allocate for sk_pack_q8_0's output: the sk_panel_count panels, then their
/// scales (32 bytes a panel) in whole panels.
int64_t sk_packed_panels(int64_t n, int64_t k);

/// The scales of packed weights: after the panels, one fp16 per column and block, panel by
/// panel: scale of column c of panel p at [16 p + c], the block's fp16 d as stored in the
/// file. Columns past N in the last panel, and blocks whose d is ±0, have d = 1.0 (0x3c00)
/// and quants 128 (the value 0), so that every scale is a nonzero number (see sk_gemm_q8_0).
static inline const uint16_t *sk_panel_scales(const sk_panel_q8_0 *w, int64_t n, int64_t k) {
    return (const uint16_t *)(w + sk_panel_count(n, k));
}

/// Repacks row-major Q8_0 weights W[n][k/32] into panels ordered [n/16 tile][k/32 block]
/// and their scales, `sk_packed_panels(n, k)` panels in all.
void sk_pack_q8_0(const sk_block_q8_0 *w, int64_t n, int64_t k, sk_panel_q8_0 *out);

/// sk_pack_q8_0's work for the 16-column tiles t0 ≤ t < t1 only: their panels and scales
/// (and, with the last tile, the unused scale slots after it), with row j of W (its k/32
/// blocks) at rows[j], so that W may be stacked from separate matrices. Calls over ranges that
/// cover 0 ..< ceil(n / 16) write exactly what one sk_pack_q8_0 call writes, and may run at
/// once.
void sk_pack_q8_0_tiles(const sk_block_q8_0 *const *rows, int64_t n, int64_t k, sk_panel_q8_0 *out, int64_t t0, int64_t t1);

/// Y[i][j] = Σ_k X[i][k] * W[j][k] for rows i < m and columns n0 ≤ j < n1.
/// X: m rows of k/32 activation blocks as sk_quantize_row_q8_a writes them (quants within
/// ±127, offset = −128 Σ quants), row stride ldx blocks. W: packed by sk_pack_q8_0
/// for n columns. Y: row stride ldy floats. n0 must be a multiple of 16; n1 ≤ n.
/// Per output, in block order: acc = fmaf((float)isum_b, scale, acc), w.d the fp16 scale
/// converted exactly to fp32, and `scales` how X was quantized: SK_SCALES_EXACT, scale =
/// x_b.d * w_b.d[c] in fp32; SK_SCALES_POW2, scale = the float whose bits are
/// bits(w_b.d[c]) + bits(x_b.d) - bits(1.0f) as uint32, which is x_b.d * w_b.d[c] exactly
/// for a power-of-two x.d and any finite nonzero w.d (sk_pack_q8_0 leaves no zero scale;
/// Sift refuses weights whose scales are inf or NaN before packing). Every level computes
/// it so.
void sk_gemm_q8_0(int64_t m, int64_t n, int64_t k,
                  const sk_block_q8_a *x, int64_t ldx,
                  const sk_panel_q8_0 *w,
                  float *y, int64_t ldy,
                  int64_t n0, int64_t n1, sk_scales scales);

/// Activations the GEMM epilogue can apply.
typedef enum {
    SK_ACT_NONE = 0,
    SK_ACT_GELU = 1,       // sk_gelu
    SK_ACT_GELU_TANH = 2,  // sk_gelu_tanh
} sk_activation;

/// The epilogue of a product, on an m × n block of Y (row stride ldy) while it is still in
/// cache: y += bias[j] (bias may be NULL), then the activation. The same operations as the
/// separate passes (an fp32 add, then sk_gelu / sk_gelu_tanh over the row), so the same bits.
void sk_bias_activation(float *y, int64_t ldy, int64_t m, int64_t n, const float *bias, sk_activation act);

// MARK: - Row math (fp32, in place)
//
// exp is Cephes' single-precision polynomial (relative error ~1e-7), erf Abramowitz &
// Stegun 7.1.26 (absolute error 1.5e-7). Row sums are 16 lane sums added in lane order,
// so every level gives the same bits.

/// x = softmax(x), the maximum subtracted first. A row of −inf is left as is.
void sk_softmax(float *x, int64_t n);
/// log Σ exp(x), the maximum m taken out first: m + log Σ exp(x − m) (x is not changed).
/// −inf for an empty row or a row of −inf, +inf when a value is +inf; a NaN value adds
/// almost nothing (exp clamps it like a very negative input, as in sk_softmax).
float sk_log_sum_exp(const float *x, int64_t n);
/// x = 0.5·x·(1 + erf(x/√2)) (BERT's "gelu").
void sk_gelu(float *x, int64_t n);
/// x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) ("gelu_new", "gelu_pytorch_tanh").
void sk_gelu_tanh(float *x, int64_t n);
/// a = silu(a)·b (SwiGLU).
void sk_silu_mul(float *a, const float *b, int64_t n);
/// a = gelu_tanh(a)·b (GeGLU).
void sk_gelu_tanh_mul(float *a, const float *b, int64_t n);
/// x = (x − mean)/√(var + eps)·w + b (b may be NULL).
void sk_layer_norm(float *x, const float *w, const float *b, int64_t n, float eps);
/// x = x/√(mean(x²) + eps)·w.
void sk_rms_norm(float *x, const float *w, int64_t n, float eps);

// MARK: - Attention (fp32)

/// Query rows one sk_attention_head call works on together (they share the loads of keys
/// and values).
#define SK_ATTENTION_ROWS 8

/// Scaled dot-product attention of `heads` query heads that share one key/value head (1, or
/// a grouped-query attention group) over the keys of one sequence, for query rows 0 ≤ i < m
/// at positions pos0 + i. Head e's queries and outputs are the d columns from e·d of q's and
/// out's rows. Row i attends to keys lo_i ≤ j < hi_i:
///   hi_i = causal ? min(n, pos0 + i + 1) : n,  lo_i = window > 0 ? max(0, pos0 + i − window + 1) : 0
/// and computes
///   s_ij  = scale · Σ_c q_ic k_jc        (one fmaf a c, in order, from +0)
///   s_ij  = softcap · tanh(s_ij / softcap) when softcap > 0
///   p_i   = sk_softmax(s_i[lo_i ..< hi_i])
///   out_ic = Σ_j p_ij v_jc               (one fmaf a key, in order, from +0; 0 for no keys)
/// q, k, v and out are row-major with row strides ldq, ldk, ldv, ldo; head width d.
///
/// A row's result depends on its own query, position and the keys only — not on m or on
/// which rows share a call — so the rows of a sequence may be split between threads
/// anywhere. Every level gives the same bits. scratch: sk_attention_scratch(n, d) floats.
void sk_attention_head(const float *q, int64_t ldq, const float *k, int64_t ldk, const float *v, int64_t ldv,
                       float *out, int64_t ldo, int64_t heads, int64_t m, int64_t n, int64_t d, int64_t pos0, int causal,
                       int64_t window, float scale, float softcap, float *scratch);

/// Whether sk_attention_head is the faster way to attend at the active level, for a causal
/// mask or not, against two BLAS products and sk_softmax a head (what Sift does otherwise):
/// at AVX-512 and VNNI always, at AVX2 and AVX-VNNI (AVX2's attention) for causal masks.
/// Measured on this project's Zen 4:
/// - one thread, d = 64, bidirectional, µs a head at 16 / 64 / 128 / 512 keys: AVX-512
///   1.24 / 13.6 / 50.3 / 806 against 1.16 / 13.8 / 54.9 / 851; AVX2 (8 accumulators where
///   AVX-512 has 16) 1.7 / 22 / 67 / 1143 against OpenBLAS's Haswell kernels 1.9-2.1 / 15-19 /
///   45-56 / 626;
/// - the attention stage at AVX2 (sift-bench, OPENBLAS_CORETYPE=Haswell, two runs, ms, kernel
///   against BLAS): Qwen2.5-0.5B shape (causal, 7 query heads a key head) at 16 / 64 / 128
///   tokens 0.40-0.47 / 2.1-2.8 / 6.7-7.0 against 0.57-0.59 / 2.9-3.9 / 9.3-10.9; MiniLM
///   (bidirectional) at 64 / 128 0.42-0.64 / 1.4-1.9 against 0.35-0.50 / 1.2-1.4.
/// NEON is not measured (no such machine here) and keeps BLAS (Accelerate or OpenBLAS's tuned
/// kernels). The scalar reference is ~100× slower than either.
int sk_attention_head_preferred(int causal);

/// Floats of scratch sk_attention_head needs for n keys of width d: the keys transposed
/// (d rows of n rounded up to 16) and SK_ATTENTION_ROWS rows of scores.
static inline int64_t sk_attention_scratch(int64_t n, int64_t d) {
    return (d + SK_ATTENTION_ROWS) * ((n + 15) / 16 * 16);
}

// MARK: - Threads

/// The CPU's spin-wait hint (PAUSE on x86, YIELD on arm64), for polling loops.
static inline void sk_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

// MARK: - Calibration

/// Runs a register-only loop of the active level's int8 multiply-add instructions (VPDPBUSD;
/// AVX2's VPMADDUBSW, VPMADDWD and VPADDD; SDOT; USMMLA; NEON's SMULL and SADALP) and
/// returns the multiply-adds it performed (0 at the scalar level, which has none). The
/// benchmark times it to state GEMM speed as a fraction of the machine's peak.
int64_t sk_int8_peak_loop(int64_t iterations);

#ifdef __cplusplus
}
#endif

#endif
