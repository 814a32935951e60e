/* AVX2 GEMM, exact: vpmaddubsw would saturate int16 (255 * 127 * 2 > 32767), so both
 * operands are widened to int16 and multiplied with vpmaddwd, which sums pairs into int32. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "epilogue_avx2.h"

#define TARGET __attribute__((target("avx2")))
#define INLINE static inline __attribute__((always_inline)) TARGET

/* Per row, four accumulators of 4 columns x 2 partial sums (k0+k1, k2+k3): 8 + 4 widened
 * weight vectors + 1 activation vector of 16 ymm. */
enum { ROWS = 2 };

/* The 4 activations of one k group as int16, repeated across the register. */
INLINE __m256i broadcast4_i16(int32_t four_bytes) {
    return _mm256_cvtepu8_epi16(_mm_set1_epi32(four_bytes));
}

INLINE void accumulate(__m256i acc[4], __m256i av, const __m256i wv[4]) {
    for (int q = 0; q < 4; q++) acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(av, wv[q]));
}

INLINE void load_weights(__m256i wv[4], const int8_t *group) {
    for (int q = 0; q < 4; q++) wv[q] = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)(group + 16 * q)));
}

/* Adds each column's two partial sums: [c0..c3 pairs], [c4..c7 pairs] -> c0..c7. */
INLINE __m256i fold_pairs(__m256i cols0_3, __m256i cols4_7) {
    return _mm256_permute4x64_epi64(_mm256_hadd_epi32(cols0_3, cols4_7), 0xD8);
}

INLINE void tile(const afk_gemm_args *g, int i0, int rows, int panel) {
    const afk_packed_weights *w = g->w;
    const int8_t *b = afk_panel(w, panel);
    const uint8_t *a = g->a + (size_t)i0 * (size_t)g->lda;
    const size_t lda = (size_t)g->lda;
    const int full_groups = w->k / AFK_KGROUP, tail = w->k % AFK_KGROUP;

    __m256i acc[ROWS][4];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < 4; q++) acc[r][q] = _mm256_setzero_si256();
    for (int kg = 0; kg < full_groups; kg++) {
        __m256i wv[4];
        load_weights(wv, b + (size_t)kg * 64);
        for (int r = 0; r < rows; r++) {
            int32_t four;
            memcpy(&four, a + r * lda + (size_t)kg * AFK_KGROUP, sizeof four);
            accumulate(acc[r], broadcast4_i16(four), wv);
        }
    }
    if (tail) {
        __m256i wv[4];
        load_weights(wv, b + (size_t)full_groups * 64);
        for (int r = 0; r < rows; r++)
            accumulate(acc[r], broadcast4_i16(afk_load_tail4(a + r * lda + (size_t)full_groups * AFK_KGROUP, tail)), wv);
    }
    __m256i left[ROWS], right[ROWS];
    for (int r = 0; r < rows; r++) {
        left[r] = fold_pairs(acc[r][0], acc[r][1]);
        right[r] = fold_pairs(acc[r][2], acc[r][3]);
    }
    afk_store_rows8_avx2(g, i0, rows, panel * AFK_PANEL, left);
    afk_store_rows8_avx2(g, i0, rows, panel * AFK_PANEL + 8, right);
}

static TARGET void panel_rows(const afk_gemm_args *g, int m, int panel) {
    int i0 = 0;
    for (; i0 + ROWS <= m; i0 += ROWS) tile(g, i0, ROWS, panel);
    if (m - i0 == 1) tile(g, i0, 1, panel);
}

TARGET void afk_gemm_avx2(const afk_gemm_args *g, int m) {
    for (int panel = g->n_begin / AFK_PANEL; panel * AFK_PANEL < g->n_end; panel++) panel_rows(g, m, panel);
}
#endif
