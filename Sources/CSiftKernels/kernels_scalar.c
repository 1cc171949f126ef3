// Scalar reference for every kernel. The SIMD levels are tested bit for bit against these
// functions, so they favour the obvious loop over speed. The Q8_0 code follows ggml's
// quantize_row_q8_0_ref / dequantize_row_q8_0 and gguf-py's numpy reference.
#include "kernels_internal.h"

#include <math.h>

// MARK: - Conversions

void sk_fp16_to_fp32_scalar(const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = sk_fp16_to_fp32_1(x[i]);
}

void sk_fp32_to_fp16_scalar(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = sk_fp32_to_fp16_1(x[i]);
}

void sk_bf16_to_fp32_scalar(const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = sk_bf16_to_fp32_1(x[i]);
}

void sk_fp32_to_bf16_scalar(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = sk_fp32_to_bf16_1(x[i]);
}

// MARK: - Q8_0

/// max |x[i]| over one 32-block. NaN never wins, so every level can drop NaN lanes and reduce
/// in any order (ggml's sequential MAX keeps a NaN only if it comes last, gguf-py's max always
/// keeps it; for finite input all three agree).
static float sk_block_amax(const float *x) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) {
        float av = fabsf(x[j]);
        if (av > amax) amax = av;
    }
    return amax;
}

/// roundf (half away from zero) to int8. |v| < 127.5 whenever v is finite, because
/// v = x * (1/d) with |x| ≤ 127 d; a non-finite v (x is inf or NaN, or 1/d overflowed for a
/// subnormal block) gives 0, which is also what x86's cvttss2si-then-truncate yields.
static int8_t sk_q8_round(float v) {
    return fabsf(v) < 128.0f ? (int8_t)roundf(v) : 0;
}

void sk_quantize_row_q8_0_scalar(const float *x, sk_block_q8_0 *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        const float *xb = x + 32 * b;
        float d, id;
        sk_q8_scale(sk_block_amax(xb), &d, &id);
        y[b].d = sk_fp32_to_fp16_1(d);
        for (int j = 0; j < 32; j++) y[b].qs[j] = sk_q8_round(xb[j] * id);
    }
}

void sk_dequantize_row_q8_0_scalar(const sk_block_q8_0 *x, float *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        float d = sk_fp16_to_fp32_1(x[b].d);
        for (int j = 0; j < 32; j++) y[32 * b + j] = (float)x[b].qs[j] * d;
    }
}

float sk_vec_dot_q8_0_scalar(const sk_block_q8_0 *a, const sk_block_q8_0 *b, int64_t nblocks) {
    float acc = 0.0f;
    for (int64_t i = 0; i < nblocks; i++) {
        int32_t isum = 0;
        for (int j = 0; j < 32; j++) isum += (int32_t)a[i].qs[j] * (int32_t)b[i].qs[j];
        float scale = sk_fp16_to_fp32_1(a[i].d) * sk_fp16_to_fp32_1(b[i].d);
        acc = fmaf((float)isum, scale, acc);
    }
    return acc;
}

void sk_quantize_row_q8_a_scalar(const float *x, sk_block_q8_a *y, int64_t k, sk_scales scales) {
    for (int64_t b = 0; b < k / 32; b++) {
        const float *xb = x + 32 * b;
        float d, id;
        (scales == SK_SCALES_EXACT ? sk_q8_scale : sk_q8_a_scale)(sk_block_amax(xb), &d, &id);
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            y[b].qs[j] = sk_q8_round(xb[j] * id);
            sum += y[b].qs[j];
        }
        y[b].d = d;
        y[b].offset = -128 * sum;
    }
}

// MARK: - int8 GEMM

// sk_panel_count, sk_pack_q8_0 and sk_pack_q8_0_tiles are the public functions themselves:
// packing runs once per weight matrix at load time, so it has no SIMD twins and no dispatch.

int64_t sk_panel_count(int64_t n, int64_t k) {
    return (n + SK_PANEL_COLS - 1) / SK_PANEL_COLS * (k / 32);
}

int64_t sk_packed_panels(int64_t n, int64_t k) {
    int64_t panels = sk_panel_count(n, k);
    int64_t per_panel = (int64_t)(sizeof(sk_panel_q8_0) / (SK_PANEL_COLS * sizeof(uint16_t)));  // 16 panels' scales a panel
    return panels + (panels + per_panel - 1) / per_panel;
}

