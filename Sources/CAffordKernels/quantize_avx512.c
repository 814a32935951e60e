/* AVX-512 twin of afk_quantize_rows_u8_portable; same parameters, same rounding. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl")))

TARGET void afk_quantize_rows_u8_avx512(const float *x, int m, int k, int ldx,
                                        uint8_t *q, int ldq, float *a_scale, int32_t *a_zero) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * (size_t)ldx;
        uint8_t *out = q + (size_t)i * (size_t)ldq;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        for (int kk = 0; kk < k; kk += 16) {
            __mmask16 mask = k - kk >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - kk)) - 1u);
            __m512 v = _mm512_maskz_loadu_ps(mask, row + kk); /* masked-off lanes read as 0, inside the range */
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
        }
        float inv;
        afk_quant_params(_mm512_reduce_min_ps(lo), _mm512_reduce_max_ps(hi), &a_scale[i], &inv, &a_zero[i]);
        __m512 inv_v = _mm512_set1_ps(inv);
        __m512i zero_v = _mm512_set1_epi32(a_zero[i]), floor_v = _mm512_setzero_si512();
        for (int kk = 0; kk < k; kk += 16) {
            __mmask16 mask = k - kk >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - kk)) - 1u);
            __m512 scaled = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + kk), inv_v);
            __m512i v = _mm512_add_epi32(_mm512_cvtps_epi32(scaled), zero_v);
            /* vpmovusdb saturates at 255; negatives need the max first. */
            _mm512_mask_cvtusepi32_storeu_epi8(out + kk, mask, _mm512_max_epi32(v, floor_v));
        }
    }
}
#endif
