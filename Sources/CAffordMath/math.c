#include "afford_math.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AFM_X86 1
#endif

/* ---- portable scalar: the definitions every SIMD level follows ---------- */

float afm_exp_scalar(float x) {
    x = fminf(fmaxf(x, -87.3f), 88.3f);
    float t = x * 1.44269504f + 12582912.f; /* round to nearest via 1.5 * 2^23 */
    float n = t - 12582912.f;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.f;
    int32_t bits;
    memcpy(&bits, &t, 4);
    bits = (bits - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

float afm_erf_scalar(float a) {
    float x = fminf(fmaxf(a, -4.f), 4.f);
    float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    p = p * x;
    float q = x2 * -1.45660718464996e-05f - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return p / q;
}

static void gelu_scalar(float *x, int n) {
    for (int i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.f + afm_erf_scalar(x[i] * 0.70710678f));
}

static void softmax_scalar(float *row, int n, float scale) {
    float m = -INFINITY;
    for (int i = 0; i < n; i++) m = fmaxf(m, row[i]);
    float shift = m * scale, sum = 0.f;
    for (int i = 0; i < n; i++) {
        row[i] = afm_exp_scalar(row[i] * scale - shift);
        sum += row[i];
    }
    float inv = 1.f / sum;
    for (int i = 0; i < n; i++) row[i] *= inv;
}

static void softmax_u8_scalar(const float *row, int n, float scale, unsigned char *q, float *q_scale) {
    float m = -INFINITY;
    for (int i = 0; i < n; i++) m = fmaxf(m, row[i]);
    float shift = m * scale, sum = 0.f;
    for (int i = 0; i < n; i++) {
        float e = afm_exp_scalar(row[i] * scale - shift);
        sum += e;
        float r = fminf(e * 255.f, 255.f);
        q[i] = (unsigned char)(int)((r + 12582912.f) - 12582912.f);
    }
    *q_scale = 1.f / (sum * 255.f);
}

static int first_at_least_scalar(const float *x, int n, float floor) {
    for (int i = 0; i < n; i++)
        if (x[i] >= floor) return i;
    return n;
}

/* Two statements, so the product is rounded before the add (as at every level). */
static void mono8_scalar(const float *x, unsigned char *out, int n) {
    for (int i = 0; i < n; i++) {
        float clamped = x[i] > 0.f ? (x[i] < 1.f ? x[i] : 1.f) : 0.f; /* NaN fails x > 0 */
        float scaled = clamped * 255.f;
        float shifted = scaled + 8388608.f; /* the integer in the low mantissa bits */
        uint32_t bits;
        memcpy(&bits, &shifted, sizeof bits);
        out[i] = (unsigned char)bits;
    }
}

static float table_read(const afm_table *table, float x) {
    float position = fminf(fmaxf(0.f, x * table->per_unit), (float)(table->count - 1));
    int lower = (int)position, upper = lower + 1 < table->count ? lower + 1 : table->count - 1;
    float difference = table->values[upper] - table->values[lower];
    float offset = position - (float)lower;
    float step = difference * offset;
    return table->values[lower] + step;
}

/* Every product and sum rounded on its own, as the SIMD levels' intrinsics round them. */
#pragma clang fp contract(off)
static void contrast_pixels_scalar(const unsigned char *rgb, const int *offsets, int n, const afm_contrast_tables *tables,
                                   const float *centres, int count, float *target) {
    for (int i = 0; i < n; i++) {
        const unsigned char *pixel = rgb + offsets[i];
        float r = tables->linear[pixel[0]], g = tables->linear[pixel[1]], b = tables->linear[pixel[2]];
        float fx = table_read(&tables->cube_root, (0.412453f * r + 0.357580f * g + 0.180423f * b) / 0.950456f);
        float fy = table_read(&tables->cube_root, 0.212671f * r + 0.715160f * g + 0.072169f * b);
        float fz = table_read(&tables->cube_root, (0.019334f * r + 0.119193f * g + 0.950227f * b) / 1.088754f);
        float l = 116.f * fy - 16.f, a = 500.f * (fx - fy), bb = 200.f * (fy - fz);
        float nearest = INFINITY;
        for (int c = 0; c < count; c++) {
            float dl = l - centres[3 * c], da = a - centres[3 * c + 1], db = bb - centres[3 * c + 2];
            float distance = dl * dl + da * da + db * db;
            nearest = distance < nearest ? distance : nearest;
        }
        float weight = table_read(&tables->step, sqrtf(nearest));
        target[i] = weight < target[i] ? weight : target[i];
    }
}
#pragma clang fp contract(on)

static void weighted_rows_scalar(const float *const *rows, const float *taps, int count, float *out, int n) {
    for (int i = 0; i < n; i++) {
        float sum = 0.f;
        for (int k = 0; k < count; k++) sum += taps[k] * rows[k][i];
        out[i] = sum;
    }
}

static void layernorm_scalar(const float *x, float *y, int n, const float *w, const float *b, float eps) {
    float sum = 0.f;
    for (int i = 0; i < n; i++) sum += x[i];
    float mean = sum / (float)n, sq = 0.f;
    for (int i = 0; i < n; i++) sq += (x[i] - mean) * (x[i] - mean);
    float inv = 1.f / sqrtf(sq / (float)n + eps);
    for (int i = 0; i < n; i++) y[i] = (x[i] - mean) * inv * w[i] + b[i];
}

/* Two statements, so no compiler fuses the multiply and add: every level gives these bits. */
static void scaled_add_scalar(float *y, const float *scale, const float *x, int n) {
    for (int i = 0; i < n; i++) {
        float product = scale[i] * x[i];
        y[i] += product;
    }
}

#ifdef AFM_X86
#include "math_avx512.h"
#include "math_avx2.h"
#endif

int afm_best_level(void) {
#ifdef AFM_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

void afm_gelu(int level, float *x, int n) {
#ifdef AFM_X86
    if (level >= 2) { gelu_avx512(x, n); return; }
    if (level == 1) { gelu_avx2(x, n); return; }
#endif
    (void)level;
    gelu_scalar(x, n);
}

void afm_scaled_add(int level, float *y, const float *scale, const float *x, int n) {
#ifdef AFM_X86
    if (level >= 2) { scaled_add_avx512(y, scale, x, n); return; }
    if (level == 1) { scaled_add_avx2(y, scale, x, n); return; }
#endif
    (void)level;
    scaled_add_scalar(y, scale, x, n);
}

void afm_softmax(int level, float *row, int n, float scale) {
#ifdef AFM_X86
    if (level >= 2) { softmax_avx512(row, n, scale); return; }
    if (level == 1) { softmax_avx2(row, n, scale); return; }
#endif
    (void)level;
    softmax_scalar(row, n, scale);
}

void afm_softmax_u8_rows(int level, const float *x, int rows, int n, int ld, float scale,
                         unsigned char *q, int ldq, float *q_scale) {
#ifdef AFM_X86
    if (level >= 2) { softmax_u8_rows_avx512(x, rows, n, ld, scale, q, ldq, q_scale); return; }
#endif
    for (int r = 0; r < rows; r++) {
        const float *row = x + (size_t)r * (size_t)ld;
        unsigned char *codes = q + (size_t)r * (size_t)ldq;
#ifdef AFM_X86
        if (level == 1) { softmax_u8_avx2(row, n, scale, codes, q_scale + r); continue; }
#endif
        softmax_u8_scalar(row, n, scale, codes, q_scale + r);
    }
    (void)level;
}

void afm_layernorm_rows(int level, const float *x, float *y, int rows, int n, int ld, const float *w, const float *b, float eps) {
#ifdef AFM_X86
    if (level >= 2) { layernorm_rows_avx512(x, y, rows, n, ld, w, b, eps); return; }
    if (level == 1) {
        for (int r = 0; r < rows; r++) layernorm_avx2(x + (size_t)r * (size_t)ld, y + (size_t)r * (size_t)ld, n, w, b, eps);
        return;
    }
#endif
    (void)level;
    for (int r = 0; r < rows; r++) layernorm_scalar(x + (size_t)r * (size_t)ld, y + (size_t)r * (size_t)ld, n, w, b, eps);
}

int afm_first_at_least(int level, const float *x, int n, float floor) {
#ifdef AFM_X86
    if (level >= 2) return first_at_least_avx512(x, n, floor);
    if (level == 1) return first_at_least_avx2(x, n, floor);
#endif
    (void)level;
    return first_at_least_scalar(x, n, floor);
}

void afm_weighted_rows(int level, const float *const *rows, const float *taps, int count, float *out, int n) {
#ifdef AFM_X86
    if (level >= 2) { weighted_rows_avx512(rows, taps, count, out, n); return; }
    if (level == 1) { weighted_rows_avx2(rows, taps, count, out, n); return; }
#endif
    (void)level;
    weighted_rows_scalar(rows, taps, count, out, n);
}

void afm_mono8(int level, const float *x, unsigned char *out, int n) {
#ifdef AFM_X86
    if (level >= 2) { mono8_avx512(x, out, n); return; }
    if (level == 1) { mono8_avx2(x, out, n); return; }
#endif
    (void)level;
    mono8_scalar(x, out, n);
}

void afm_contrast_row(int level, const unsigned char *rgb, size_t rgb_bytes, const int *offsets, int n,
                      const afm_contrast_tables *tables, const float *centres, int count, float *target) {
    int done = 0;
#ifdef AFM_X86
    if (level >= 2) done = contrast_pixels_avx512(rgb, rgb_bytes, offsets, n, tables, centres, count, target);
    else if (level == 1) done = contrast_pixels_avx2(rgb, rgb_bytes, offsets, n, tables, centres, count, target);
#else
    (void)rgb_bytes;
#endif
    (void)level;
    contrast_pixels_scalar(rgb, offsets + done, n - done, tables, centres, count, target + done);
}
