#include "afford_imaging.h"

// One plain loop, compiled twice. With AVX2 (pshufb, 256-bit lanes) clang's loop
// vectoriser turns the stride-4 loads and stride-6 stores into shuffles; Swift code
// is built for baseline x86-64, where that does not pay off, hence this C target.

static inline uint8_t clamp_u8(int value) { return value < 0 ? 0 : value > 255 ? 255 : (uint8_t)value; }

// Footroom (Y < 16) counts as black, as in OpenCV, so noise below black adds no colour shift.
static inline int luma_above_black(int y) { return y < 16 ? 0 : y - 16; }

#define YUYV_LOOP_BODY                                                                        \
    for (size_t p = 0; p < pairs; p++) {                                                      \
        const int y0 = 298 * luma_above_black(yuyv[4 * p]), u = yuyv[4 * p + 1] - 128;       \
        const int y1 = 298 * luma_above_black(yuyv[4 * p + 2]), v = yuyv[4 * p + 3] - 128;  \
        const int red = 409 * v + 128, green = 128 - 100 * u - 208 * v, blue = 516 * u + 128; \
        rgb[6 * p] = clamp_u8((y0 + red) >> 8);                                               \
        rgb[6 * p + 1] = clamp_u8((y0 + green) >> 8);                                         \
        rgb[6 * p + 2] = clamp_u8((y0 + blue) >> 8);                                          \
        rgb[6 * p + 3] = clamp_u8((y1 + red) >> 8);                                           \
        rgb[6 * p + 4] = clamp_u8((y1 + green) >> 8);                                         \
        rgb[6 * p + 5] = clamp_u8((y1 + blue) >> 8);                                          \
    }

static void yuyv_portable(const uint8_t *restrict yuyv, uint8_t *restrict rgb, size_t pairs) { YUYV_LOOP_BODY }

void afford_yuyv_to_rgb_portable(const uint8_t *yuyv, uint8_t *rgb, size_t pairs) { yuyv_portable(yuyv, rgb, pairs); }

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void yuyv_avx2(const uint8_t *restrict yuyv, uint8_t *restrict rgb, size_t pairs) {
    YUYV_LOOP_BODY
}
#endif

typedef void (*yuyv_kernel)(const uint8_t *restrict, uint8_t *restrict, size_t);

static yuyv_kernel chosen_kernel(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return yuyv_avx2;
#endif
    return yuyv_portable;
}

void afford_yuyv_to_rgb(const uint8_t *yuyv, uint8_t *rgb, size_t pairs) {
    static yuyv_kernel kernel;
    if (!kernel) kernel = chosen_kernel();  // idempotent, so a race only repeats the choice
    kernel(yuyv, rgb, pairs);
}

const char *afford_yuyv_variant(void) {
    return chosen_kernel() == yuyv_portable ? "portable" : "avx2";
}
