#include "afford_math.h"

#include <math.h>

/* Round half to even via 1.5 * 2^23 (|v| <= 127 here), so the loops vectorise. */
static inline signed char to_s8(float v) {
    v = fminf(fmaxf(v, -127.f), 127.f);
    float r = (v + 12582912.f) - 12582912.f;
    return (signed char)(int)r;
}

void afm_quantize_s8_rows(const float *x, int m, int k, int ldx, signed char *q, int ldq, float *scale) {
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

void afm_quantize_s8_columns(const float *x, int m, int k, int ldx, signed char *q, int ldq, float *scale) {
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
