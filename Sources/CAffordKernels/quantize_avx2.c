/* AVX2 twin of afk_quantize_rows_u8_portable (also used by the AVX-VNNI variant). */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx2")))

static inline __attribute__((always_inline)) TARGET
__m256i quantize8(const float *p, __m256 inv, __m256i zero) {
    __m256i v = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(p), inv)), zero);
    return _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()), _mm256_set1_epi32(255));
}

TARGET void afk_quantize_rows_u8_avx2(const float *x, int m, int k, int ldx,
                                      uint8_t *q, int ldq, float *a_scale, int32_t *a_zero) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * (size_t)ldx;
        uint8_t *out = q + (size_t)i * (size_t)ldq;
        /* Two chains each, to hide the min/max latency. */
        __m256 lo8 = _mm256_setzero_ps(), hi8 = lo8, lo8b = lo8, hi8b = lo8;
        int kk = 0;
        for (; kk + 16 <= k; kk += 16) {
            __m256 v0 = _mm256_loadu_ps(row + kk), v1 = _mm256_loadu_ps(row + kk + 8);
            lo8 = _mm256_min_ps(lo8, v0);
            hi8 = _mm256_max_ps(hi8, v0);
            lo8b = _mm256_min_ps(lo8b, v1);
            hi8b = _mm256_max_ps(hi8b, v1);
        }
        for (; kk + 8 <= k; kk += 8) {
            __m256 v = _mm256_loadu_ps(row + kk);
            lo8 = _mm256_min_ps(lo8, v);
            hi8 = _mm256_max_ps(hi8, v);
        }
        lo8 = _mm256_min_ps(lo8, lo8b);
        hi8 = _mm256_max_ps(hi8, hi8b);
        float lanes_lo[8], lanes_hi[8], lo = 0.0f, hi = 0.0f;
        _mm256_storeu_ps(lanes_lo, lo8);
        _mm256_storeu_ps(lanes_hi, hi8);
        for (int t = 0; t < 8; t++) {
            lo = lanes_lo[t] < lo ? lanes_lo[t] : lo;
            hi = lanes_hi[t] > hi ? lanes_hi[t] : hi;
        }
        for (; kk < k; kk++) {
            lo = row[kk] < lo ? row[kk] : lo;
            hi = row[kk] > hi ? row[kk] : hi;
        }
        float inv;
        afk_quant_params(lo, hi, &a_scale[i], &inv, &a_zero[i]);
        __m256 inv_v = _mm256_set1_ps(inv);
        __m256i zero_v = _mm256_set1_epi32(a_zero[i]);
        kk = 0;
        for (; kk + 16 <= k; kk += 16) {
            __m256i u16 = _mm256_permute4x64_epi64(
                _mm256_packus_epi32(quantize8(row + kk, inv_v, zero_v), quantize8(row + kk + 8, inv_v, zero_v)), 0xD8);
            __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(u16), _mm256_extracti128_si256(u16, 1));
            _mm_storeu_si128((__m128i *)(out + kk), bytes);
        }
        for (; kk < k; kk++) out[kk] = afk_quantize_value(row[kk], inv, a_zero[i]);
    }
}
#endif
