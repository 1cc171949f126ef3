// sk_gemm_q8_0 with AVX-512 VNNI: the engine's hot path.
//
// One VPDPBUSD multiplies 64 packed weight bytes (16 columns × 4 k, u8 = q + 128) by 4
// activation bytes broadcast to every lane (s8) and adds the 4-products into 16 int32 sums,
// so one 32-wide K block of one row against one 16-column panel is 8 instructions. The
// int32 accumulator starts at x.offset = -128 Σ q_x, which removes the +128 weight offset:
//   Σ (q_w + 128) q_x - 128 Σ q_x = Σ q_w q_x = isum (exact; |isum| < 2^24).
// The float part then runs per lane exactly as the scalar reference does:
//   acc = fma((float)isum, x.d * w.d[c], acc), blocks in order, acc from 0,
// with w.d converted from the panels' fp16 scales and x.d * w.d formed as
// sk_q8_scale_product does: an integer add to w.d's exponent for SK_SCALES_POW2, a VMULPS
// for SK_SCALES_EXACT.
//
// Cost model (this project's Zen 4, family 25 model 17; other cores differ in rates, not in
// kind): a 512-bit VPDPBUSD issues once per cycle on the two FMA pipes, and so do VMULPS
// and VFMADD; VCVTDQ2PS and integer adds go to the other pipes. Per 32-block and 16 outputs
// that is 8 VPDPBUSD and 1 FMA with power-of-two activation scales, a ceiling of 8/9 of the
// VPDPBUSD peak; the float multiply of exact scales makes it 8/10. Single-thread, data in
// L2, 4×4 tile: 81% of peak with the multiply, 88.5% with the exponent add, 90% without
// x.d at all.
//
// Blocking, chosen by measurement over 2×2 … 12×1 tiles:
//   micro-tile  4 rows × 4 panels: 16 independent int32 chains (latency × rate = 8 needed),
//               one weight load per 4 VPDPBUSD, one activation broadcast per 4; the 16 fp32
//               accumulators are what the compiler spills (touched once per block).
//   K chunk     32 blocks; between chunks the accumulators go through y, which keeps each
//               output's fma chain (and so the result) unchanged.
//   row chunk   256 rows (the chunk's activations, ≤ 320 KiB, stay in L2).
// While a row group computes, it prefetches its share of the next column group's panels:
// otherwise the first row group of every column group waits on L3. Before it starts, it
// prefetches the output lines the next row group will store to.
#if defined(__x86_64__)

#include "kernels_internal.h"

#include <immintrin.h>

#define SK_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))

enum {
    SK_VNNI_ROWS = 4,    // rows per micro-tile
    SK_VNNI_TILES = 4,   // 16-column panels per micro-tile: 16 int32 + 16 fp32 accumulators
    SK_VNNI_KC = 32,     // K blocks per chunk
    SK_VNNI_MC = 256,    // rows per chunk: 256 rows × 32 blocks × 40 B = 320 KiB of activations
};

/// Cache lines of the next column group that one row group pulls in while it computes, so
/// the first row group of each column group does not wait on L3. The lines are walked
/// tile-major through the next group's K-chunk panels: `tile_bytes` per tile, tiles
/// `tile_stride` bytes apart.
typedef struct {
    const char *tile;     // start of the current tile's chunk
    int64_t offset;       // byte offset into it
    int64_t tile_bytes;
    int64_t tile_stride;
    int64_t lines;        // lines left for this row group
    int64_t per_step;     // lines per K block step
    int to_l2;            // prefetch into L2 instead of L1
} sk_vnni_prefetch;

/// Walks `pf->per_step` of the remaining lines, into L2 (`l2`, a constant wherever this is
/// inlined, so the branch folds away) or L1.
static inline __attribute__((always_inline)) SK_VNNI void sk_vnni_prefetch_lines(sk_vnni_prefetch *pf, int l2) {
    for (int64_t i = 0; i < pf->per_step && pf->lines > 0; i++, pf->lines--) {
        if (pf->offset == pf->tile_bytes) {
            pf->tile += pf->tile_stride;
            pf->offset = 0;
        }
        if (l2) {
            _mm_prefetch(pf->tile + pf->offset, _MM_HINT_T1);
        } else {
            _mm_prefetch(pf->tile + pf->offset, _MM_HINT_T0);
        }
        pf->offset += 64;
    }
}

