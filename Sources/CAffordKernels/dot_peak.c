/* The multiply-accumulate ceiling each variant's GEMM is measured against. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "afk_internal.h"

#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#if defined(__x86_64__)
#include <immintrin.h>

/* Independent accumulator chains hide the instruction's latency; the empty asm keeps
 * the inputs opaque so nothing is folded. Each loop returns the multiply-adds it did. */
#define CHAINS 24

__attribute__((target("avx512f,avx512vnni"), noinline)) static double zmm_dpbusd(long iterations, int *sink) {
    __m512i x = _mm512_set1_epi32(0x01020304), y = _mm512_set1_epi32(0x05060708);
    __m512i acc[CHAINS];
    for (int c = 0; c < CHAINS; c++) acc[c] = _mm512_setzero_si512();
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+v"(x), "+v"(y));
        for (int c = 0; c < CHAINS; c++) acc[c] = _mm512_dpbusd_epi32(acc[c], x, y);
    }
    for (int c = 1; c < CHAINS; c++) acc[0] = _mm512_xor_si512(acc[0], acc[c]);
    *sink = _mm512_reduce_add_epi32(acc[0]);
    return (double)iterations * CHAINS * 64;
}

__attribute__((target("avx2,avxvnni"), noinline)) static double ymm_dpbusd(long iterations, int *sink) {
    __m256i x = _mm256_set1_epi32(0x01020304), y = _mm256_set1_epi32(0x05060708);
    __m256i acc[12]; /* 16 ymm registers: 12 chains + 2 inputs */
    for (int c = 0; c < 12; c++) acc[c] = _mm256_setzero_si256();
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+x"(x), "+x"(y));
        for (int c = 0; c < 12; c++) acc[c] = _mm256_dpbusd_avx_epi32(acc[c], x, y);
    }
    for (int c = 1; c < 12; c++) acc[0] = _mm256_xor_si256(acc[0], acc[c]);
    *sink = _mm256_extract_epi32(acc[0], 0);
    return (double)iterations * 12 * 32;
}

/* AVX2's exact path does one vpmaddwd (16 MACs) and one vpaddd per step. */
__attribute__((target("avx2"), noinline)) static double ymm_maddwd(long iterations, int *sink) {
    __m256i x = _mm256_set1_epi32(0x00010002), y = _mm256_set1_epi32(0x00030004);
    __m256i acc[12];
    for (int c = 0; c < 12; c++) acc[c] = _mm256_setzero_si256();
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+x"(x), "+x"(y));
        for (int c = 0; c < 12; c++) acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(x, y));
    }
    for (int c = 1; c < 12; c++) acc[0] = _mm256_xor_si256(acc[0], acc[c]);
    *sink = _mm256_extract_epi32(acc[0], 0);
    return (double)iterations * 12 * 16;
}
#elif defined(__aarch64__)
#include <arm_neon.h>

/* 24 of the 32 vector registers as chains, as on x86. */
#define CHAINS 24

/* NEON's exact path does one smlal (4 MACs) per step. */
__attribute__((noinline)) static double neon_smlal(long iterations, int *sink) {
    int16x4_t x = vdup_n_s16(3), y = vdup_n_s16(5);
    int32x4_t acc[CHAINS];
    for (int c = 0; c < CHAINS; c++) acc[c] = vdupq_n_s32(0);
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+w"(x), "+w"(y));
        for (int c = 0; c < CHAINS; c++) acc[c] = vmlal_s16(acc[c], x, y);
    }
    for (int c = 1; c < CHAINS; c++) acc[0] = veorq_s32(acc[0], acc[c]);
    *sink = vgetq_lane_s32(acc[0], 0);
    return (double)iterations * CHAINS * 4;
}

__attribute__((target("arch=armv8.2-a+dotprod"), noinline)) static double neon_sdot(long iterations, int *sink) {
    int8x16_t x = vdupq_n_s8(3), y = vdupq_n_s8(5);
    int32x4_t acc[CHAINS];
    for (int c = 0; c < CHAINS; c++) acc[c] = vdupq_n_s32(0);
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+w"(x), "+w"(y));
        for (int c = 0; c < CHAINS; c++) acc[c] = vdotq_s32(acc[c], x, y);
    }
    for (int c = 1; c < CHAINS; c++) acc[0] = veorq_s32(acc[0], acc[c]);
    *sink = vgetq_lane_s32(acc[0], 0);
    return (double)iterations * CHAINS * 16;
}
#endif

double afk_dot_peak_gops(afk_isa isa) {
    if (!afk_isa_supported(isa)) return 0;
    double best = 0;
    int sink = 0;
    /* Short bursts, best kept: a busy shared machine only ever makes a burst slower. */
    for (int burst = 0; burst < 20; burst++) {
        double start = now_s(), macs = 0;
        switch (isa) {
#if defined(__x86_64__)
        case AFK_ISA_AVX512_VNNI: macs = zmm_dpbusd(20000, &sink); break;
        case AFK_ISA_AVX_VNNI: macs = ymm_dpbusd(40000, &sink); break;
        case AFK_ISA_AVX2: macs = ymm_maddwd(40000, &sink); break;
#elif defined(__aarch64__)
        case AFK_ISA_NEON: macs = neon_smlal(40000, &sink); break;
        case AFK_ISA_NEON_DOTPROD: macs = neon_sdot(20000, &sink); break;
#endif
        default: return 0;
        }
        double gops = 2 * macs / (now_s() - start) * 1e-9;
        if (gops > best) best = gops;
    }
    (void)sink;
    return best;
}
