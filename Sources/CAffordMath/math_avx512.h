/* AVX-512F versions of math.c's scalar kernels: the same definitions, except where a comment says otherwise. */
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

AFM_512 static inline __mmask16 tail512(int remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1u);
}

/* GELU(x) = x·Φ(x) = (x + |x|·erf(|x|/√2)) / 2, with erf(s/√2) on s in [0, 6) as a cubic in u
 * on each of 32 intervals of width 3/16 (s·32/6 = interval + u, u in [0, 1)), 1 beyond (s is
 * clamped into the last interval, whose cubic is 1 in float for every u: no select). The
 * coefficients are least-squares fits in double on 200 Chebyshev nodes of each interval,
 * rounded to float (GELU error under 4e-7 in float). Each coefficient comes from its table
 * by one two-register permute; no division, a third fewer cycles than the rational erf
 * (math.c, which the AVX2 and scalar levels keep). */
static const float gelu_cubic[4][32] __attribute__((aligned(64))) = {
    {-8.05843356e-08f, 0.148731127f, 0.292339176f, 0.426224172f, 0.546744883f, 0.651498199f,
     0.739410698f, 0.810648322f, 0.86638552f, 0.908492744f, 0.939207375f, 0.960839927f,
     0.975551188f, 0.985210896f, 0.991335213f, 0.995084286f, 0.997300267f, 0.998564959f,
     0.999261856f, 0.999632657f, 0.999823153f, 0.999917686f, 0.999962926f, 0.999983847f,
     0.999993205f, 0.999997258f, 0.999998927f, 0.999999583f, 0.999999821f, 0.99999994f,
     1.f, 1.f},
    {0.149605781f, 0.147004306f, 0.13945739f, 0.127726704f, 0.112940475f, 0.096414946f,
     0.07946302f, 0.0632282197f, 0.0485714674f, 0.0360226147f, 0.0257924311f, 0.0178291965f,
     0.011898526f, 0.00766612543f, 0.00476847542f, 0.00286354218f, 0.00166015117f, 0.000929204572f,
     0.000502104755f, 0.000261936657f, 0.000131921901f, 6.41439838e-05f, 3.01101663e-05f, 1.36454655e-05f,
     5.97009648e-06f, 2.52169139e-06f, 1.0283004e-06f, 4.04823226e-07f, 1.53860825e-07f, 5.64557077e-08f,
     1.99988346e-08f, 6.83940904e-09f},
    {-1.0758893e-05f, -0.00262139831f, -0.00496026967f, -0.0068038553f, -0.00801003817f, -0.00853460841f,
     -0.00842706021f, -0.00780903129f, -0.00684263092f, -0.00569729693f, -0.00452250941f, -0.0034307302f,
     -0.00249145157f, -0.00173442974f, -0.00115864456f, -0.000743345823f, -0.000458318769f, -0.000271717145f,
     -0.00015496563f, -8.50525612e-05f, -4.49378749e-05f, -2.28628378e-05f, -1.12032249e-05f, -5.288598e-06f,
     -2.40547388e-06f, -1.05436743e-06f, -4.45425542e-07f, -1.81386113e-07f, -7.12076798e-08f, -2.6951728e-08f,
     -9.83608484e-09f, -3.46153617e-09f},
    {-0.00086365646f, -0.000774768589f, -0.00061206508f, -0.00040215312f, -0.000177155845f, 3.20590225e-05f,
     0.000201597941f, 0.000317906932f, 0.000378324912f, 0.000389216235f, 0.000362648541f, 0.00031274723f,
     0.000252656406f, 0.000192620384f, 0.000139261552f, 9.58078017e-05f, 6.28771595e-05f, 3.94387353e-05f,
     2.36767883e-05f, 1.36204844e-05f, 7.51512016e-06f, 3.98000748e-06f, 2.0244704e-06f, 9.89577757e-07f,
     4.65046014e-07f, 2.10192951e-07f, 9.14034075e-08f, 3.82521357e-08f, 1.5410242e-08f, 5.97753314e-09f,
     2.2329576e-09f, 8.03457134e-10f},
};

AFM_512 static inline __m512 gelu_coefficient(int degree, __m512i interval) {
    return _mm512_permutex2var_ps(_mm512_load_ps(gelu_cubic[degree]), interval, _mm512_load_ps(gelu_cubic[degree] + 16));
}

