/* AVX-512 twin of afk_quantize_rows_u8_portable; same parameters, same rounding. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl")))
#define INLINE static inline __attribute__((always_inline)) TARGET

INLINE __mmask16 tail_mask(int left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u); }

/* Row minimum and maximum, both widened to include 0; two chains each to hide min/max latency. */
INLINE void row_range(const float *row, int k, float *lo, float *hi) {
    __m512 lo0 = _mm512_setzero_ps(), hi0 = lo0, lo1 = lo0, hi1 = lo0;
    int kk = 0;
    for (; kk + 32 <= k; kk += 32) {
        __m512 v0 = _mm512_loadu_ps(row + kk), v1 = _mm512_loadu_ps(row + kk + 16);
        lo0 = _mm512_min_ps(lo0, v0);
        hi0 = _mm512_max_ps(hi0, v0);
        lo1 = _mm512_min_ps(lo1, v1);
        hi1 = _mm512_max_ps(hi1, v1);
    }
    for (; kk < k; kk += 16) {
        __m512 v = _mm512_maskz_loadu_ps(tail_mask(k - kk), row + kk); /* masked-off lanes read as 0 */
        lo0 = _mm512_min_ps(lo0, v);
        hi0 = _mm512_max_ps(hi0, v);
    }
    *lo = _mm512_reduce_min_ps(_mm512_min_ps(lo0, lo1));
    *hi = _mm512_reduce_max_ps(_mm512_max_ps(hi0, hi1));
}

INLINE __m512i quantize16(__m512 x, __m512 inv, __m512i zero) {
    return _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x, inv)), zero);
}

/* afk_quant_params for 16 rows at once, with the same IEEE operations lane by lane (so the same
 * bits, NaN included). One row at a time its two divisions and the rounding were a serial chain
 * that took half of a 384-wide row's time. */
INLINE void quant_params16(__m512 lo, __m512 hi, __m512 *scale, __m512 *inv_scale, __m512i *zero) {
    const __m512 none = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f), shift = _mm512_set1_ps(12582912.0f);
    lo = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(lo, none, _CMP_GT_OQ), lo, none);
    hi = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(hi, none, _CMP_LT_OQ), hi, none);
    __m512 s = _mm512_div_ps(_mm512_sub_ps(hi, lo), top);
    s = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s, none, _CMP_GT_OQ), _mm512_set1_ps(1.0f), s);
    __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), s);
    __m512 negated = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(lo), _mm512_set1_epi32((int)0x80000000u)));
    __m512 z = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(negated, inv), shift), shift);
    z = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, top, _CMP_GT_OQ), z, top);
    z = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, none, _CMP_LT_OQ), z, none);
    *scale = s;
    *inv_scale = inv;
    *zero = _mm512_cvttps_epi32(z);
}

/* In blocks of 16 rows: each row's range, then the block's parameters in one go, then the codes. */
TARGET void afk_quantize_rows_u8_avx512(const float *x, int m, int k, int ldx,
                                        uint8_t *q, int ldq, float *a_scale, int32_t *a_zero) {
    /* packs/packus interleave 128-bit lanes; this puts the 16 four-byte groups back in order. */
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    for (int i0 = 0; i0 < m; i0 += 16) {
        const int rows = m - i0 < 16 ? m - i0 : 16;
        float lo[16] = {0}, hi[16] = {0}, inv[16];
        int32_t zeros[16];
        for (int r = 0; r < rows; r++) row_range(x + (size_t)(i0 + r) * (size_t)ldx, k, &lo[r], &hi[r]);
        __m512 scale_v, inv_v16;
        __m512i zero_v16;
        quant_params16(_mm512_loadu_ps(lo), _mm512_loadu_ps(hi), &scale_v, &inv_v16, &zero_v16);
        _mm512_storeu_ps(inv, inv_v16);
        _mm512_storeu_si512((void *)zeros, zero_v16);
        _mm512_mask_storeu_ps(a_scale + i0, tail_mask(rows), scale_v);
        _mm512_mask_storeu_epi32(a_zero + i0, tail_mask(rows), zero_v16);
        for (int r = 0; r < rows; r++) {
            const float *row = x + (size_t)(i0 + r) * (size_t)ldx;
            uint8_t *out = q + (size_t)(i0 + r) * (size_t)ldq;
            __m512 inv_v = _mm512_set1_ps(inv[r]);
            __m512i zero_v = _mm512_set1_epi32(zeros[r]);
            int kk = 0;
            for (; kk + 64 <= k; kk += 64) {
                __m512i v0 = quantize16(_mm512_loadu_ps(row + kk), inv_v, zero_v);
                __m512i v1 = quantize16(_mm512_loadu_ps(row + kk + 16), inv_v, zero_v);
                __m512i v2 = quantize16(_mm512_loadu_ps(row + kk + 32), inv_v, zero_v);
                __m512i v3 = quantize16(_mm512_loadu_ps(row + kk + 48), inv_v, zero_v);
                /* Saturating packs clamp to [0, 255] exactly as the portable clamp does. */
                __m512i bytes = _mm512_packus_epi16(_mm512_packs_epi32(v0, v1), _mm512_packs_epi32(v2, v3));
                _mm512_storeu_si512((void *)(out + kk), _mm512_permutexvar_epi32(order, bytes));
            }
            for (; kk < k; kk += 16) {
                __mmask16 mask = tail_mask(k - kk);
                __m512i v = quantize16(_mm512_maskz_loadu_ps(mask, row + kk), inv_v, zero_v);
                /* vpmovusdb saturates at 255; negatives need the max first. */
                _mm512_mask_cvtusepi32_storeu_epi8(out + kk, mask, _mm512_max_epi32(v, _mm512_setzero_si512()));
            }
        }
    }
}
#endif
