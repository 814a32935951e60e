/* The portable GEMM over packed weights: the path on CPUs without the x86 variants (e.g. ARM64). */
#include "afk_internal.h"

/* Rows at a time, so each weight panel is read once per row block rather than once per row. */
#define ROWS 4

void afk_gemm_portable(const afk_gemm_args *g, int m) {
    const afk_packed_weights *w = g->w;
    int k = w->k, groups = w->k_padded / AFK_KGROUP, n_begin = g->n_begin, n_end = g->n_end;
    for (int panel = n_begin / AFK_PANEL; panel * AFK_PANEL < n_end; panel++) {
        const int8_t *bp = afk_panel(w, panel);
        for (int i0 = 0; i0 < m; i0 += ROWS) {
            int rows = m - i0 < ROWS ? m - i0 : ROWS;
            int32_t acc[ROWS][AFK_PANEL] = {{0}};
            for (int group = 0; group < groups; group++) {
                const int8_t *bk = bp + (size_t)group * AFK_PANEL * AFK_KGROUP;
                int in_row = k - group * AFK_KGROUP < AFK_KGROUP ? k - group * AFK_KGROUP : AFK_KGROUP;
                for (int r = 0; r < rows; r++) {
                    /* Bytes past k are never read; the zero-padded weights make them count as 0. */
                    uint8_t a4[AFK_KGROUP] = {0};
                    const uint8_t *ar = g->a + (size_t)(i0 + r) * (size_t)g->lda + (size_t)group * AFK_KGROUP;
                    for (int t = 0; t < in_row; t++) a4[t] = ar[t];
                    for (int col = 0; col < AFK_PANEL; col++) {
                        const int8_t *bc = bk + col * AFK_KGROUP;
                        acc[r][col] += a4[0] * bc[0] + a4[1] * bc[1] + a4[2] * bc[2] + a4[3] * bc[3];
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                for (int col = 0; col < AFK_PANEL; col++) {
                    int j = panel * AFK_PANEL + col;
                    if (j < n_begin || j >= n_end) continue;
                    afk_store_value(g, i, j, afk_epilogue(acc[r][col], g->a_zero[i], w->col_sum[j], g->a_scale[i],
                                                          g->w_scale[j], g->bias, j));
                }
            }
        }
    }
}
