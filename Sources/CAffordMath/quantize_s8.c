#include "afford_math.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#include "quantize_s8_avx512.h"
#define AFM_X86 1
#endif

/* Round half to even via 1.5 * 2^23 (|v| <= 127 here), so the loops vectorise. */
static inline signed char to_s8(float v) {
    v = fminf(fmaxf(v, -127.f), 127.f);
    float r = (v + 12582912.f) - 12582912.f;
    return (signed char)(int)r;
}

void afm_quantize_s8_rows(int level, const float *x, int m, int k, int ldx, signed char *q, int ldq, float *scale) {
#ifdef AFM_X86
    if (level >= 2) { quantize_s8_rows_avx512(x, m, k, ldx, q, ldq, scale); return; }
#else
    (void)level; /* one portable path */
#endif
    for (int i = 0; i < m; i++) {
        const float *row = x + (long)i * ldx;
        float largest = 0.f;
        for (int j = 0; j < k; j++) largest = fmaxf(largest, fabsf(row[j]));
        float s = largest > 0.f ? largest / 127.f : 1.f;
        float inv = 1.f / s;
        scale[i] = s;
        signed char *out = q + (long)i * ldq;
        for (int j = 0; j < k; j++) out[j] = to_s8(row[j] * inv);
    }
}

void afm_quantize_s8_columns(int level, const float *x, int m, int k, int ldx, signed char *q, int ldq, float *scale) {
#ifdef AFM_X86
    if (level >= 2) { quantize_s8_columns_avx512(x, m, k, ldx, q, ldq, scale); return; }
#else
    (void)level; /* one portable path */
#endif
    float largest[k];
    for (int j = 0; j < k; j++) largest[j] = 0.f;
    for (int i = 0; i < m; i++) {
        const float *row = x + (long)i * ldx;
        for (int j = 0; j < k; j++) largest[j] = fmaxf(largest[j], fabsf(row[j]));
    }
    float inv[k];
    for (int j = 0; j < k; j++) {
        scale[j] = largest[j] > 0.f ? largest[j] / 127.f : 1.f;
        inv[j] = 1.f / scale[j];
    }
    for (int i = 0; i < m; i++) {
        const float *row = x + (long)i * ldx;
        for (int j = 0; j < k; j++) q[(long)j * ldq + i] = to_s8(row[j] * inv[j]);
    }
}
