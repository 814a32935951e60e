/* Routes a GEMM call to the variant the caller picked (portable where that variant cannot run). */
#include "afk_internal.h"

#include <assert.h>

static void dispatch(afk_isa isa, int m, const afk_gemm_args *g) {
    assert(0 <= g->n_begin && g->n_begin <= g->n_end && g->n_end <= g->w->n);
    if (m <= 0 || g->n_begin >= g->n_end) return;
    if (!afk_isa_supported(isa)) isa = AFK_ISA_PORTABLE;
    switch (isa) {
#if defined(__x86_64__)
    case AFK_ISA_AVX512_VNNI:
        afk_gemm_avx512_vnni(g, m);
        return;
    case AFK_ISA_AVX_VNNI:
        afk_gemm_avx_vnni(g, m);
        return;
    case AFK_ISA_AVX2:
        afk_gemm_avx2(g, m);
        return;
#endif
#if defined(__aarch64__)
    case AFK_ISA_NEON_DOTPROD:
        afk_gemm_neon_dotprod(g, m);
        return;
    case AFK_ISA_NEON:
        afk_gemm_neon(g, m);
        return;
#endif
    default:
        afk_gemm_portable(g, m);
        return;
    }
}

void afk_gemm_u8s8_f32(afk_isa isa, int m, int n_begin, int n_end,
                       const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                       const afk_packed_weights *w, const float *w_scale, const float *bias,
                       float *c, int ldc) {
    const afk_gemm_args args = {a, lda, a_scale, a_zero, w, w_scale, bias, NULL, c, ldc, n_begin, n_end};
    dispatch(isa, m, &args);
}

void afk_gemm_u8s8_f32_accumulate(afk_isa isa, int m, int n_begin, int n_end,
                                  const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                                  const afk_packed_weights *w, const float *w_scale, const float *bias,
                                  const float *c_scale, float *c, int ldc) {
    const afk_gemm_args args = {a, lda, a_scale, a_zero, w, w_scale, bias, c_scale, c, ldc, n_begin, n_end};
    dispatch(isa, m, &args);
}
