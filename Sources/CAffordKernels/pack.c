/* Packs s8 weights once at load into the layout every GEMM variant reads. */
#include "afk_internal.h"

#include <stdlib.h>
#include <string.h>

static void *alloc_aligned64(size_t bytes) {
    size_t rounded = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, rounded ? rounded : 64);
    if (p) memset(p, 0, rounded ? rounded : 64);
    return p;
}

afk_packed_weights *afk_pack_weights(const int8_t *b, int n, int k) {
    if (!b || n < 1 || k < 1 || k > 65536) return NULL;
    afk_packed_weights *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->k = k;
    w->k_padded = (k + AFK_KGROUP - 1) / AFK_KGROUP * AFK_KGROUP;
    w->n_padded = (n + AFK_PANEL - 1) / AFK_PANEL * AFK_PANEL;
    w->data = alloc_aligned64((size_t)w->n_padded * (size_t)w->k_padded);
    w->col_sum = alloc_aligned64((size_t)w->n_padded * sizeof(int32_t));
    if (!w->data || !w->col_sum) {
        afk_packed_weights_free(w);
        return NULL;
    }
    for (int j = 0; j < n; j++) {
        int8_t *panel = w->data + (size_t)(j / AFK_PANEL) * (size_t)w->k_padded * AFK_PANEL;
        int column = j % AFK_PANEL;
        int32_t sum = 0;
        for (int kk = 0; kk < k; kk++) {
            int8_t v = b[(size_t)j * (size_t)k + (size_t)kk];
            size_t group = (size_t)(kk / AFK_KGROUP);
            panel[(group * AFK_PANEL + (size_t)column) * AFK_KGROUP + (size_t)(kk % AFK_KGROUP)] = v;
            sum += v;
        }
        w->col_sum[j] = sum;
    }
    return w;
}

void afk_packed_weights_free(afk_packed_weights *w) {
    if (!w) return;
    free(w->data);
    free(w->col_sum);
    free(w);
}

int afk_packed_weights_n(const afk_packed_weights *w) { return w->n; }
int afk_packed_weights_k(const afk_packed_weights *w) { return w->k; }
