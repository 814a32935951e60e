/*
 * afford_math: the fp32 elementwise parts of the ViT (erf GELU, softmax,
 * LayerNorm) and the post-processing's run scan, mono8 bytes and zoom's region contrast as
 * SIMD loops. Swift's generic SIMD types compile to baseline SSE2
 * here and cost tens of milliseconds a frame; these run at AVX-512 width.
 *
 * `level`: 0 portable scalar, 1 AVX2+FMA, 2 AVX-512F/BW/VL. Callers pick once from
 * the CPU (afm_best_level); every level computes the same polynomials, except that
 * AVX-512's GELU is a table of cubics (all levels within 2e-6 of erf's GELU).
 */
#ifndef AFFORD_MATH_H
#define AFFORD_MATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The widest level this CPU and build run. */
int afm_best_level(void);

/* x = 0.5 x (1 + erf(x / sqrt 2)) in place. erf: a rational fit on [-4, 4] (scalar, AVX2), cubics on 32 intervals (AVX-512). */
void afm_gelu(int level, float *x, int n);

/* y += scale ⊙ x over n (a multiply, then an add: no fused multiply-add at any level). */
void afm_scaled_add(int level, float *y, const float *scale, const float *x, int n);

/* row = softmax(scale * row) in place. exp: Cephes polynomial, ~2 ulp. */
void afm_softmax(int level, float *row, int n, float scale);

/*
 * softmax(scale * row) straight to u8 for the PV GEMM, for each of `rows` rows of n (row
 * strides ld for x, ldq for q): the largest probability is 1/sum (its exp is 1), so
 * q = round(255 e) with scale (1/sum)/255 and zero point 0 is exactly per-row asymmetric
 * quantization over [0, max]. One pass over each row after its maximum, no float output.
 * The AVX-512 level's exponential is a degree-4 fit (relative error 2.6e-6): codes within half
 * a step plus 1e-3 of one, the scale within 5e-6.
 */
void afm_softmax_u8_rows(int level, const float *x, int rows, int n, int ld, float scale,
                         unsigned char *q, int ldq, float *q_scale);

/* y = (x - mean) / sqrt(var + eps) * w + b over each of `rows` rows of n, row stride ld (x and y alike). */
void afm_layernorm_rows(int level, const float *x, float *y, int rows, int n, int ld, const float *w, const float *b, float eps);

/*
 * The index of the first x[i] >= floor (an ordered compare: NaN never is), or n. What the
 * heatmap's connected components skip to between runs: most of a map is below the cut.
 */
int afm_first_at_least(int level, const float *x, int n, float floor);

/*
 * out[i] = sum over k of taps[k] * rows[k][i], accumulated in k order with a multiply and an
 * add (no fused multiply-add), so every level gives the same bits. One pass of a separable
 * blur: the rows are a row's shifted copies, or neighbouring rows.
 */
void afm_weighted_rows(int level, const float *const *rows, const float *taps, int count, float *out, int n);

/*
 * A heatmap's mono8 bytes: out[i] = rint(clamp(x[i], 0, 1) * 255), halves to even, NaN 0. The
 * product is rounded to float first, then to an integer by adding 2^23 (no fused multiply-add),
 * so every level gives the same bytes.
 */
void afm_mono8(int level, const float *x, unsigned char *out, int n);

/* A function sampled at count points over [0, (count - 1) / per_unit], read with linear
 * interpolation and clamped at both ends. */
typedef struct {
    const float *values;
    int count;
    float per_unit;
} afm_table;

/* What zoom's region contrast reads: sRGB codes to linear light (256 values), CIELAB's f of
 * XYZ over white, and the soft step of a CIELAB distance. */
typedef struct {
    const float *linear;
    afm_table cube_root;
    afm_table step;
} afm_contrast_tables;

/*
 * One canvas row of a zoom region's contrast: pixel i's sRGB bytes are at rgb + offsets[i]
 * (rgb holds rgb_bytes), its CIELAB colour comes from the tables, and
 * target[i] = min(target[i], step(distance to the nearest of the `count` centres, l a b
 * triples)). Products and sums are rounded one by one (no fused multiply-add), so every
 * level gives the same bits.
 */
void afm_contrast_row(int level, const unsigned char *rgb, size_t rgb_bytes, const int *offsets, int n,
                      const afm_contrast_tables *tables, const float *centres, int count, float *target);

/* Scalar twins of the approximations, for tests. */
float afm_exp_scalar(float x);
float afm_erf_scalar(float x);

#ifdef __cplusplus
}
#endif
#endif
