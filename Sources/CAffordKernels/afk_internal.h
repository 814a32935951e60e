/* Shared between the kernel files; not part of the public API. */
#ifndef AFK_INTERNAL_H
#define AFK_INTERNAL_H

#include "afford_kernels.h"

#include <string.h>

/* The variants agree bit for bit only if no compiler fuses the epilogue's multiply and add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Packed layout: N in panels of AFK_PANEL columns, K padded to a multiple of 4.
 * Panel p holds columns [16p, 16p+16) as [k/4][column][4], one 64-byte row per
 * group of 4 k, exactly what one vpdpbusd zmm (or two ymm) consumes. Padding is
 * zero, so padded k and padded columns add nothing. */
#define AFK_PANEL 16
#define AFK_KGROUP 4

/* The highest afk_isa value. */
#define AFK_ISA_LAST AFK_ISA_NEON_DOTPROD

struct afk_packed_weights {
    int n, k;
    int k_padded;   /* multiple of AFK_KGROUP */
    int n_padded;   /* multiple of AFK_PANEL */
    int owned;      /* made by afk_pack_weights: afk_packed_weights_free releases it */
    int8_t *data;   /* n_padded / AFK_PANEL panels of k_padded * AFK_PANEL bytes, 64-byte aligned */
    int32_t *col_sum; /* sum_k b[j][k] per column (n_padded entries), for the zero-point term */
};

static inline const int8_t *afk_panel(const afk_packed_weights *w, int panel) {
    return w->data + (size_t)panel * (size_t)w->k_padded * AFK_PANEL;
}

/* One epilogue for every variant, in this order, with no fused multiply-add,
 * so all variants agree bit for bit:
 *   c = (float)(acc - a_zero * col_sum) * (a_scale * w_scale) + bias */
static inline float afk_epilogue(int32_t acc, int32_t a_zero, int32_t col_sum,
                                 float a_scale, float w_scale, const float *bias, int j) {
    float scale = a_scale * w_scale;
    float scaled = (float)(acc - a_zero * col_sum) * scale;
    return bias ? scaled + bias[j] : scaled;
}

/* The driver of the variants that work one panel at a time: `entry(g, m)` runs each panel of
 * the column range down its rows in tiles of `rows` rows (asking for the next panel ahead,
 * `afk_lookahead`), then the rows left over as one smaller tile. `tile(g, i0, count, panel)`
 * must be always_inline, so every constant row count gets its own unrolled code; `attributes`
 * is the variant's target. */
#define AFK_DEFINE_PANEL_GEMM(entry, attributes, rows, tile)                                  \
    _Static_assert((rows) <= 6, "AFK_DEFINE_PANEL_GEMM tiles leftovers of up to 5 rows");      \
    static attributes void entry##_panel(const afk_gemm_args *g, int m, int panel) {           \
        afk_lookahead ahead = afk_lookahead_of(g, panel + 1, 1, (m + (rows) - 1) / (rows));     \
        int i0 = 0;                                                                            \
        for (; i0 + (rows) <= m; i0 += (rows)) {                                               \
            afk_lookahead_step(&ahead);                                                        \
            tile(g, i0, (rows), panel);                                                        \
        }                                                                                      \
        switch (m - i0) {                                                                      \
        case 1: tile(g, i0, 1, panel); break;                                                  \
        case 2: if ((rows) > 2) tile(g, i0, 2, panel); break;                                  \
        case 3: if ((rows) > 3) tile(g, i0, 3, panel); break;                                  \
        case 4: if ((rows) > 4) tile(g, i0, 4, panel); break;                                  \
        case 5: if ((rows) > 5) tile(g, i0, 5, panel); break;                                  \
        default: break;                                                                        \
        }                                                                                      \
    }                                                                                          \
    attributes void entry(const afk_gemm_args *g, int m) {                                     \
        for (int panel = g->n_begin / AFK_PANEL; panel * AFK_PANEL < g->n_end; panel++)        \
            entry##_panel(g, m, panel);                                                        \
    }

/* One GEMM call's operands (all but m), as the dispatcher hands them to a variant. */
typedef struct {
    const uint8_t *a;
    int lda;
    const float *a_scale;
    const int32_t *a_zero;
    const afk_packed_weights *w;
    const float *w_scale, *bias;
    const float *c_scale; /* NULL: c = result; else c += c_scale[j] * result */
    float *c;
    int ldc, n_begin, n_end;
} afk_gemm_args;

/* Writes one finished value (the scalar path at a column range's edges, and the portable GEMM):
 * c = v, or c += c_scale[j] * v as a multiply, then an add. */
static inline void afk_store_value(const afk_gemm_args *g, int i, int j, float v) {
    float *out = g->c + (size_t)i * (size_t)g->ldc + (size_t)j;
    if (g->c_scale) {
        float product = g->c_scale[j] * v;
        *out = *out + product;
    } else {
        *out = v;
    }
}

