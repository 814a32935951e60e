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

/* The row's minimum and maximum, both widened to include 0. Two chains each, to hide the min/max latency. */
static inline __attribute__((always_inline)) TARGET
void row_range(const float *row, int k, float *lo_out, float *hi_out) {
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
    *lo_out = lo;
    *hi_out = hi;
}

/* afk_quant_params for 8 rows at once, with the same IEEE operations lane by lane (as the
 * AVX-512 variant does for 16). */
static inline __attribute__((always_inline)) TARGET
void quant_params8(const float *lo_rows, const float *hi_rows, float *scale, float *inv_scale, int32_t *zero) {
    const __m256 none = _mm256_setzero_ps(), top = _mm256_set1_ps(255.0f), shift = _mm256_set1_ps(12582912.0f);
    __m256 lo = _mm256_loadu_ps(lo_rows), hi = _mm256_loadu_ps(hi_rows);
    lo = _mm256_blendv_ps(lo, none, _mm256_cmp_ps(lo, none, _CMP_GT_OQ));
    hi = _mm256_blendv_ps(hi, none, _mm256_cmp_ps(hi, none, _CMP_LT_OQ));
    __m256 s = _mm256_div_ps(_mm256_sub_ps(hi, lo), top);
    s = _mm256_blendv_ps(_mm256_set1_ps(1.0f), s, _mm256_cmp_ps(s, none, _CMP_GT_OQ));
    __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), s);
    __m256 z = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_xor_ps(lo, _mm256_set1_ps(-0.0f)), inv), shift), shift);
    z = _mm256_blendv_ps(z, top, _mm256_cmp_ps(z, top, _CMP_GT_OQ));
    z = _mm256_blendv_ps(z, none, _mm256_cmp_ps(z, none, _CMP_LT_OQ));
    _mm256_storeu_ps(scale, s);
    _mm256_storeu_ps(inv_scale, inv);
    _mm256_storeu_si256((__m256i *)zero, _mm256_cvttps_epi32(z));
}

/* In blocks of 8 rows: each row's range, then the block's parameters in one go, then the codes. */
TARGET void afk_quantize_rows_u8_avx2(const float *x, int m, int k, int ldx,
                                      uint8_t *q, int ldq, float *a_scale, int32_t *a_zero) {
    for (int i0 = 0; i0 < m; i0 += 8) {
        const int rows = m - i0 < 8 ? m - i0 : 8;
        float lo[8] = {0}, hi[8] = {0}, scales[8], inv[8];
        int32_t zeros[8];
        for (int r = 0; r < rows; r++) row_range(x + (size_t)(i0 + r) * (size_t)ldx, k, &lo[r], &hi[r]);
        quant_params8(lo, hi, scales, inv, zeros);
        for (int r = 0; r < rows; r++) {
            const float *row = x + (size_t)(i0 + r) * (size_t)ldx;
            uint8_t *out = q + (size_t)(i0 + r) * (size_t)ldq;
            a_scale[i0 + r] = scales[r];
            a_zero[i0 + r] = zeros[r];
            __m256 inv_v = _mm256_set1_ps(inv[r]);
            __m256i zero_v = _mm256_set1_epi32(zeros[r]);
            int kk = 0;
            for (; kk + 16 <= k; kk += 16) {
                __m256i u16 = _mm256_permute4x64_epi64(
                    _mm256_packus_epi32(quantize8(row + kk, inv_v, zero_v), quantize8(row + kk + 8, inv_v, zero_v)), 0xD8);
                __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(u16), _mm256_extracti128_si256(u16, 1));
                _mm_storeu_si128((__m128i *)(out + kk), bytes);
            }
            for (; kk < k; kk++) out[kk] = afk_quantize_value(row[kk], inv[r], zeros[r]);
        }
    }
}
#endif
