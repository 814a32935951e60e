/* Packs s8 weights once at load into the layout every GEMM variant reads. */
#include "afk_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One block: the header, then the panels, then the column sums, each 64-byte aligned. */
static size_t header_bytes(void) { return (sizeof(afk_packed_weights) + 63) / 64 * 64; }
static size_t round_up(int value, int multiple) { return (size_t)((value + multiple - 1) / multiple * multiple); }
static size_t panel_bytes(int n, int k) { return round_up(n, AFK_PANEL) * round_up(k, AFK_KGROUP); }

size_t afk_packed_weights_size(int n, int k) {
    if (n < 1 || k < 1 || k > 65536) return 0;
    return header_bytes() + (panel_bytes(n, k) + 63) / 64 * 64 + round_up(n, AFK_PANEL) * sizeof(int32_t);
}

afk_packed_weights *afk_pack_weights_into(const int8_t *b, int n, int k, void *buffer, size_t bytes) {
    size_t needed = afk_packed_weights_size(n, k);
    if (!b || !buffer || needed == 0 || bytes < needed || ((uintptr_t)buffer & 63) != 0) return NULL;
    afk_packed_weights *w = buffer;
    w->n = n;
    w->k = k;
    w->k_padded = (int)round_up(k, AFK_KGROUP);
    w->n_padded = (int)round_up(n, AFK_PANEL);
    w->owned = 0;
    w->data = (int8_t *)buffer + header_bytes();
    w->col_sum = (int32_t *)(void *)((char *)w->data + (panel_bytes(n, k) + 63) / 64 * 64);
    /* Padding rows and columns must read as zero. */
    memset(w->data, 0, needed - header_bytes());
    for (int j = 0; j < n; j++) {
        const int8_t *row = b + (size_t)j * (size_t)k;
        /* Column j's groups of AFK_KGROUP bytes sit AFK_PANEL * AFK_KGROUP bytes apart. */
        int8_t *column = w->data + (size_t)(j / AFK_PANEL) * (size_t)w->k_padded * AFK_PANEL
                         + (size_t)(j % AFK_PANEL) * AFK_KGROUP;
        int32_t sum = 0;
        for (int kk = 0; kk < k; kk++) sum += row[kk];
        int whole = k / AFK_KGROUP * AFK_KGROUP;
        for (int kk = 0; kk < whole; kk += AFK_KGROUP)
            memcpy(column + (size_t)(kk / AFK_KGROUP) * AFK_PANEL * AFK_KGROUP, row + kk, AFK_KGROUP);
        for (int kk = whole; kk < k; kk++)
            column[(size_t)(kk / AFK_KGROUP) * AFK_PANEL * AFK_KGROUP + (size_t)(kk % AFK_KGROUP)] = row[kk];
        w->col_sum[j] = sum;
    }
    return w;
}

afk_packed_weights *afk_pack_weights(const int8_t *b, int n, int k) {
    size_t bytes = afk_packed_weights_size(n, k);
    if (!b || bytes == 0) return NULL;
    void *block = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!block) return NULL;
    afk_packed_weights *w = afk_pack_weights_into(b, n, k, block, bytes);
    if (!w) {
        free(block);
        return NULL;
    }
    w->owned = 1;
    return w;
}

void afk_packed_weights_free(afk_packed_weights *w) {
    if (w && w->owned) free(w);
}

int afk_packed_weights_n(const afk_packed_weights *w) { return w->n; }
int afk_packed_weights_k(const afk_packed_weights *w) { return w->k; }