/* A model's layers do not fit L2, so a GEMM's next column block comes from L3. The variants
 * walk a block down its rows in tiles; from the block's middle on, each tile first asks for the
 * next slice of the next block into L2 (`afk_lookahead_step`), so that block's first tile finds
 * its weights there; waiting for the middle keeps the requests off the block's own first misses. */
typedef struct {
    const char *next;
    size_t bytes, slice, asked;
    int wait; /* tiles to go before the first request */
} afk_lookahead;

/* The block of panels [first, first + count) clipped to the call's columns, asked for over the
 * second half of `tiles` tiles. */
static inline afk_lookahead afk_lookahead_of(const afk_gemm_args *g, int first, int count, int tiles) {
    const int panel_end = (g->n_end + AFK_PANEL - 1) / AFK_PANEL;
    const int panels = first >= panel_end ? 0 : panel_end - first < count ? panel_end - first : count;
    afk_lookahead l = {panels ? (const char *)afk_panel(g->w, first) : NULL,
                       (size_t)panels * (size_t)g->w->k_padded * AFK_PANEL, 0, 0, tiles / 2};
    l.slice = tiles - l.wait > 0 ? (l.bytes / (size_t)(tiles - l.wait) + 63) & ~(size_t)63 : l.bytes;
    return l;
}

static inline void afk_lookahead_step(afk_lookahead *l) {
    if (l->wait-- > 0) return;
    for (size_t end = l->asked + l->slice; l->asked < end && l->asked < l->bytes; l->asked += 64)
        __builtin_prefetch(l->next + l->asked, 0, 2);
}

void afk_gemm_portable(const afk_gemm_args *g, int m);

void afk_quantize_rows_u8_portable(const float *x, int m, int k, int ldx,
                                   uint8_t *q, int ldq, float *a_scale, int32_t *a_zero);
/* Scale and zero point of one row from its min and max (both widened to include 0). */
void afk_quant_params(float lo, float hi, float *scale, float *inv_scale, int32_t *zero);

#if defined(__x86_64__)
void afk_gemm_avx2(const afk_gemm_args *g, int m);
void afk_gemm_avx_vnni(const afk_gemm_args *g, int m);
void afk_gemm_avx512_vnni(const afk_gemm_args *g, int m);
void afk_quantize_rows_u8_avx2(const float *x, int m, int k, int ldx,
                               uint8_t *q, int ldq, float *a_scale, int32_t *a_zero);
void afk_quantize_rows_u8_avx512(const float *x, int m, int k, int ldx,
                                 uint8_t *q, int ldq, float *a_scale, int32_t *a_zero);
afk_packed_weights *afk_pack_quantized_rows_avx512(const float *x, int n, int k, int ldx,
                                                   float *scale, void *buffer, size_t bytes);
afk_packed_weights *afk_pack_quantized_columns_avx512(const float *x, int k, int n, int ldx,
                                                      float *scale, void *buffer, size_t bytes);
#endif
#if defined(__aarch64__)
void afk_gemm_neon(const afk_gemm_args *g, int m);
void afk_gemm_neon_dotprod(const afk_gemm_args *g, int m);
#endif

/* Rounds to nearest-even (the default mode, as cvtps2dq does) for |v| < 2^22, without a libm
 * call: adding 1.5 * 2^23 leaves no fraction bits. Separate statements: no fused multiply-add. */
static inline float afk_round_even(float v) {
    const float shift = 12582912.0f;
    float shifted = v + shift;
    return shifted - shift;
}

/* One activation to u8; |x * inv_scale| <= 255 because the row's range sets the scale. */
static inline uint8_t afk_quantize_value(float x, float inv_scale, int32_t zero) {
    float scaled = x * inv_scale;
    int32_t q = (int32_t)afk_round_even(scaled) + zero;
    return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

/* The symmetric s8 scale of a line whose largest magnitude is `largest` (1 for an all-zero line). */
static inline float afk_s8_scale(float largest) { return largest > 0.0f ? largest / 127.0f : 1.0f; }

/* One weight to s8; |x * inv_scale| <= 127 (up to rounding) because the line's peak sets the scale. */
static inline int8_t afk_quantize_s8(float x, float inv_scale) {
    float scaled = x * inv_scale;
    scaled = scaled < -127.0f ? -127.0f : scaled > 127.0f ? 127.0f : scaled;
    return (int8_t)(int32_t)afk_round_even(scaled);
}

/* Fills the header of an N x K block in `buffer` (checked as afk_pack_weights_into does) and
 * leaves the panels and column sums to the caller; NULL on bad sizes or a small or misaligned buffer. */
afk_packed_weights *afk_packed_header(int n, int k, void *buffer, size_t bytes);

/* Four activation bytes as one little-endian word, from any alignment. */
static inline int32_t afk_load4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Loads the last 1..3 bytes of a k group (past the end of a row) without reading beyond it. */
static inline int32_t afk_load_tail4(const uint8_t *p, int count) {
    uint32_t v = 0;
    for (int i = 0; i < count; i++) v |= (uint32_t)p[i] << (8 * i);
    return (int32_t)v;
}

#endif
