/* AVX2+FMA versions of math.c's scalar definitions (included there; x86 only). */
#define AFM_256 __attribute__((target("avx2,fma")))

AFM_256 static inline __m256 exp256(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), _mm256_set1_ps(12582912.f));
    __m256 n = _mm256_sub_ps(t, _mm256_set1_ps(12582912.f));
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000 - 127));
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(bits, 23)));
}

AFM_256 static inline __m256 erf256(__m256 a) {
    __m256 x = _mm256_min_ps(_mm256_max_ps(a, _mm256_set1_ps(-4.f)), _mm256_set1_ps(4.f));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_fmadd_ps(x2, _mm256_set1_ps(-2.72614225801306e-10f), _mm256_set1_ps(2.77068142495902e-08f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.10102402082508e-06f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-5.69250639462346e-05f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-7.34990630326855e-04f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.95459980854025e-03f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.60960333262415e-02f));
    p = _mm256_mul_ps(p, x);
    __m256 q = _mm256_fmadd_ps(x2, _mm256_set1_ps(-1.45660718464996e-05f), _mm256_set1_ps(-2.13374055278905e-04f));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.68282697438203e-03f));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-7.37332916720468e-03f));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.42647390514189e-02f));
    return _mm256_div_ps(p, q);
}

AFM_256 static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AFM_256 static inline float hmax256(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AFM_256 static void gelu_avx2(float *x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 e = erf256(_mm256_mul_ps(v, _mm256_set1_ps(0.70710678f)));
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(v, _mm256_set1_ps(0.5f)), _mm256_add_ps(e, _mm256_set1_ps(1.f))));
    }
    gelu_scalar(x + i, n - i);
}

AFM_256 static void scaled_add_avx2(float *y, const float *scale, const float *x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 product = _mm256_mul_ps(_mm256_loadu_ps(scale + i), _mm256_loadu_ps(x + i));
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), product));
    }
    scaled_add_scalar(y + i, scale + i, x + i, n - i);
}

/* The row's largest value: softmax subtracts it so exp never overflows. */
/* Four chains, as at AVX-512 (max is exact in any order). */
AFM_256 static float row_max_avx2(const float *row, int n) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(row + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(row + i + 8));
        m2 = _mm256_max_ps(m2, _mm256_loadu_ps(row + i + 16));
        m3 = _mm256_max_ps(m3, _mm256_loadu_ps(row + i + 24));
    }
    for (; i + 8 <= n; i += 8) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(row + i));
    float m = hmax256(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
    for (; i < n; i++) m = fmaxf(m, row[i]);
    return m;
}

AFM_256 static void softmax_avx2(float *row, int n, float scale) {
    int i = 0;
    float shift = row_max_avx2(row, n) * scale;
    __m256 s = _mm256_set1_ps(scale), sh = _mm256_set1_ps(shift), sum = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = exp256(_mm256_fmsub_ps(_mm256_loadu_ps(row + i), s, sh));
        sum = _mm256_add_ps(sum, e);
        _mm256_storeu_ps(row + i, e);
    }
    float total = hsum256(sum);
    for (int j = i; j < n; j++) {
        row[j] = afm_exp_scalar(row[j] * scale - shift);
        total += row[j];
    }
    float inv = 1.f / total;
    for (int j = 0; j < n; j++) row[j] *= inv;
}

AFM_256 static void softmax_u8_avx2(const float *row, int n, float scale, unsigned char *q, float *q_scale) {
    int i = 0;
    float shift = row_max_avx2(row, n) * scale;
    __m256 s = _mm256_set1_ps(scale), sh = _mm256_set1_ps(shift), sum = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = exp256(_mm256_fmsub_ps(_mm256_loadu_ps(row + i), s, sh));
        sum = _mm256_add_ps(sum, e);
        __m256i codes = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_mul_ps(e, _mm256_set1_ps(255.f)), _mm256_set1_ps(255.f)));
        __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(codes), _mm256_extracti128_si256(codes, 1));
        _mm_storel_epi64((__m128i *)(q + i), _mm_packus_epi16(words, words));
    }
    float total = hsum256(sum);
    for (int j = i; j < n; j++) {
        float e = afm_exp_scalar(row[j] * scale - shift);
        total += e;
        float r = fminf(e * 255.f, 255.f);
        q[j] = (unsigned char)(int)((r + 12582912.f) - 12582912.f);
    }
    *q_scale = 1.f / (total * 255.f);
}

