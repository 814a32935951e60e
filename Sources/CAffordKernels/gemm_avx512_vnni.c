/* AVX-512 VNNI GEMM: register tiles of ROWS x (PANELS * 16) int32 accumulators in zmm,
 * one vpdpbusd per (row, panel, 4 k), activations broadcast from memory. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline)) TARGET
#define UNROLL _Pragma("clang loop unroll(full)")

enum { ROWS = 6, PANELS = 4 }; /* 24 accumulators + 4 weight vectors + 1 broadcast of 32 zmm */

INLINE __m512i broadcast4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm512_set1_epi32(v);
}

/* Columns of panel `panel` inside [n_begin, n_end), as a store mask. */
INLINE __mmask16 column_mask(const afk_gemm_args *g, int panel) {
    int first = panel * AFK_PANEL, lo = g->n_begin - first, hi = g->n_end - first;
    if (lo < 0) lo = 0;
    if (hi > AFK_PANEL) hi = AFK_PANEL;
    if (hi <= lo) return 0;
    return (__mmask16)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

/* What the epilogue needs of one panel, loaded once per tile rather than once per row. */
typedef struct {
    __mmask16 mask;
    __m512i col_sum;
    __m512 w_scale, bias, c_scale;
} panel_epilogue;

INLINE panel_epilogue load_panel_epilogue(const afk_gemm_args *g, int panel) {
    panel_epilogue e;
    int j = panel * AFK_PANEL;
    e.mask = column_mask(g, panel);
    e.col_sum = _mm512_maskz_loadu_epi32(e.mask, g->w->col_sum + j);
    e.w_scale = _mm512_maskz_loadu_ps(e.mask, g->w_scale + j);
    e.bias = g->bias ? _mm512_maskz_loadu_ps(e.mask, g->bias + j) : _mm512_setzero_ps();
    e.c_scale = g->c_scale ? _mm512_maskz_loadu_ps(e.mask, g->c_scale + j) : _mm512_setzero_ps();
    return e;
}

/* `accumulate` (c += c_scale * result) is a compile-time constant, as are the tile's shapes: a
 * branch on it per row and panel cost K = 64 GEMMs 6%. */
INLINE void store_row(const afk_gemm_args *g, int i, int panel, const panel_epilogue *e, __m512i acc, int accumulate) {
    if (!e->mask) return;
    __m512i exact = _mm512_sub_epi32(acc, _mm512_mullo_epi32(_mm512_set1_epi32(g->a_zero[i]), e->col_sum));
    __m512 scale = _mm512_mul_ps(_mm512_set1_ps(g->a_scale[i]), e->w_scale);
    __m512 out = _mm512_mul_ps(_mm512_cvtepi32_ps(exact), scale);
    if (g->bias) out = _mm512_add_ps(out, e->bias);
    float *c = g->c + (size_t)i * (size_t)g->ldc + (size_t)panel * AFK_PANEL;
    if (accumulate) out = _mm512_add_ps(_mm512_maskz_loadu_ps(e->mask, c), _mm512_mul_ps(e->c_scale, out));
    _mm512_mask_storeu_ps(c, e->mask, out);
}

/* One tile: `rows` rows from row i0, `panels` panels from `panel0`. Both are
 * compile-time constants at every call site, so the accumulators stay in registers. */
INLINE void tile(const afk_gemm_args *g, int i0, int rows, int panel0, int panels, int accumulate) {
    const afk_packed_weights *w = g->w;
    const size_t panel_stride = (size_t)w->k_padded * AFK_PANEL;
    const int8_t *b = afk_panel(w, panel0);
    const uint8_t *a = g->a + (size_t)i0 * (size_t)g->lda;
    const size_t lda = (size_t)g->lda;
    const int full_groups = w->k / AFK_KGROUP, tail = w->k % AFK_KGROUP;

    /* Every loop over rows or panels is unrolled in full, so `acc` stays in registers: left
     * to itself clang keeps it on the stack for the epilogue (a memset and a reload per tile). */
    __m512i acc[ROWS][PANELS];
    UNROLL for (int r = 0; r < rows; r++)
        UNROLL for (int p = 0; p < panels; p++) acc[r][p] = _mm512_setzero_si512();

    for (int kg = 0; kg < full_groups; kg++) {
        __m512i wv[PANELS];
        UNROLL for (int p = 0; p < panels; p++)
            wv[p] = _mm512_load_si512((const void *)(b + p * panel_stride + (size_t)kg * 64));
        UNROLL for (int r = 0; r < rows; r++) {
            __m512i av = broadcast4(a + r * lda + (size_t)kg * AFK_KGROUP);
            UNROLL for (int p = 0; p < panels; p++) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], av, wv[p]);
        }
    }
    if (tail) {
        __m512i wv[PANELS];
        UNROLL for (int p = 0; p < panels; p++)
            wv[p] = _mm512_load_si512((const void *)(b + p * panel_stride + (size_t)full_groups * 64));
        UNROLL for (int r = 0; r < rows; r++) {
            __m512i av = _mm512_set1_epi32(afk_load_tail4(a + r * lda + (size_t)full_groups * AFK_KGROUP, tail));
            UNROLL for (int p = 0; p < panels; p++) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], av, wv[p]);
        }
    }
    UNROLL for (int p = 0; p < panels; p++) {
        panel_epilogue e = load_panel_epilogue(g, panel0 + p);
        UNROLL for (int r = 0; r < rows; r++) store_row(g, i0 + r, panel0 + p, &e, acc[r][p], accumulate);
    }
}