AFM_512 static inline __m512 gelu512(__m512 x) {
    __m512 s = _mm512_abs_ps(x);
    __m512 t = _mm512_min_ps(_mm512_mul_ps(s, _mm512_set1_ps(32.f / 6.f)), _mm512_set1_ps(31.999f));
    __m512i interval = _mm512_cvttps_epi32(t); /* t >= 0: truncation is the floor */
    __m512 u = _mm512_sub_ps(t, _mm512_cvtepi32_ps(interval));
    __m512 e = gelu_coefficient(3, interval);
    e = _mm512_fmadd_ps(e, u, gelu_coefficient(2, interval));
    e = _mm512_fmadd_ps(e, u, gelu_coefficient(1, interval));
    e = _mm512_fmadd_ps(e, u, gelu_coefficient(0, interval));
    return _mm512_mul_ps(_mm512_fmadd_ps(s, e, x), _mm512_set1_ps(0.5f));
}

AFM_512 static void gelu_avx512(float *x, int n) {
    int i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, gelu512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = tail512(n - i);
        _mm512_mask_storeu_ps(x + i, m, gelu512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

AFM_512 static void scaled_add_avx512(float *y, const float *scale, const float *x, int n) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 product = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, scale + i), _mm512_maskz_loadu_ps(m, x + i));
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), product));
    }
}

/* The row's largest value: softmax subtracts it so exp never overflows. Four chains (max is
 * exact in any order, so the bits are those of one chain): a single chain's latency was a
 * tenth of the softmax. */
AFM_512 static float row_max_avx512(const float *row, int n) {
    __m512 m0 = _mm512_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        m0 = _mm512_max_ps(m0, _mm512_loadu_ps(row + i));
        m1 = _mm512_max_ps(m1, _mm512_loadu_ps(row + i + 16));
        m2 = _mm512_max_ps(m2, _mm512_loadu_ps(row + i + 32));
        m3 = _mm512_max_ps(m3, _mm512_loadu_ps(row + i + 48));
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        m0 = _mm512_mask_max_ps(m0, m, m0, _mm512_maskz_loadu_ps(m, row + i));
    }
    return _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
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

/* 255·2^t as 2^round(t) (vscalefps, which also takes care of underflow) times a degree-4 fit of
 * 255·2^f on [-0.5, 0.5] (relative error 2.6e-6, a fifteen-hundredth of a code): the softmax
 * needs only 8-bit codes and their sum, and the code's factor 255 rides in the coefficients. */
AFM_512 static inline __m512 exp2_255_512(__m512 t) {
    __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(t, n);
    __m512 p = _mm512_set1_ps(255.f * 9.5700971e-3f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(255.f * 5.5917867e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(255.f * 2.4024745e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(255.f * 6.9312181e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(255.f * 9.9999926e-1f));
    return _mm512_scalef_ps(p, n);
}

/* One row's codes and scale, given s = scale·log2(e) and its maximum times s: exp(scale·x -
 * scale·max) = 2^(x·s - max·s). Whole 64-byte lines of codes where the row has them (the same
 * adds in the same order as the masked tail loop, so the same sum). */
AFM_512 static inline void softmax_u8_row_avx512(const float *row, int n, __m512 s, __m512 shift, unsigned char *q, float *q_scale) {
    /* packs/packus interleave 128-bit lanes; this puts the 16 four-byte groups back in order. */
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    __m512 sum = _mm512_setzero_ps();
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 e0 = exp2_255_512(_mm512_fmsub_ps(_mm512_loadu_ps(row + i), s, shift));
        __m512 e1 = exp2_255_512(_mm512_fmsub_ps(_mm512_loadu_ps(row + i + 16), s, shift));
        __m512 e2 = exp2_255_512(_mm512_fmsub_ps(_mm512_loadu_ps(row + i + 32), s, shift));
        __m512 e3 = exp2_255_512(_mm512_fmsub_ps(_mm512_loadu_ps(row + i + 48), s, shift));
        sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(_mm512_add_ps(sum, e0), e1), e2), e3);
        __m512i c0 = _mm512_cvtps_epi32(e0), c1 = _mm512_cvtps_epi32(e1);
        __m512i c2 = _mm512_cvtps_epi32(e2), c3 = _mm512_cvtps_epi32(e3);
        /* Codes are in [0, 255] (the fit stays below 255.5): the saturating packs change none. */
        __m512i bytes = _mm512_packus_epi16(_mm512_packs_epi32(c0, c1), _mm512_packs_epi32(c2, c3));
        _mm512_storeu_si512((void *)(q + i), _mm512_permutexvar_epi32(order, bytes));
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail512(n - i);
        __m512 e = exp2_255_512(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(m, row + i), s, shift));
        sum = _mm512_mask_add_ps(sum, m, sum, e);
        _mm_mask_storeu_epi8(q + i, m, _mm512_cvtusepi32_epi8(_mm512_cvtps_epi32(e)));
    }
    *q_scale = 1.f / _mm512_reduce_add_ps(sum);
}

