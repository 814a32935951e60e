/* Packs s8 weights into the layout every GEMM variant reads: once at load for the linear
 * layers, every frame (quantizing on the way) for attention's K and V. */
#include "afk_internal.h"

#include <math.h>
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

afk_packed_weights *afk_packed_header(int n, int k, void *buffer, size_t bytes) {
    size_t needed = afk_packed_weights_size(n, k);
    if (!buffer || needed == 0 || bytes < needed || ((uintptr_t)buffer & 63) != 0) return NULL;
    afk_packed_weights *w = buffer;
    w->n = n;
    w->k = k;
    w->k_padded = (int)round_up(k, AFK_KGROUP);
    w->n_padded = (int)round_up(n, AFK_PANEL);
    w->owned = 0;
    w->data = (int8_t *)buffer + header_bytes();
    w->col_sum = (int32_t *)(void *)((char *)w->data + (panel_bytes(n, k) + 63) / 64 * 64);
    return w;
}

afk_packed_weights *afk_pack_weights_into(const int8_t *b, int n, int k, void *buffer, size_t bytes) {
    afk_packed_weights *w = b ? afk_packed_header(n, k, buffer, bytes) : NULL;
    if (!w) return NULL;
    /* Padding rows and columns must read as zero. */
    memset(w->data, 0, afk_packed_weights_size(n, k) - header_bytes());
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

/* Weights column j's element kk, in the packed layout. */
static size_t packed_offset(const afk_packed_weights *w, int j, int kk) {
    return (size_t)(j / AFK_PANEL) * (size_t)w->k_padded * AFK_PANEL + (size_t)(kk / AFK_KGROUP) * AFK_PANEL * AFK_KGROUP
           + (size_t)(j % AFK_PANEL) * AFK_KGROUP + (size_t)(kk % AFK_KGROUP);
}

/* Element (j, kk) of the weights, read from x laid out by rows (j * ldx + kk) or by columns. */
static float weight_at(const float *x, int ldx, int by_columns, int j, int kk) {
    return by_columns ? x[(size_t)kk * (size_t)ldx + (size_t)j] : x[(size_t)j * (size_t)ldx + (size_t)kk];
}

static afk_packed_weights *pack_quantized_portable(const float *x, int n, int k, int ldx, int by_columns,
                                                   float *scale, void *buffer, size_t bytes) {
    afk_packed_weights *w = afk_packed_header(n, k, buffer, bytes);
    if (!w) return NULL;
    memset(w->data, 0, afk_packed_weights_size(n, k) - header_bytes());
    for (int j = 0; j < n; j++) {
        float largest = 0.0f;
        for (int kk = 0; kk < k; kk++) {
            float v = fabsf(weight_at(x, ldx, by_columns, j, kk));
            largest = v > largest ? v : largest;
        }
        float s = afk_s8_scale(largest), inv = 1.0f / s;
        int32_t sum = 0;
        for (int kk = 0; kk < k; kk++) {
            int8_t code = afk_quantize_s8(weight_at(x, ldx, by_columns, j, kk), inv);
            w->data[packed_offset(w, j, kk)] = code;
            sum += code;
        }
        scale[j] = s;
        w->col_sum[j] = sum;
    }
    return w;
}

afk_packed_weights *afk_pack_quantized_rows(afk_isa isa, const float *x, int n, int k, int ldx,
                                            float *scale, void *buffer, size_t bytes) {
    if (!x || !scale || ldx < k) return NULL;
#if defined(__x86_64__)
    if (isa == AFK_ISA_AVX512_VNNI && afk_isa_supported(isa)) return afk_pack_quantized_rows_avx512(x, n, k, ldx, scale, buffer, bytes);
#else
    (void)isa;
#endif
    return pack_quantized_portable(x, n, k, ldx, 0, scale, buffer, bytes);
}

afk_packed_weights *afk_pack_quantized_columns(afk_isa isa, const float *x, int k, int n, int ldx,
                                               float *scale, void *buffer, size_t bytes) {
    if (!x || !scale || ldx < n) return NULL;
#if defined(__x86_64__)
    if (isa == AFK_ISA_AVX512_VNNI && afk_isa_supported(isa)) return afk_pack_quantized_columns_avx512(x, k, n, ldx, scale, buffer, bytes);
#else
    (void)isa;
#endif
    return pack_quantized_portable(x, n, k, ldx, 1, scale, buffer, bytes);
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
