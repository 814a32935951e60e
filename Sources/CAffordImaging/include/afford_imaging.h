#ifndef AFFORD_IMAGING_H
#define AFFORD_IMAGING_H
#include <stddef.h>
#include <stdint.h>

/// YUYV (Y0 U Y1 V) to packed RGB8, BT.601 limited range in 8-bit fixed point,
/// for `pairs` pixel pairs. The AVX2 build is chosen once from the CPU's features;
/// the plain C build is the fallback. Swift's YUYV.toRGBReference is the reference twin.
void afford_yuyv_to_rgb(const uint8_t *yuyv, uint8_t *rgb, size_t pairs);

/// The plain C build, exported so tests cover it on AVX2 machines too.
void afford_yuyv_to_rgb_portable(const uint8_t *yuyv, uint8_t *rgb, size_t pairs);

/// Which build `afford_yuyv_to_rgb` runs: "avx2" or "portable".
const char *afford_yuyv_variant(void);

/// glibc only (a no-op elsewhere): blocks up to `mmap_threshold` bytes come from the heap,
/// and the heap is trimmed only past `trim_threshold` free bytes at its top.
void afford_keep_large_blocks_mapped(int mmap_threshold, int trim_threshold);

#endif