/* Four partial sums, as at AVX-512. */
AFM_256 static void layernorm_avx2(const float *x, float *y, int n, const float *w, const float *b, float eps) {
    if (n % 8 != 0) { layernorm_scalar(x, y, n, w, b, eps); return; }
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(x + i + 24));
    }
    for (; i < n; i += 8) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
    __m256 mean = _mm256_set1_ps(hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) / (float)n);
    s0 = s1 = s2 = s3 = _mm256_setzero_ps();
    for (i = 0; i + 32 <= n; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), mean), d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), mean);
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), mean), d3 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), mean);
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i < n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), mean);
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    __m256 inv = _mm256_set1_ps(1.f / sqrtf(hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) / (float)n + eps));
    for (i = 0; i < n; i += 8) {
        __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), mean), inv);
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(d, _mm256_loadu_ps(w + i), _mm256_loadu_ps(b + i)));
    }
}

AFM_256 static int first_at_least_avx2(const float *x, int n, float floor) {
    const __m256 bound = _mm256_set1_ps(floor);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), bound, _CMP_GE_OQ));
        if (hit) return i + __builtin_ctz((unsigned)hit);
    }
    for (; i < n; i++)
        if (x[i] >= floor) return i;
    return n;
}

AFM_256 static void weighted_rows_avx2(const float *const *rows, const float *taps, int count, float *out, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 sum = _mm256_setzero_ps();
        for (int k = 0; k < count; k++)
            sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_set1_ps(taps[k]), _mm256_loadu_ps(rows[k] + i)));
        _mm256_storeu_ps(out + i, sum);
    }
    const float *tail[count];
    for (int k = 0; k < count; k++) tail[k] = rows[k] + i;
    weighted_rows_scalar(tail, taps, count, out + i, n - i);
}

/* max(x, 0) first: it returns its second operand, 0, for NaN. Bytes 0-255 pack without saturating
 * once the shift is masked off; the packs work per 128-bit lane, the permute restores the order. */
AFM_256 static void mono8_avx2(const float *x, unsigned char *out, int n) {
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.f);
    const __m256 full = _mm256_set1_ps(255.f), shift = _mm256_set1_ps(8388608.f);
    const __m256i low_byte = _mm256_set1_epi32(0xFF), order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i q[4];
        for (int k = 0; k < 4; k++) {
            __m256 clamped = _mm256_min_ps(_mm256_max_ps(_mm256_loadu_ps(x + i + 8 * k), zero), one);
            __m256 shifted = _mm256_add_ps(_mm256_mul_ps(clamped, full), shift);
            q[k] = _mm256_and_si256(_mm256_castps_si256(shifted), low_byte);
        }
        __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(q[0], q[1]), _mm256_packus_epi32(q[2], q[3]));
        _mm256_storeu_si256((__m256i *)(out + i), _mm256_permutevar8x32_epi32(bytes, order));
    }
    mono8_scalar(x + i, out + i, n - i);
}

AFM_256 static inline __m256 table_read256(const afm_table *table, __m256 x) {
    __m256 position = _mm256_min_ps(_mm256_max_ps(_mm256_setzero_ps(), _mm256_mul_ps(x, _mm256_set1_ps(table->per_unit))),
                                    _mm256_set1_ps((float)(table->count - 1)));
    __m256i lower = _mm256_cvttps_epi32(position);
    __m256i upper = _mm256_min_epi32(_mm256_add_epi32(lower, _mm256_set1_epi32(1)), _mm256_set1_epi32(table->count - 1));
    __m256 low = _mm256_i32gather_ps(table->values, lower, 4), high = _mm256_i32gather_ps(table->values, upper, 4);
    return _mm256_add_ps(low, _mm256_mul_ps(_mm256_sub_ps(high, low), _mm256_sub_ps(position, _mm256_cvtepi32_ps(lower))));
}