/// Row j of W is at rows[j] when rows is given, else at w + j * k/32.
static void sk_pack_tiles(const sk_block_q8_0 *w, const sk_block_q8_0 *const *rows, int64_t n, int64_t k,
                          sk_panel_q8_0 *out, int64_t t0, int64_t t1) {
    int64_t nb = k / 32;
    int64_t tiles = (n + SK_PANEL_COLS - 1) / SK_PANEL_COLS;
    uint16_t *scales = (uint16_t *)sk_panel_scales(out, n, k);
    if (t1 == tiles) {
        // The scale panels' slots past the last tile's (they are never read).
        size_t used = (size_t)sk_panel_count(n, k) * SK_PANEL_COLS;
        size_t all = (size_t)(sk_packed_panels(n, k) - sk_panel_count(n, k)) * sizeof(sk_panel_q8_0) / sizeof(uint16_t);
        memset(scales + used, 0, (all - used) * sizeof(uint16_t));
    }
    for (int64_t t = t0; t < t1; t++) {
        for (int64_t b = 0; b < nb; b++) {
            sk_panel_q8_0 *p = &out[t * nb + b];
            for (int c = 0; c < SK_PANEL_COLS; c++) {
                int64_t col = t * SK_PANEL_COLS + c;
                const sk_block_q8_0 *src = col >= n ? NULL : rows ? &rows[col][b] : &w[col * nb + b];
                // Padding columns and zero-scaled blocks: d = 1, quants 128 (the value 0).
                // The GEMMs form x.d · w.d by adding exponents, which needs w.d ≠ 0.
                if (src && (src->d & 0x7fff) == 0) src = NULL;
                scales[(t * nb + b) * SK_PANEL_COLS + c] = src ? src->d : 0x3c00;
                for (int g = 0; g < 8; g++) {
                    for (int j = 0; j < 4; j++) {
                        p->qs[g][c][j] = src ? (uint8_t)(src->qs[4 * g + j] ^ 0x80) : 128;
                    }
                }
            }
        }
    }
}

void sk_pack_q8_0(const sk_block_q8_0 *w, int64_t n, int64_t k, sk_panel_q8_0 *out) {
    sk_pack_tiles(w, NULL, n, k, out, 0, (n + SK_PANEL_COLS - 1) / SK_PANEL_COLS);
}

void sk_pack_q8_0_tiles(const sk_block_q8_0 *const *rows, int64_t n, int64_t k, sk_panel_q8_0 *out, int64_t t0, int64_t t1) {
    sk_pack_tiles(NULL, rows, n, k, out, t0, t1);
}

/// The reference the SIMD GEMMs match bit for bit. Each output is its own chain of fmaf over
/// the K blocks in order, so any vectorisation across columns or rows reproduces it exactly.
/// The scale is sk_q8_scale_product's (for SK_SCALES_POW2 an integer add) on every level, so
/// the levels agree for all finite weight scales. (Sift refuses inf and NaN scales at load:
/// the integer add would turn them into finite numbers, and NaN payloads may come out of
/// the vector FMAs in a different order.)
/// The x86 levels compute isum as Σ (q_w + 128) q_x + x.offset, so x.offset must be
/// -128 Σ x.qs (sk_quantize_row_q8_a guarantees it).
void sk_gemm_q8_0_scalar(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                         const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = n0; j < n1; j++) {
            int64_t t = j / SK_PANEL_COLS;
            int c = (int)(j % SK_PANEL_COLS);
            float acc = 0.0f;
            for (int64_t b = 0; b < nb; b++) {
                const sk_block_q8_a *xb = &x[i * ldx + b];
                const sk_panel_q8_0 *p = &w[t * nb + b];
                float wd = sk_fp16_to_fp32_1(scales[(t * nb + b) * SK_PANEL_COLS + c]);
                int32_t isum = 0;
                for (int g = 0; g < 8; g++) {
                    for (int jj = 0; jj < 4; jj++) {
                        isum += ((int32_t)p->qs[g][c][jj] - 128) * xb->qs[4 * g + jj];
                    }
                }
                acc = fmaf((float)isum, sk_q8_scale_product(xb->d, wd, mode), acc);
            }
            y[i * ldy + j] = acc;
        }
    }
}
