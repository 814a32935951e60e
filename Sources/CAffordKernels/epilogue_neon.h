/* The NEON epilogue shared by the ARM64 GEMMs (ARM64 only). */
#ifndef AFK_EPILOGUE_NEON_H
#define AFK_EPILOGUE_NEON_H

#include "afk_internal.h"
#include <arm_neon.h>

/* One tile's accumulators, acc[r][quad] for row i0 + r and the panel's columns 4 quad..4 quad+3:
 * four columns at a time when all are in range, in afk_epilogue's order; scalar at the edges. */
static inline __attribute__((always_inline))
void afk_store_tile_neon(const afk_gemm_args *g, int i0, int rows, int panel, const int32x4_t acc[][4]) {
    for (int quad = 0; quad < 4; quad++) {
        int j = panel * AFK_PANEL + 4 * quad;
        if (j >= g->n_begin && j + 4 <= g->n_end) {
            int32x4_t col_sum = vld1q_s32(g->w->col_sum + j);
            float32x4_t w_scale = vld1q_f32(g->w_scale + j);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                int32x4_t exact = vsubq_s32(acc[r][quad], vmulq_n_s32(col_sum, g->a_zero[i]));
                float32x4_t v = vmulq_f32(vcvtq_f32_s32(exact), vmulq_n_f32(w_scale, g->a_scale[i]));
                if (g->bias) v = vaddq_f32(v, vld1q_f32(g->bias + j));
                float *out = g->c + (size_t)i * (size_t)g->ldc + j;
                if (g->c_scale) v = vaddq_f32(vld1q_f32(out), vmulq_f32(vld1q_f32(g->c_scale + j), v));
                vst1q_f32(out, v);
            }
            continue;
        }
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int32_t lanes[4];
            vst1q_s32(lanes, acc[r][quad]);
            for (int t = 0; t < 4; t++) {
                int jj = j + t;
                if (jj < g->n_begin || jj >= g->n_end) continue;
                afk_store_value(g, i, jj, afk_epilogue(lanes[t], g->a_zero[i], g->w->col_sum[jj], g->a_scale[i],
                                                       g->w_scale[jj], g->bias, jj));
            }
        }
    }
}

#endif