/* Sums as (p0 + p1) + p2, as the scalar expression rounds them. */
AFM_256 static inline __m256 dot3_256(float c0, __m256 x0, float c1, __m256 x1, float c2, __m256 x2) {
    __m256 sum = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(c0), x0), _mm256_mul_ps(_mm256_set1_ps(c1), x1));
    return _mm256_add_ps(sum, _mm256_mul_ps(_mm256_set1_ps(c2), x2));
}

/* 8 pixels at a time while each one's 4-byte gather stays inside rgb; returns how many it did. */
AFM_256 static int contrast_pixels_avx2(const unsigned char *rgb, size_t rgb_bytes, const int *offsets, int n,
                                        const afm_contrast_tables *tables, const float *centres, int count, float *target) {
    const __m256i low_byte = _mm256_set1_epi32(0xFF), lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int i = 0;
    for (; i < n; i += 8) {
        /* The row's last pixels in masked lanes too: the scalar loop costs far more a pixel. */
        int width = n - i < 8 ? n - i : 8;
        __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(width), lanes);
        int first = offsets[i], last = offsets[i];
        for (int k = 1; k < width; k++) {
            first = offsets[i + k] < first ? offsets[i + k] : first;
            last = offsets[i + k] > last ? offsets[i + k] : last;
        }
        if (first < 0 || (size_t)last + 4 > rgb_bytes) break;
        __m256i at = _mm256_maskload_epi32(offsets + i, m);
        __m256i bytes = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int *)(const void *)rgb, at, m, 1);
        __m256 r = _mm256_i32gather_ps(tables->linear, _mm256_and_si256(bytes, low_byte), 4);
        __m256 g = _mm256_i32gather_ps(tables->linear, _mm256_and_si256(_mm256_srli_epi32(bytes, 8), low_byte), 4);
        __m256 b = _mm256_i32gather_ps(tables->linear, _mm256_and_si256(_mm256_srli_epi32(bytes, 16), low_byte), 4);
        __m256 fx = table_read256(&tables->cube_root, _mm256_div_ps(dot3_256(0.412453f, r, 0.357580f, g, 0.180423f, b), _mm256_set1_ps(0.950456f)));
        __m256 fy = table_read256(&tables->cube_root, dot3_256(0.212671f, r, 0.715160f, g, 0.072169f, b));
        __m256 fz = table_read256(&tables->cube_root, _mm256_div_ps(dot3_256(0.019334f, r, 0.119193f, g, 0.950227f, b), _mm256_set1_ps(1.088754f)));
        __m256 l = _mm256_sub_ps(_mm256_mul_ps(_mm256_set1_ps(116.f), fy), _mm256_set1_ps(16.f));
        __m256 a = _mm256_mul_ps(_mm256_set1_ps(500.f), _mm256_sub_ps(fx, fy));
        __m256 bb = _mm256_mul_ps(_mm256_set1_ps(200.f), _mm256_sub_ps(fy, fz));
        __m256 nearest = _mm256_set1_ps(INFINITY);
        for (int c = 0; c < count; c++) {
            __m256 dl = _mm256_sub_ps(l, _mm256_set1_ps(centres[3 * c]));
            __m256 da = _mm256_sub_ps(a, _mm256_set1_ps(centres[3 * c + 1]));
            __m256 db = _mm256_sub_ps(bb, _mm256_set1_ps(centres[3 * c + 2]));
            __m256 distance = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(dl, dl), _mm256_mul_ps(da, da)), _mm256_mul_ps(db, db));
            nearest = _mm256_min_ps(distance, nearest); /* distance < nearest ? distance : nearest */
        }
        __m256 weight = table_read256(&tables->step, _mm256_sqrt_ps(nearest));
        _mm256_maskstore_ps(target + i, m, _mm256_min_ps(weight, _mm256_maskload_ps(target + i, m)));
    }
    return i < n ? i : n;
}