static inline __attribute__((always_inline)) SK_VNNI void sk_vnni_prefetch_step(sk_vnni_prefetch *pf) {
    if (pf->to_l2) {
        sk_vnni_prefetch_lines(pf, 1);
    } else {
        sk_vnni_prefetch_lines(pf, 0);
    }
}

/// Pulls in the output lines of the row group starting at row `i` (rows before `i1`) and
/// `tiles` panels from tile `t`. Without it every row group's stores miss: when Y is larger
/// than L2 (64 × 9728 outputs for a gate/up product is 2.5 MB) that cost the kernel 8-10%.
static inline __attribute__((always_inline)) void
sk_vnni_prefetch_output(const float *y, int64_t ldy, int64_t i, int64_t i1, int64_t t, int tiles) {
    int64_t rows = i1 - i < SK_VNNI_ROWS ? i1 - i : SK_VNNI_ROWS;
    for (int64_t r = 0; r < rows; r++) {
        const char *line = (const char *)(y + (i + r) * ldy + 16 * t);
        for (int j = 0; j < tiles; j++) _mm_prefetch(line + 64 * j, _MM_HINT_T0);
    }
}

/// rows × tiles outputs (rows ≤ SK_VNNI_ROWS, tiles ≤ SK_VNNI_TILES) over K blocks
/// [b0, b1). x: row 0 of the group at block 0, row stride ldx. w: panel (tile 0, block 0) of
/// the group; tile stride nb panels; ws: that panel's 16 fp16 scales, the next panel's
/// after them. y: the group's first output, row stride ldy; column
/// lanes past `mask[t]` are computed (their weights are zero padding or real columns beyond
/// n1) but never stored. `first` starts the accumulators at 0 instead of loading y.
static inline __attribute__((always_inline)) SK_VNNI void
sk_vnni_micro(int rows, int tiles, int exact, int64_t b0, int64_t b1, int first,
              const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, const uint16_t *ws, int64_t nb,
              float *y, int64_t ldy, const __mmask16 *mask, sk_vnni_prefetch *pf) {
    __m512 acc[SK_VNNI_ROWS][SK_VNNI_TILES];
    for (int r = 0; r < rows; r++) {
        for (int t = 0; t < tiles; t++) {
            acc[r][t] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask[t], y + r * ldy + 16 * t);
        }
    }
    for (int64_t b = b0; b < b1; b++) {
        sk_vnni_prefetch_step(pf);
        __m512i isum[SK_VNNI_ROWS][SK_VNNI_TILES];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < tiles; t++) isum[r][t] = _mm512_set1_epi32(x[r * ldx + b].offset);  // one broadcast load
        }
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            __m512i wv[SK_VNNI_TILES];
            for (int t = 0; t < tiles; t++) wv[t] = _mm512_loadu_si512(w[t * nb + b].qs[g]);
            for (int r = 0; r < rows; r++) {
                int32_t q4;
                memcpy(&q4, x[r * ldx + b].qs + 4 * g, 4);
                __m512i xv = _mm512_set1_epi32(q4);
                for (int t = 0; t < tiles; t++) isum[r][t] = _mm512_dpbusd_epi32(isum[r][t], wv[t], xv);
            }
        }
        // x.d · w.d as sk_q8_scale_product: with SK_SCALES_POW2, x.d (a power of two) enters
        // as an integer add to w.d's exponent, on the integer ports; the VMULPS of
        // SK_SCALES_EXACT competes with VPDPBUSD. The fp16 → fp32 conversion does not (it
        // cost nothing measurable).
        __m512i wd[SK_VNNI_TILES];
        for (int t = 0; t < tiles; t++) {
            wd[t] = _mm512_castps_si512(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(ws + (t * nb + b) * SK_PANEL_COLS))));
        }
        for (int r = 0; r < rows; r++) {
            __m512 xd = _mm512_set1_ps(x[r * ldx + b].d);
            __m512i xe = _mm512_sub_epi32(_mm512_castps_si512(xd), _mm512_set1_epi32((int)SK_ONE_BITS));
            for (int t = 0; t < tiles; t++) {
                __m512 scale = exact ? _mm512_mul_ps(xd, _mm512_castsi512_ps(wd[t])) : _mm512_castsi512_ps(_mm512_add_epi32(wd[t], xe));
                acc[r][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r][t]), scale, acc[r][t]);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int t = 0; t < tiles; t++) _mm512_mask_storeu_ps(y + r * ldy + 16 * t, mask[t], acc[r][t]);
    }
}

