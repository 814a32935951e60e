/* NEON dot-product GEMM (ARMv8.2-A and later: Cortex-A55/A76/A78, Jetson Orin, Raspberry Pi 5).
 * A packed group is exactly sdot's layout (4 columns x 4 k per vector), but sdot multiplies
 * signed by signed: activations are shifted to s8 by -128 and the int32 sums get 128 times the
 * column sum back, so they stay exact and equal to every other variant's. */
#include "afk_internal.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include "epilogue_neon.h"

#define TARGET __attribute__((target("arch=armv8.2-a+dotprod")))
#define INLINE static inline __attribute__((always_inline)) TARGET

/* 16 accumulators + 4 weight vectors + 4 activation rows of 32 registers. */
enum { ROWS = 4 };

/* Group `t` of the four whose activations sit in act[r] (lanes t), into all 16 columns. */
#define ACCUMULATE_GROUP(group_bytes, t)                                                 \
    do {                                                                                 \
        const int8_t *wg = (group_bytes);                                                \
        int8x16_t w0 = vld1q_s8(wg), w1 = vld1q_s8(wg + 16);                             \
        int8x16_t w2 = vld1q_s8(wg + 32), w3 = vld1q_s8(wg + 48);                        \
        for (int r = 0; r < rows; r++) {                                                 \
            acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, act[r], t);                       \
            acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, act[r], t);                       \
            acc[r][2] = vdotq_laneq_s32(acc[r][2], w2, act[r], t);                       \
            acc[r][3] = vdotq_laneq_s32(acc[r][3], w3, act[r], t);                       \
        }                                                                                \
    } while (0)

/* 16 activation bytes shifted from u8 to s8 (q - 128). */
INLINE int8x16_t to_signed(uint8x16_t q) { return vreinterpretq_s8_u8(veorq_u8(q, vdupq_n_u8(0x80))); }

INLINE void tile(const afk_gemm_args *g, int i0, int rows, int panel) {
    const afk_packed_weights *w = g->w;
    const int8_t *b = afk_panel(w, panel);
    const uint8_t *a = g->a + (size_t)i0 * (size_t)g->lda;
    const size_t lda = (size_t)g->lda;
    const size_t group_bytes = AFK_PANEL * AFK_KGROUP;

    int32x4_t acc[ROWS][4];
    int8x16_t act[ROWS];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < 4; q++) acc[r][q] = vdupq_n_s32(0);
    int k0 = 0;
    for (; k0 + 16 <= w->k; k0 += 16) {
        for (int r = 0; r < rows; r++) act[r] = to_signed(vld1q_u8(a + r * lda + (size_t)k0));
        const int8_t *groups = b + (size_t)(k0 / AFK_KGROUP) * group_bytes;
        ACCUMULATE_GROUP(groups, 0);
        ACCUMULATE_GROUP(groups + group_bytes, 1);
        ACCUMULATE_GROUP(groups + 2 * group_bytes, 2);
        ACCUMULATE_GROUP(groups + 3 * group_bytes, 3);
    }
    if (k0 < w->k_padded) {
        /* The last 1-15 k: bytes past k become -128 but meet zero-padded weights. */
        int left = (w->k_padded - k0) / AFK_KGROUP;
        for (int r = 0; r < rows; r++) {
            uint8_t bytes[16] = {0};
            memcpy(bytes, a + r * lda + (size_t)k0, (size_t)(w->k - k0));
            act[r] = to_signed(vld1q_u8(bytes));
        }
        const int8_t *groups = b + (size_t)(k0 / AFK_KGROUP) * group_bytes;
        ACCUMULATE_GROUP(groups, 0);
        if (left > 1) ACCUMULATE_GROUP(groups + group_bytes, 1);
        if (left > 2) ACCUMULATE_GROUP(groups + 2 * group_bytes, 2);
        if (left > 3) ACCUMULATE_GROUP(groups + 3 * group_bytes, 3);
    }
    /* sum q * b = sum (q - 128) * b + 128 * sum b, exactly. */
    for (int q = 0; q < 4; q++) {
        int32x4_t shift_back = vshlq_n_s32(vld1q_s32(w->col_sum + panel * AFK_PANEL + 4 * q), 7);
        for (int r = 0; r < rows; r++) acc[r][q] = vaddq_s32(acc[r][q], shift_back);
    }
    afk_store_tile_neon(g, i0, rows, panel, (const int32x4_t (*)[4])acc);
}

AFK_DEFINE_PANEL_GEMM(afk_gemm_neon_dotprod, TARGET, ROWS, tile)
#endif
