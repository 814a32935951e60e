/* AVX2 GEMM, exact: vpmaddubsw would saturate int16 (255 * 127 * 2 > 32767), so both operands
 * are widened to int16 for vpmaddwd, which sums pairs into int32. The widening uses shifts and
 * masks only, not shuffles, which many cores run on a single port: a packed column's four bytes
 * k0..k3 split into the int16 pairs (k0, k2) and (k1, k3), and so does each broadcast activation. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "epilogue_avx2.h"

#define TARGET __attribute__((target("avx2")))
#define INLINE static inline __attribute__((always_inline)) TARGET

/* Two accumulators (columns 0-7, 8-15) per row + 4 widened weight vectors + 2 activation
 * halves + 1 mask of 16 ymm. */
enum { ROWS = 4 };

/* Weights of 8 columns for one k group: even = (k0, k2), odd = (k1, k3), sign-extended. */
INLINE void split_weights(const int8_t *group, __m256i *even, __m256i *odd) {
    __m256i raw = _mm256_load_si256((const __m256i *)group);
    *even = _mm256_srai_epi16(_mm256_slli_epi16(raw, 8), 8);
    *odd = _mm256_srai_epi16(raw, 8);
}

/* One row's four activations of a k group, split like the weights, into its two accumulators. */
INLINE void accumulate(__m256i *lo, __m256i *hi, int32_t four, const __m256i w[4]) {
    __m256i av = _mm256_set1_epi32(four);
    __m256i a_even = _mm256_and_si256(av, _mm256_set1_epi16(0x00FF)), a_odd = _mm256_srli_epi16(av, 8);
    *lo = _mm256_add_epi32(*lo, _mm256_add_epi32(_mm256_madd_epi16(a_even, w[0]), _mm256_madd_epi16(a_odd, w[1])));
    *hi = _mm256_add_epi32(*hi, _mm256_add_epi32(_mm256_madd_epi16(a_even, w[2]), _mm256_madd_epi16(a_odd, w[3])));
}

INLINE void tile(const afk_gemm_args *g, int i0, int rows, int panel) {
    const afk_packed_weights *w = g->w;
    const int8_t *b = afk_panel(w, panel);
    const uint8_t *a = g->a + (size_t)i0 * (size_t)g->lda;
    const size_t lda = (size_t)g->lda;
    const int full_groups = w->k / AFK_KGROUP, tail = w->k % AFK_KGROUP;

    __m256i lo[ROWS], hi[ROWS], wv[4];
    for (int r = 0; r < rows; r++) lo[r] = hi[r] = _mm256_setzero_si256();
    for (int kg = 0; kg < full_groups; kg++) {
        split_weights(b + (size_t)kg * 64, &wv[0], &wv[1]);
        split_weights(b + (size_t)kg * 64 + 32, &wv[2], &wv[3]);
        for (int r = 0; r < rows; r++) accumulate(&lo[r], &hi[r], afk_load4(a + r * lda + (size_t)kg * AFK_KGROUP), wv);
    }
    if (tail) {
        split_weights(b + (size_t)full_groups * 64, &wv[0], &wv[1]);
        split_weights(b + (size_t)full_groups * 64 + 32, &wv[2], &wv[3]);
        for (int r = 0; r < rows; r++)
            accumulate(&lo[r], &hi[r], afk_load_tail4(a + r * lda + (size_t)full_groups * AFK_KGROUP, tail), wv);
    }
    afk_store_rows8_avx2(g, i0, rows, panel * AFK_PANEL, lo);
    afk_store_rows8_avx2(g, i0, rows, panel * AFK_PANEL + 8, hi);
}

AFK_DEFINE_PANEL_GEMM(afk_gemm_avx2, TARGET, ROWS, tile)
#endif