/* Rows in blocks of 8, the block's maxima first: one row's reduction then does not hold up its
 * own exponentials. Each row gets the bits it would alone. */
AFM_512 static void softmax_u8_rows_avx512(const float *x, int rows, int n, int ld, float scale,
                                           unsigned char *q, int ldq, float *q_scale) {
    enum { BLOCK = 8 };
    const float s2 = scale * 1.44269504088896341f;
    const __m512 s = _mm512_set1_ps(s2);
    for (int r0 = 0; r0 < rows; r0 += BLOCK) {
        const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
        float shift[BLOCK];
        for (int r = 0; r < count; r++) shift[r] = row_max_avx512(x + (size_t)(r0 + r) * (size_t)ld, n) * s2;
        for (int r = 0; r < count; r++)
            softmax_u8_row_avx512(x + (size_t)(r0 + r) * (size_t)ld, n, s, _mm512_set1_ps(shift[r]),
                                  q + (size_t)(r0 + r) * (size_t)ldq, q_scale + r0 + r);
    }
}

/* A row's sum and its sum of squared deviations, each on four partial sums: with one, a 384-wide
 * row was a chain of 24 dependent adds, then 24 dependent FMAs. */
AFM_512 static inline float row_sum_avx512(const float *x, int n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps(x + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps(x + i + 48));
    }
    for (; i < n; i += 16) s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(tail512(n - i), x + i));
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AFM_512 static inline float row_squares_avx512(const float *x, int n, float mean) {
    const __m512 m = _mm512_set1_ps(mean);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), m), d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), m);
        __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 32), m), d3 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 48), m);
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
        s2 = _mm512_fmadd_ps(d2, d2, s2);
        s3 = _mm512_fmadd_ps(d3, d3, s3);
    }
    for (; i < n; i += 16) {
        __mmask16 tail = tail512(n - i);
        __m512 d = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, x + i), m);
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

/* Eight rows at a time, each step for all eight before the next: one row's sums, square root and
 * division were a serial chain, now the rows' chains overlap. Each row gets the bits it would alone. */
AFM_512 static void layernorm_rows_avx512(const float *x, float *y, int rows, int n, int ld,
                                          const float *w, const float *b, float eps) {
    enum { BLOCK = 8 };
    for (int r0 = 0; r0 < rows; r0 += BLOCK) {
        const int count = rows - r0 < BLOCK ? rows - r0 : BLOCK;
        float mean[BLOCK], inv[BLOCK];
        for (int r = 0; r < count; r++) mean[r] = row_sum_avx512(x + (size_t)(r0 + r) * (size_t)ld, n) / (float)n;
        for (int r = 0; r < count; r++) inv[r] = row_squares_avx512(x + (size_t)(r0 + r) * (size_t)ld, n, mean[r]) / (float)n;
        for (int r = 0; r < count; r++) inv[r] = 1.f / sqrtf(inv[r] + eps);
        for (int r = 0; r < count; r++) {
            const float *row = x + (size_t)(r0 + r) * (size_t)ld;
            float *out = y + (size_t)(r0 + r) * (size_t)ld;
            const __m512 m = _mm512_set1_ps(mean[r]), s = _mm512_set1_ps(inv[r]);
            int i = 0;
            for (; i + 16 <= n; i += 16) {
                __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(row + i), m), s);
                _mm512_storeu_ps(out + i, _mm512_fmadd_ps(d, _mm512_loadu_ps(w + i), _mm512_loadu_ps(b + i)));
            }
            if (i < n) {
                __mmask16 tail = tail512(n - i);
                __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row + i), m), s);
                _mm512_mask_storeu_ps(out + i, tail, _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(tail, w + i), _mm512_maskz_loadu_ps(tail, b + i)));
            }
        }
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

/* max(x, 0) first: it returns its second operand, 0, for NaN. Masked loads only for the tail:
 * on a map another core has just written, masked loads ran at half the speed of plain ones. */
AFM_512 static inline __m128i mono8_16(__m512 x) {
    __m512 clamped = _mm512_min_ps(_mm512_max_ps(x, _mm512_setzero_ps()), _mm512_set1_ps(1.f));
    __m512 shifted = _mm512_add_ps(_mm512_mul_ps(clamped, _mm512_set1_ps(255.f)), _mm512_set1_ps(8388608.f));
    return _mm512_cvtepi32_epi8(_mm512_castps_si512(shifted));
}

