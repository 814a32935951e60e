/* The ymm epilogue shared by the AVX2 and AVX-VNNI GEMMs (x86 only). */
#ifndef AFK_EPILOGUE_AVX2_H
#define AFK_EPILOGUE_AVX2_H

#include "afk_internal.h"
#include <immintrin.h>

/* Columns j..j+7 of rows i0..i0+rows-1 (acc[r] holds row i0 + r): a vector epilogue when all
 * eight columns are in range, with their column data loaded once; scalar at the range's edges. */
static inline __attribute__((always_inline, target("avx2")))
void afk_store_rows8_avx2(const afk_gemm_args *g, int i0, int rows, int j, const __m256i *acc) {
    if (j >= g->n_begin && j + 8 <= g->n_end) {
        __m256i col_sum = _mm256_loadu_si256((const __m256i *)(g->w->col_sum + j));
        __m256 w_scale = _mm256_loadu_ps(g->w_scale + j);
        __m256 bias = g->bias ? _mm256_loadu_ps(g->bias + j) : _mm256_setzero_ps();
        __m256 c_scale = g->c_scale ? _mm256_loadu_ps(g->c_scale + j) : _mm256_setzero_ps();
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            __m256i exact = _mm256_sub_epi32(acc[r], _mm256_mullo_epi32(_mm256_set1_epi32(g->a_zero[i]), col_sum));
            __m256 scale = _mm256_mul_ps(_mm256_set1_ps(g->a_scale[i]), w_scale);
            __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(exact), scale);
            if (g->bias) v = _mm256_add_ps(v, bias);
            float *out = g->c + (size_t)i * (size_t)g->ldc + j;
            if (g->c_scale) v = _mm256_add_ps(_mm256_loadu_ps(out), _mm256_mul_ps(c_scale, v));
            _mm256_storeu_ps(out, v);
        }
        return;
    }
    for (int r = 0; r < rows; r++) {
        int i = i0 + r;
        int32_t lanes[8];
        _mm256_storeu_si256((__m256i *)lanes, acc[r]);
        for (int t = 0; t < 8; t++) {
            int jj = j + t;
            if (jj < g->n_begin || jj >= g->n_end) continue;
            afk_store_value(g, i, jj, afk_epilogue(lanes[t], g->a_zero[i], g->w->col_sum[jj], g->a_scale[i],
                                                   g->w_scale[jj], g->bias, jj));
        }
    }
}

#endif
