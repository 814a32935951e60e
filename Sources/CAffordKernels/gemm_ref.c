/* The plain reference GEMM: unpacked B, no SIMD, no blocking. The oracle for every variant. */
#include "afk_internal.h"

void afk_gemm_u8s8_f32_ref(int m, int n, int k,
                           const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                           const int8_t *b, int ldb, const float *w_scale, const float *bias,
                           float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        const uint8_t *a_row = a + (size_t)i * (size_t)lda;
        for (int j = 0; j < n; j++) {
            const int8_t *b_row = b + (size_t)j * (size_t)ldb;
            int32_t dot = 0, col_sum = 0;
            for (int kk = 0; kk < k; kk++) {
                dot += (int32_t)a_row[kk] * (int32_t)b_row[kk];
                col_sum += b_row[kk];
            }
            c[(size_t)i * (size_t)ldc + (size_t)j] =
                afk_epilogue(dot, a_zero[i], col_sum, a_scale[i], w_scale[j], bias, j);
        }
    }
}
