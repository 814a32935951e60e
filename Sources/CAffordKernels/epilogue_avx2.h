/* The ymm epilogue shared by the AVX2 and AVX-VNNI GEMMs (x86 only). */
#ifndef AFK_EPILOGUE_AVX2_H
#define AFK_EPILOGUE_AVX2_H

#include "afk_internal.h"
#include <immintrin.h>

typedef struct {
    const uint8_t *a;
    int lda;
    const float *a_scale;
    const int32_t *a_zero;
    const afk_packed_weights *w;
    const float *w_scale, *bias;
    float *c;
    int ldc, n_begin, n_end;
} afk_gemm_args;

/* Eight accumulators of row i, columns j..j+7: vector epilogue inside the range, scalar at its edges. */
static inline __attribute__((always_inline, target("avx2")))
void afk_store8_avx2(const afk_gemm_args *g, int i, int j, __m256i acc) {
    float *out = g->c + (size_t)i * (size_t)g->ldc;
    if (j >= g->n_begin && j + 8 <= g->n_end) {
        __m256i col_sum = _mm256_loadu_si256((const __m256i *)(g->w->col_sum + j));
        __m256i exact = _mm256_sub_epi32(acc, _mm256_mullo_epi32(_mm256_set1_epi32(g->a_zero[i]), col_sum));
        __m256 scale = _mm256_mul_ps(_mm256_set1_ps(g->a_scale[i]), _mm256_loadu_ps(g->w_scale + j));
        __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(exact), scale);
        if (g->bias) v = _mm256_add_ps(v, _mm256_loadu_ps(g->bias + j));
        _mm256_storeu_ps(out + j, v);
        return;
    }
    int32_t lanes[8];
    _mm256_storeu_si256((__m256i *)lanes, acc);
    for (int t = 0; t < 8; t++) {
        int jj = j + t;
        if (jj < g->n_begin || jj >= g->n_end) continue;
        out[jj] = afk_epilogue(lanes[t], g->a_zero[i], g->w->col_sum[jj], g->a_scale[i], g->w_scale[jj], g->bias, jj);
    }
}

#endif