/* All rows against `panels` panels: full row tiles (each asking for a slice of the next
 * block ahead, `afk_lookahead`), then the leftover rows. */
INLINE void column_block(const afk_gemm_args *g, int m, int panel0, int panels, int accumulate) {
    afk_lookahead ahead = afk_lookahead_of(g, panel0 + panels, PANELS, (m + ROWS - 1) / ROWS);
    int i0 = 0;
    for (; i0 + ROWS <= m; i0 += ROWS) {
        afk_lookahead_step(&ahead);
        tile(g, i0, ROWS, panel0, panels, accumulate);
    }
    switch (m - i0) {
    case 1: tile(g, i0, 1, panel0, panels, accumulate); break;
    case 2: tile(g, i0, 2, panel0, panels, accumulate); break;
    case 3: tile(g, i0, 3, panel0, panels, accumulate); break;
    case 4: tile(g, i0, 4, panel0, panels, accumulate); break;
    case 5: tile(g, i0, 5, panel0, panels, accumulate); break;
    default: break;
    }
}

/* A last panel with only a few columns in range (QKᵀ's 257th key) as a 16-column tile would be
 * nearly all padding, and its six accumulator chains wait on vpdpbusd's latency. Each of its
 * columns instead becomes one dot product per row over whole 64-byte lines of A. */
enum { NARROW_COLUMNS = 2, NARROW_MAX_LINES = 4 };

INLINE int narrow_columns_of_last_panel(const afk_gemm_args *g) {
    const int last = (g->n_end - 1) / AFK_PANEL;
    const int first = g->n_begin > last * AFK_PANEL ? g->n_begin : last * AFK_PANEL;
    /* The 16-row stores scatter at multiples of ldc, as 32-bit offsets. */
    return g->n_end - first <= NARROW_COLUMNS && g->w->k_padded <= NARROW_MAX_LINES * 64 && g->ldc <= INT32_MAX / 16;
}

