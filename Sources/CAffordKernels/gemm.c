/* Routes a GEMM call to the variant the caller picked (portable where that variant cannot run). */
#include "afk_internal.h"

#include <assert.h>

void afk_gemm_u8s8_f32(afk_isa isa, int m, int n_begin, int n_end,
                       const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                       const afk_packed_weights *w, const float *w_scale, const float *bias,
                       float *c, int ldc) {
    assert(0 <= n_begin && n_begin <= n_end && n_end <= w->n);
    if (m <= 0 || n_begin >= n_end) return;
    if (!afk_isa_supported(isa)) isa = AFK_ISA_PORTABLE;
    const afk_gemm_args args = {a, lda, a_scale, a_zero, w, w_scale, bias, c, ldc, n_begin, n_end};
    switch (isa) {
#if defined(__x86_64__)
    case AFK_ISA_AVX512_VNNI:
        afk_gemm_avx512_vnni(&args, m);
        return;
    case AFK_ISA_AVX_VNNI:
        afk_gemm_avx_vnni(&args, m);
        return;
    case AFK_ISA_AVX2:
        afk_gemm_avx2(&args, m);
        return;
#endif
#if defined(__aarch64__)
    case AFK_ISA_NEON_DOTPROD:
        afk_gemm_neon_dotprod(&args, m);
        return;
    case AFK_ISA_NEON:
        afk_gemm_neon(&args, m);
        return;
#endif
    default:
        afk_gemm_portable(&args, m);
        return;
    }
}
