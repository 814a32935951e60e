/* AVX-VNNI GEMM: the ymm twin of the AVX-512 kernel, ROWS x 16 columns per tile
 * (two ymm per row per panel), for CPUs with VEX-encoded vpdpbusd only. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "epilogue_avx2.h"

#define TARGET __attribute__((target("avx2,avxvnni")))
#define INLINE static inline __attribute__((always_inline)) TARGET

enum { ROWS = 6 }; /* 12 accumulators + 2 weight vectors + 1 broadcast of 16 ymm */

INLINE __m256i broadcast4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm256_set1_epi32(v);
}

INLINE void tile(const afk_gemm_args *g, int i0, int rows, int panel) {
    const afk_packed_weights *w = g->w;
    const int8_t *b = afk_panel(w, panel);
    const uint8_t *a = g->a + (size_t)i0 * (size_t)g->lda;
    const size_t lda = (size_t)g->lda;
    const int full_groups = w->k / AFK_KGROUP, tail = w->k % AFK_KGROUP;

    __m256i lo[ROWS], hi[ROWS];
    for (int r = 0; r < rows; r++) lo[r] = hi[r] = _mm256_setzero_si256();
    for (int kg = 0; kg < full_groups; kg++) {
        __m256i w_lo = _mm256_load_si256((const __m256i *)(b + (size_t)kg * 64));
        __m256i w_hi = _mm256_load_si256((const __m256i *)(b + (size_t)kg * 64 + 32));
        for (int r = 0; r < rows; r++) {
            __m256i av = broadcast4(a + r * lda + (size_t)kg * AFK_KGROUP);
            lo[r] = _mm256_dpbusd_avx_epi32(lo[r], av, w_lo);
            hi[r] = _mm256_dpbusd_avx_epi32(hi[r], av, w_hi);
        }
    }
    if (tail) {
        __m256i w_lo = _mm256_load_si256((const __m256i *)(b + (size_t)full_groups * 64));
        __m256i w_hi = _mm256_load_si256((const __m256i *)(b + (size_t)full_groups * 64 + 32));
        for (int r = 0; r < rows; r++) {
            __m256i av = _mm256_set1_epi32(afk_load_tail4(a + r * lda + (size_t)full_groups * AFK_KGROUP, tail));
            lo[r] = _mm256_dpbusd_avx_epi32(lo[r], av, w_lo);
            hi[r] = _mm256_dpbusd_avx_epi32(hi[r], av, w_hi);
        }
    }
    afk_store_rows8_avx2(g, i0, rows, panel * AFK_PANEL, lo);
    afk_store_rows8_avx2(g, i0, rows, panel * AFK_PANEL + 8, hi);
}

AFK_DEFINE_PANEL_GEMM(afk_gemm_avx_vnni, TARGET, ROWS, tile)
#endif