AFM_512 static void mono8_avx512(const float *x, unsigned char *out, int n) {
    int i = 0;
    for (; i + 16 <= n; i += 16) _mm_storeu_si128((__m128i *)(out + i), mono8_16(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = tail512(n - i);
        _mm_mask_storeu_epi8(out + i, m, mono8_16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

AFM_512 static inline __m512 table_read512(const afm_table *table, __m512 x) {
    __m512 position = _mm512_min_ps(_mm512_max_ps(_mm512_setzero_ps(), _mm512_mul_ps(x, _mm512_set1_ps(table->per_unit))),
                                    _mm512_set1_ps((float)(table->count - 1)));
    __m512i lower = _mm512_cvttps_epi32(position);
    __m512i upper = _mm512_min_epi32(_mm512_add_epi32(lower, _mm512_set1_epi32(1)), _mm512_set1_epi32(table->count - 1));
    __m512 low = _mm512_i32gather_ps(lower, table->values, 4), high = _mm512_i32gather_ps(upper, table->values, 4);
    return _mm512_add_ps(low, _mm512_mul_ps(_mm512_sub_ps(high, low), _mm512_sub_ps(position, _mm512_cvtepi32_ps(lower))));
}

/* Sums as (p0 + p1) + p2, as the scalar expression rounds them. */
AFM_512 static inline __m512 dot3_512(float c0, __m512 x0, float c1, __m512 x1, float c2, __m512 x2) {
    __m512 sum = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(c0), x0), _mm512_mul_ps(_mm512_set1_ps(c1), x1));
    return _mm512_add_ps(sum, _mm512_mul_ps(_mm512_set1_ps(c2), x2));
}

/* 16 pixels at a time while each one's 4-byte gather stays inside rgb; returns how many it did. */
AFM_512 static int contrast_pixels_avx512(const unsigned char *rgb, size_t rgb_bytes, const int *offsets, int n,
                                          const afm_contrast_tables *tables, const float *centres, int count, float *target) {
    const __m512i low_byte = _mm512_set1_epi32(0xFF);
    int i = 0;
    for (; i < n; i += 16) {
        /* The row's last pixels in masked lanes too: the scalar loop costs far more a pixel. */
        __mmask16 m = tail512(n - i);
        __m512i at = _mm512_maskz_loadu_epi32(m, offsets + i);
        int last = _mm512_mask_reduce_max_epi32(m, at), first = _mm512_mask_reduce_min_epi32(m, at);
        if (first < 0 || (size_t)last + 4 > rgb_bytes) break;
        __m512i bytes = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, at, (const void *)rgb, 1);
        __m512 r = _mm512_i32gather_ps(_mm512_and_si512(bytes, low_byte), tables->linear, 4);
        __m512 g = _mm512_i32gather_ps(_mm512_and_si512(_mm512_srli_epi32(bytes, 8), low_byte), tables->linear, 4);
        __m512 b = _mm512_i32gather_ps(_mm512_and_si512(_mm512_srli_epi32(bytes, 16), low_byte), tables->linear, 4);
        __m512 fx = table_read512(&tables->cube_root, _mm512_div_ps(dot3_512(0.412453f, r, 0.357580f, g, 0.180423f, b), _mm512_set1_ps(0.950456f)));
        __m512 fy = table_read512(&tables->cube_root, dot3_512(0.212671f, r, 0.715160f, g, 0.072169f, b));
        __m512 fz = table_read512(&tables->cube_root, _mm512_div_ps(dot3_512(0.019334f, r, 0.119193f, g, 0.950227f, b), _mm512_set1_ps(1.088754f)));
        __m512 l = _mm512_sub_ps(_mm512_mul_ps(_mm512_set1_ps(116.f), fy), _mm512_set1_ps(16.f));
        __m512 a = _mm512_mul_ps(_mm512_set1_ps(500.f), _mm512_sub_ps(fx, fy));
        __m512 bb = _mm512_mul_ps(_mm512_set1_ps(200.f), _mm512_sub_ps(fy, fz));
        __m512 nearest = _mm512_set1_ps(INFINITY);
        for (int c = 0; c < count; c++) {
            __m512 dl = _mm512_sub_ps(l, _mm512_set1_ps(centres[3 * c]));
            __m512 da = _mm512_sub_ps(a, _mm512_set1_ps(centres[3 * c + 1]));
            __m512 db = _mm512_sub_ps(bb, _mm512_set1_ps(centres[3 * c + 2]));
            __m512 distance = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(dl, dl), _mm512_mul_ps(da, da)), _mm512_mul_ps(db, db));
            nearest = _mm512_min_ps(distance, nearest); /* distance < nearest ? distance : nearest */
        }
        __m512 weight = table_read512(&tables->step, _mm512_sqrt_ps(nearest));
        _mm512_mask_storeu_ps(target + i, m, _mm512_min_ps(weight, _mm512_maskz_loadu_ps(m, target + i)));
    }
    return i < n ? i : n;
}
