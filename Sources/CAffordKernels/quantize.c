/* Per-row asymmetric u8 quantization of activations: the portable version and the dispatch. */
#include "afk_internal.h"

void afk_quant_params(float lo, float hi, float *scale, float *inv_scale, int32_t *zero) {
    /* The range always includes 0, so 0.0 (padding, ReLU-like zeros) maps exactly to `zero`. */
    if (lo > 0.0f) lo = 0.0f;
    if (hi < 0.0f) hi = 0.0f;
    float s = (hi - lo) / 255.0f;
    if (!(s > 0.0f)) s = 1.0f; /* an all-zero row */
    float inv = 1.0f / s;
    float z = afk_round_even(-lo * inv);
    *scale = s;
    *inv_scale = inv;
    *zero = (int32_t)(z < 0.0f ? 0.0f : z > 255.0f ? 255.0f : z);
}

void afk_quantize_rows_u8_portable(const float *x, int m, int k, int ldx,
                                   uint8_t *q, int ldq, float *a_scale, int32_t *a_zero) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * (size_t)ldx;
        uint8_t *out = q + (size_t)i * (size_t)ldq;
        float lo = 0.0f, hi = 0.0f;
        for (int kk = 0; kk < k; kk++) {
            lo = row[kk] < lo ? row[kk] : lo;
            hi = row[kk] > hi ? row[kk] : hi;
        }
        float inv;
        afk_quant_params(lo, hi, &a_scale[i], &inv, &a_zero[i]);
        for (int kk = 0; kk < k; kk++) out[kk] = afk_quantize_value(row[kk], inv, a_zero[i]);
    }
}

void afk_quantize_rows_u8(afk_isa isa, const float *x, int m, int k, int ldx,
                          uint8_t *q, int ldq, float *a_scale, int32_t *a_zero) {
    if (!afk_isa_supported(isa)) isa = AFK_ISA_PORTABLE;
#if defined(__x86_64__)
    if (isa == AFK_ISA_AVX512_VNNI) {
        afk_quantize_rows_u8_avx512(x, m, k, ldx, q, ldq, a_scale, a_zero);
        return;
    }
    if (isa != AFK_ISA_PORTABLE) {
        afk_quantize_rows_u8_avx2(x, m, k, ldx, q, ldq, a_scale, a_zero);
        return;
    }
#endif
    afk_quantize_rows_u8_portable(x, m, k, ldx, q, ldq, a_scale, a_zero);
}