/* Sixteen vectors into one whose lane r is the sum of v[r]'s lanes. */
INLINE __m512i sum_lanes_of_16(const __m512i v[16]) {
    __m512i pairs[8], quads[4];
    UNROLL for (int p = 0; p < 8; p++) /* per 128-bit lane: a0+a2, b0+b2, a1+a3, b1+b3 */
        pairs[p] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * p], v[2 * p + 1]), _mm512_unpackhi_epi32(v[2 * p], v[2 * p + 1]));
    UNROLL for (int q = 0; q < 4; q++) /* per 128-bit lane: rows 4q .. 4q+3 */
        quads[q] = _mm512_add_epi32(_mm512_unpacklo_epi64(pairs[2 * q], pairs[2 * q + 1]),
                                    _mm512_unpackhi_epi64(pairs[2 * q], pairs[2 * q + 1]));
    __m512i low = _mm512_add_epi32(_mm512_shuffle_i32x4(quads[0], quads[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_i32x4(quads[0], quads[1], _MM_SHUFFLE(3, 1, 3, 1)));
    __m512i high = _mm512_add_epi32(_mm512_shuffle_i32x4(quads[2], quads[3], _MM_SHUFFLE(2, 0, 2, 0)),
                                    _mm512_shuffle_i32x4(quads[2], quads[3], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(low, high, _MM_SHUFFLE(2, 0, 2, 0)),
                            _mm512_shuffle_i32x4(low, high, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* One row of A against a column's bytes, over `lines` 64-byte lines (the last masked to K): the
 * 16 lanes of the result sum to the dot product. */
INLINE __m512i row_dot(const uint8_t *a, const __m512i *column, int lines, __mmask64 last_line) {
    __m512i sum = _mm512_setzero_si512();
    for (int l = 0; l < lines; l++)
        sum = _mm512_dpbusd_epi32(sum, _mm512_maskz_loadu_epi8(l + 1 < lines ? ~(__mmask64)0 : last_line, a + l * 64), column[l]);
    return sum;
}

static TARGET void narrow_columns(const afk_gemm_args *g, int m, int panel) {
    const afk_packed_weights *w = g->w;
    const int lines = (w->k + 63) / 64, groups = w->k_padded / AFK_KGROUP;
    const __mmask64 last_line = w->k % 64 ? ((__mmask64)1 << (w->k % 64)) - 1 : ~(__mmask64)0;
    const int first = g->n_begin > panel * AFK_PANEL ? g->n_begin : panel * AFK_PANEL;
    for (int j = first; j < g->n_end; j++) {
        /* The column's K bytes in order: group kg sits at kg·64 + lane·4 of the panel. */
        __m512i column[NARROW_MAX_LINES];
        const __m512i lane_groups = _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240);
        for (int l = 0; l < lines; l++) {
            int valid = groups - l * 16;
            __mmask16 present = valid >= 16 ? 0xFFFF : (__mmask16)((1u << valid) - 1u);
            __m512i index = _mm512_add_epi32(lane_groups, _mm512_set1_epi32(l * 256 + j % AFK_PANEL));
            column[l] = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), present, index, afk_panel(w, panel), 4);
        }
        /* The epilogue over 16 rows at once: the same operations in the same order as store_row's. */
        const __m512i col_sum = _mm512_set1_epi32(w->col_sum[j]);
        const __m512 w_scale = _mm512_set1_ps(g->w_scale[j]);
        const __m512i row_offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                       _mm512_set1_epi32(g->ldc));
        int i0 = 0;
        for (; i0 + 16 <= m; i0 += 16) {
            __m512i rows[16];
            UNROLL for (int r = 0; r < 16; r++) rows[r] = row_dot(g->a + (size_t)(i0 + r) * (size_t)g->lda, column, lines, last_line);
            __m512i exact = _mm512_sub_epi32(sum_lanes_of_16(rows), _mm512_mullo_epi32(_mm512_loadu_si512((const void *)(g->a_zero + i0)), col_sum));
            __m512 out = _mm512_mul_ps(_mm512_cvtepi32_ps(exact), _mm512_mul_ps(_mm512_loadu_ps(g->a_scale + i0), w_scale));
            if (g->bias) out = _mm512_add_ps(out, _mm512_set1_ps(g->bias[j]));
            float *c = g->c + (size_t)i0 * (size_t)g->ldc + (size_t)j;
            if (g->c_scale) out = _mm512_add_ps(_mm512_i32gather_ps(row_offsets, c, 4), _mm512_mul_ps(_mm512_set1_ps(g->c_scale[j]), out));
            _mm512_i32scatter_ps(c, row_offsets, out, 4);
        }
        for (int i = i0; i < m; i++) {
            int32_t sum = _mm512_reduce_add_epi32(row_dot(g->a + (size_t)i * (size_t)g->lda, column, lines, last_line));
            afk_store_value(g, i, j, afk_epilogue(sum, g->a_zero[i], w->col_sum[j], g->a_scale[i], g->w_scale[j], g->bias, j));
        }
    }
}

/* Every (panels, accumulate) pair as its own function, so each gets its own unrolled code. */
#define COLUMN_BLOCK(panels, accumulate)                                                                 \
    static TARGET void column_block_##panels##_##accumulate(const afk_gemm_args *g, int m, int p0) {    \
        column_block(g, m, p0, panels, accumulate);                                                      \
    }
#define COLUMN_BLOCKS(accumulate)                                                                         \
    COLUMN_BLOCK(4, accumulate) COLUMN_BLOCK(3, accumulate) COLUMN_BLOCK(2, accumulate) COLUMN_BLOCK(1, accumulate) \
    static TARGET void columns_##accumulate(const afk_gemm_args *g, int m) {                              \
        int panel = g->n_begin / AFK_PANEL, panel_end = (g->n_end + AFK_PANEL - 1) / AFK_PANEL;          \
        const int narrow = narrow_columns_of_last_panel(g);                                              \
        panel_end -= narrow;                                                                             \
        for (; panel + PANELS <= panel_end; panel += PANELS) column_block_4_##accumulate(g, m, panel);    \
        switch (panel_end - panel) {                                                                     \
        case 3: column_block_3_##accumulate(g, m, panel); break;                                         \
        case 2: column_block_2_##accumulate(g, m, panel); break;                                         \
        case 1: column_block_1_##accumulate(g, m, panel); break;                                         \
        default: break;                                                                                  \
        }                                                                                                \
        if (narrow) narrow_columns(g, m, panel_end);                                                     \
    }
COLUMN_BLOCKS(0)
COLUMN_BLOCKS(1)

TARGET void afk_gemm_avx512_vnni(const afk_gemm_args *g, int m) {
    if (g->c_scale) columns_1(g, m);
    else columns_0(g, m);
}
#endif
