/* AVX-512F versions of math.c's scalar definitions (included there; x86 only). */
#define AFM_512 __attribute__((target("avx512f,avx512bw,avx512vl")))

AFM_512 static inline __m512 exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), _mm512_set1_ps(12582912.f));
    __m512 n = _mm512_sub_ps(t, _mm512_set1_ps(12582912.f));
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.f)));
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000 - 127));
    return _mm512_mul_ps(p, _mm512_castsi512_ps(_mm512_slli_epi32(bits, 23)));
}

AFM_512 static inline __m512 erf512(__m512 a) {
    __m512 x = _mm512_min_ps(_mm512_max_ps(a, _mm512_set1_ps(-4.f)), _mm512_set1_ps(4.f));
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_fmadd_ps(x2, _mm512_set1_ps(-2.72614225801306e-10f), _mm512_set1_ps(2.77068142495902e-08f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-2.10102402082508e-06f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-5.69250639462346e-05f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-7.34990630326855e-04f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-2.95459980854025e-03f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-1.60960333262415e-02f));
    p = _mm512_mul_ps(p, x);
    __m512 q = _mm512_fmadd_ps(x2, _mm512_set1_ps(-1.45660718464996e-05f), _mm512_set1_ps(-2.13374055278905e-04f));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-1.68282697438203e-03f));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-7.37332916720468e-03f));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-1.42647390514189e-02f));
    return _mm512_div_ps(p, q);
}

AFM_512 static inline __mmask16 tail512(int remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1u);
}

AFM_512 static void gelu_avx512(float *x, int n) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __m512 e = erf512(_mm512_mul_ps(v, _mm512_set1_ps(0.70710678f)));
        __m512 y = _mm512_mul_ps(_mm512_mul_ps(v, _mm512_set1_ps(0.5f)), _mm512_add_ps(e, _mm512_set1_ps(1.f)));
        _mm512_mask_storeu_ps(x + i, m, y);
    }
}

AFM_512 static void scaled_add_avx512(float *y, const float *scale, const float *x, int n) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 product = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, scale + i), _mm512_maskz_loadu_ps(m, x + i));
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), product));
    }
}

/* The row's largest value: softmax subtracts it so exp never overflows. */
AFM_512 static float row_max_avx512(const float *row, int n) {
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        mx = _mm512_mask_max_ps(mx, m, mx, _mm512_maskz_loadu_ps(m, row + i));
    }
    return _mm512_reduce_max_ps(mx);
}

AFM_512 static void softmax_avx512(float *row, int n, float scale) {
    __m512 s = _mm512_set1_ps(scale);
    __m512 shift = _mm512_set1_ps(row_max_avx512(row, n) * scale);
    __m512 sum = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 e = exp512(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(m, row + i), s, shift));
        sum = _mm512_mask_add_ps(sum, m, sum, e);
        _mm512_mask_storeu_ps(row + i, m, e);
    }
    __m512 inv = _mm512_set1_ps(1.f / _mm512_reduce_add_ps(sum));
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        _mm512_mask_storeu_ps(row + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + i), inv));
    }
}

/* 2^t as 2^round(t) (vscalefps, which also takes care of underflow) times a degree-5 fit of
 * 2^f on [-0.5, 0.5] (relative error 2.3e-7): half the instructions of exp512's range
 * reduction, for the softmax whose output only needs 8 bits and a sum. */
AFM_512 static inline __m512 exp2_512(__m512 t) {
    __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(t, n);
    __m512 p = _mm512_set1_ps(1.327647129073739e-3f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.675541892647743e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550713092088699e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022120237350464e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931469440460205e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0000001192092896f));
    return _mm512_scalef_ps(p, n);
}

AFM_512 static void softmax_u8_avx512(const float *row, int n, float scale, unsigned char *q, float *q_scale) {
    /* exp(scale·x - scale·max) = 2^(x·s - max·s) with s = scale·log2(e). */
    const float s2 = scale * 1.44269504088896341f;
    __m512 s = _mm512_set1_ps(s2);
    __m512 shift = _mm512_set1_ps(row_max_avx512(row, n) * s2);
    __m512 sum = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 e = exp2_512(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(m, row + i), s, shift));
        sum = _mm512_mask_add_ps(sum, m, sum, e);
        __m512i codes = _mm512_cvtps_epi32(_mm512_mul_ps(e, _mm512_set1_ps(255.f)));
        _mm_mask_storeu_epi8(q + i, m, _mm512_cvtusepi32_epi8(codes));
    }
    *q_scale = 1.f / (_mm512_reduce_add_ps(sum) * 255.f);
}

AFM_512 static void layernorm_avx512(const float *x, float *y, int n, const float *w, const float *b, float eps) {
    __m512 sum = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tail512(n - i), x + i));
    __m512 mean = _mm512_set1_ps(_mm512_reduce_add_ps(sum) / (float)n);
    __m512 sq = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + i), mean);
        sq = _mm512_fmadd_ps(d, d, sq);
    }
    __m512 inv = _mm512_set1_ps(1.f / sqrtf(_mm512_reduce_add_ps(sq) / (float)n + eps));
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), mean), inv);
        __m512 out = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(m, w + i), _mm512_maskz_loadu_ps(m, b + i));
        _mm512_mask_storeu_ps(y + i, m, out);
    }
}

AFM_512 static int first_at_least_avx512(const float *x, int n, float floor) {
    const __m512 bound = _mm512_set1_ps(floor);
    for (int i = 0; i < n; i += 16) {
        __mmask16 hit = _mm512_mask_cmp_ps_mask(tail512(n - i), _mm512_maskz_loadu_ps(tail512(n - i), x + i), bound, _CMP_GE_OQ);
        if (hit) return i + __builtin_ctz((unsigned)hit);
    }
    return n;
}

AFM_512 static void weighted_rows_avx512(const float *const *rows, const float *taps, int count, float *out, int n) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 sum = _mm512_setzero_ps();
        for (int k = 0; k < count; k++)
            sum = _mm512_add_ps(sum, _mm512_mul_ps(_mm512_set1_ps(taps[k]), _mm512_maskz_loadu_ps(m, rows[k] + i)));
        _mm512_mask_storeu_ps(out + i, m, sum);
    }
}