/// Instantiates the micro-kernel for the rows × tiles shape at hand (constants, so the
/// arrays above live in registers); `exact` is a constant wherever this is inlined.
static inline __attribute__((always_inline)) SK_VNNI void
sk_vnni_shape(int rows, int tiles, int exact, int64_t b0, int64_t b1, int first,
              const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, const uint16_t *ws, int64_t nb,
              float *y, int64_t ldy, const __mmask16 *mask, sk_vnni_prefetch *pf) {
    switch (rows * 8 + tiles) {
    case 4 * 8 + 4: sk_vnni_micro(4, 4, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 4 * 8 + 3: sk_vnni_micro(4, 3, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 4 * 8 + 2: sk_vnni_micro(4, 2, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 4 * 8 + 1: sk_vnni_micro(4, 1, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 3 * 8 + 4: sk_vnni_micro(3, 4, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 3 * 8 + 3: sk_vnni_micro(3, 3, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 3 * 8 + 2: sk_vnni_micro(3, 2, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 3 * 8 + 1: sk_vnni_micro(3, 1, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 2 * 8 + 4: sk_vnni_micro(2, 4, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 2 * 8 + 3: sk_vnni_micro(2, 3, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 2 * 8 + 2: sk_vnni_micro(2, 2, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 2 * 8 + 1: sk_vnni_micro(2, 1, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 1 * 8 + 4: sk_vnni_micro(1, 4, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 1 * 8 + 3: sk_vnni_micro(1, 3, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    case 1 * 8 + 2: sk_vnni_micro(1, 2, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    default: sk_vnni_micro(1, 1, exact, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf); break;
    }
}

/// One row group, for each scale mode (so the mode's branch folds away).
static SK_VNNI void
sk_vnni_group_pow2(int rows, int tiles, int64_t b0, int64_t b1, int first,
                   const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, const uint16_t *ws, int64_t nb,
                   float *y, int64_t ldy, const __mmask16 *mask, sk_vnni_prefetch *pf) {
    sk_vnni_shape(rows, tiles, 0, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf);
}

static SK_VNNI void
sk_vnni_group_exact(int rows, int tiles, int64_t b0, int64_t b1, int first,
                    const sk_block_q8_a *x, int64_t ldx, const sk_panel_q8_0 *w, const uint16_t *ws, int64_t nb,
                    float *y, int64_t ldy, const __mmask16 *mask, sk_vnni_prefetch *pf) {
    sk_vnni_shape(rows, tiles, 1, b0, b1, first, x, ldx, w, ws, nb, y, ldy, mask, pf);
}

SK_VNNI void sk_gemm_q8_0_vnni(int64_t m, int64_t n, int64_t k, const sk_block_q8_a *x, int64_t ldx,
                               const sk_panel_q8_0 *w, float *y, int64_t ldy, int64_t n0, int64_t n1, sk_scales mode) {
    if (sk_gemm_without_k(m, k, y, ldy, n0, n1)) return;
    int64_t nb = k / 32;
    const uint16_t *scales = sk_panel_scales(w, n, k);
    int64_t t_begin = n0 / 16, t_end = (n1 + 15) / 16;
    // K chunks of equal size (no short tail chunk).
    int64_t chunks = (nb + SK_VNNI_KC - 1) / SK_VNNI_KC;
    void (*group)(int, int, int64_t, int64_t, int, const sk_block_q8_a *, int64_t, const sk_panel_q8_0 *, const uint16_t *,
                  int64_t, float *, int64_t, const __mmask16 *, sk_vnni_prefetch *) =
        mode == SK_SCALES_EXACT ? sk_vnni_group_exact : sk_vnni_group_pow2;
    for (int64_t c = 0; c < chunks; c++) {
        int64_t kb = nb * c / chunks, kb1 = nb * (c + 1) / chunks;
        for (int64_t i0 = 0; i0 < m; i0 += SK_VNNI_MC) {
            int64_t i1 = i0 + SK_VNNI_MC < m ? i0 + SK_VNNI_MC : m;
            int64_t groups = (i1 - i0 + SK_VNNI_ROWS - 1) / SK_VNNI_ROWS;
            for (int64_t t = t_begin; t < t_end; t += SK_VNNI_TILES) {
                int tiles = t_end - t < SK_VNNI_TILES ? (int)(t_end - t) : SK_VNNI_TILES;
                __mmask16 mask[SK_VNNI_TILES];
                for (int i = 0; i < tiles; i++) {
                    int64_t valid = n1 - 16 * (t + i);
                    mask[i] = valid >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << valid) - 1);
                }
                // Spread the next column group's lines for this chunk evenly over the row
                // groups' block steps: per_step = ⌈8 · next_tiles / groups⌉ lines. With many
                // row groups (per_step ≤ 6: more than 5 groups, m > 20 rows, for a full next
                // group) the lines go to L1, at most 4 per step, and the hardware prefetcher
                // covers the rest. With few, the product streams its weights from memory and
                // each row group has more lines to fetch than L1 holds next to the current
                // panels: all of them go to L2 instead. Measured one thread, weights streamed
                // from DRAM, N×896 for N = 1152…9728, µs: 4 rows 64-557 -> 46-398, 16 rows
                // 116-995 -> 104-876; 32 rows and more (L1 either way) were 0-1% slower with
                // L2 prefetches. 21-31 rows were not measured.
                int64_t tn = t + SK_VNNI_TILES;
                int64_t next_tiles = tn >= t_end ? 0 : t_end - tn < SK_VNNI_TILES ? t_end - tn : SK_VNNI_TILES;
                const char *next = next_tiles ? (const char *)(w + tn * nb + kb) : NULL;
                int64_t stride = nb * (int64_t)sizeof(sk_panel_q8_0);
                int64_t tile_bytes = (kb1 - kb) * (int64_t)sizeof(sk_panel_q8_0);  // 8 lines a panel
                int64_t lines = next_tiles * tile_bytes / 64;
                int64_t per_step = (lines + groups * (kb1 - kb) - 1) / (groups * (kb1 - kb));
                // The next group's scales (a line per 2 blocks a tile) go to L2 at once.
                sk_prefetch_scales(scales, nb, tn, next_tiles, kb, kb1);
                for (int64_t gi = 0; gi < groups; gi++) {
                    int64_t i = i0 + gi * SK_VNNI_ROWS;
                    int rows = i1 - i < SK_VNNI_ROWS ? (int)(i1 - i) : SK_VNNI_ROWS;
                    int64_t l0 = lines * gi / groups, l1 = lines * (gi + 1) / groups;
                    sk_vnni_prefetch pf = {
                        .tile = next ? next + l0 * 64 / tile_bytes * stride : NULL,
                        .offset = l0 * 64 % tile_bytes,
                        .tile_bytes = tile_bytes,
                        .tile_stride = stride,
                        .lines = l1 - l0,
                        .per_step = per_step > 6 ? per_step : per_step < 4 ? per_step : 4,
                        .to_l2 = per_step > 6,
                    };
                    // The output lines the next row group writes: the next rows of this
                    // column group, or the chunk's first rows of the next one.
                    if (i + SK_VNNI_ROWS < i1) {
                        sk_vnni_prefetch_output(y, ldy, i + SK_VNNI_ROWS, i1, t, tiles);
                    } else if (next_tiles) {
                        sk_vnni_prefetch_output(y, ldy, i0, i1, tn, (int)next_tiles);
                    }
                    group(rows, tiles, kb, kb1, c == 0, x + i * ldx, ldx, w + t * nb, scales + t * nb * SK_PANEL_COLS, nb,
                          y + i * ldy + 16 * t, ldy, mask, &pf);
                }
            }
        }
    }
}

#endif
