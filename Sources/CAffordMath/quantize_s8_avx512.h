/* AVX-512 symmetric s8 quantization (included by quantize_s8.c; x86 only). Same rounding
 * (to nearest even) and scales as the scalar loops. */
#define AFM_Q512 __attribute__((target("avx512f,avx512bw,avx512vl")))

AFM_Q512 static inline __mmask16 q_tail(int remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1u);
}

AFM_Q512 static inline __m512 q_scale_of(__m512 largest) {
    __mmask16 positive = _mm512_cmp_ps_mask(largest, _mm512_setzero_ps(), _CMP_GT_OQ);
    return _mm512_mask_div_ps(_mm512_set1_ps(1.f), positive, largest, _mm512_set1_ps(127.f));
}

AFM_Q512 static void quantize_s8_rows_avx512(const float *x, int m, int k, int ldx, signed char *q, int ldq, float *scale) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (long)i * ldx;
        __m512 largest = _mm512_setzero_ps();
        for (int j = 0; j < k; j += 16)
            largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(q_tail(k - j), row + j)));
        float peak = _mm512_reduce_max_ps(largest);
        float s = peak > 0.f ? peak / 127.f : 1.f;
        scale[i] = s;
        __m512 inv = _mm512_set1_ps(1.f / s);
        signed char *out = q + (long)i * ldq;
        for (int j = 0; j < k; j += 16) {
            __mmask16 mask = q_tail(k - j);
            __m512i codes = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + j), inv));
            _mm_mask_storeu_epi8(out + j, mask, _mm512_cvtsepi32_epi8(codes));
        }
    }
}

AFM_Q512 static void quantize_s8_columns_avx512(const float *x, int m, int k, int ldx, signed char *q, int ldq, float *scale) {
    for (int j = 0; j < k; j += 16) {
        __mmask16 mask = q_tail(k - j);
        __m512 largest = _mm512_setzero_ps();
        for (int i = 0; i < m; i++)
            largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, x + (long)i * ldx + j)));
        _mm512_mask_storeu_ps(scale + j, mask, q_scale_of(largest));
    }
    /* Transposed write: gather 16 rows of one column, store them as 16 contiguous bytes. */
    __m512i offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                         _mm512_set1_epi32(ldx));
    for (int i = 0; i < m; i += 16) {
        __mmask16 mask = q_tail(m - i);
        const float *base = x + (long)i * ldx;
        for (int j = 0; j < k; j++) {
            __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, offsets, base + j, 4);
            __m512i codes = _mm512_cvtps_epi32(_mm512_mul_ps(v, _mm512_set1_ps(1.f / scale[j])));
            _mm_mask_storeu_epi8(q + (long)j * ldq + i, mask, _mm512_cvtsepi32_epi8(codes));
        }
    }
}
