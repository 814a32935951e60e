/* NEON GEMM for every ARMv8-A core: vld4 splits a packed group's 64 bytes by k into four
 * vectors of 16 columns, both operands are widened to int16 (u8 and s8 both fit), and smlal
 * multiplies each column vector by one activation lane, accumulating exact int32 sums. */
#include "afk_internal.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include "epilogue_neon.h"

#define TARGET /* NEON is part of every ARMv8-A core */
#define INLINE static inline __attribute__((always_inline))

/* 16 accumulators + 4 split weight vectors + 2 widened + 4 activation rows of 32 registers. */
enum { ROWS = 4 };

/* k `t` of the group: the 16 columns' weights times row r's activation t, into its 4 quads. */
#define ACCUMULATE_K(t)                                                                           \
    do {                                                                                          \
        int16x8_t cols0_7 = vmovl_s8(vget_low_s8(split.val[t]));                                 \
        int16x8_t cols8_15 = vmovl_high_s8(split.val[t]);                                         \
        for (int r = 0; r < rows; r++) {                                                          \
            acc[r][0] = vmlal_lane_s16(acc[r][0], vget_low_s16(cols0_7), act[r], t);              \
            acc[r][1] = vmlal_high_lane_s16(acc[r][1], cols0_7, act[r], t);                       \
            acc[r][2] = vmlal_lane_s16(acc[r][2], vget_low_s16(cols8_15), act[r], t);             \
            acc[r][3] = vmlal_high_lane_s16(acc[r][3], cols8_15, act[r], t);                      \
        }                                                                                         \
    } while (0)

/* Four activation bytes as int16 lanes 0..3. */
INLINE int16x4_t widen4(int32_t four) {
    return vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(vcreate_u8((uint64_t)(uint32_t)four))));
}

INLINE void tile(const afk_gemm_args *g, int i0, int rows, int panel) {
    const afk_packed_weights *w = g->w;
    const int8_t *b = afk_panel(w, panel);
    const uint8_t *a = g->a + (size_t)i0 * (size_t)g->lda;
    const size_t lda = (size_t)g->lda;
    const int groups = w->k_padded / AFK_KGROUP, full_groups = w->k / AFK_KGROUP, tail = w->k % AFK_KGROUP;

    int32x4_t acc[ROWS][4];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < 4; q++) acc[r][q] = vdupq_n_s32(0);
    for (int kg = 0; kg < groups; kg++) {
        int16x4_t act[ROWS];
        for (int r = 0; r < rows; r++) {
            const uint8_t *at = a + r * lda + (size_t)kg * AFK_KGROUP;
            act[r] = widen4(kg < full_groups ? afk_load4(at) : afk_load_tail4(at, tail));
        }
        int8x16x4_t split = vld4q_s8(b + (size_t)kg * AFK_PANEL * AFK_KGROUP);
        ACCUMULATE_K(0);
        ACCUMULATE_K(1);
        ACCUMULATE_K(2);
        ACCUMULATE_K(3);
    }
    afk_store_tile_neon(g, i0, rows, panel, (const int32x4_t (*)[4])acc);
}

AFK_DEFINE_PANEL_GEMM(afk_gemm_neon, TARGET, ROWS, tile)
#endif
