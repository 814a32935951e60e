/* Which kernel variant this CPU (and its OS) can run. */
#include "afk_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* Bit i set: variant i runs here. Needs both the instructions and OS-saved register state. */
static int probe_supported_mask(void) {
    unsigned eax, ebx, ecx, edx;
    int mask = 1 << AFK_ISA_PORTABLE;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return mask;
    int osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!osxsave || !avx) return mask;
    uint64_t xcr0 = read_xcr0();
    int ymm_state = (xcr0 & 0x6) == 0x6;
    int zmm_state = (xcr0 & 0xE6) == 0xE6; /* opmask, upper zmm0-15, zmm16-31 */
    if (!ymm_state || __get_cpuid_max(0, NULL) < 7) return mask;

    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    int avx2 = (ebx >> 5) & 1;
    int avx512 = ((ebx >> 16) & 1) && ((ebx >> 30) & 1) && ((ebx >> 31) & 1); /* F, BW, VL */
    int avx512_vnni = (ecx >> 11) & 1;
    unsigned max_subleaf = eax;
    int avx_vnni = 0;
    if (max_subleaf >= 1) {
        __cpuid_count(7, 1, eax, ebx, ecx, edx);
        avx_vnni = (eax >> 4) & 1;
    }
    if (avx2) mask |= 1 << AFK_ISA_AVX2;
    if (avx2 && avx_vnni) mask |= 1 << AFK_ISA_AVX_VNNI;
    if (avx2 && avx512 && avx512_vnni && zmm_state) mask |= 1 << AFK_ISA_AVX512_VNNI;
    return mask;
}
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

/* The kernel's hwcap bits (asm/hwcap.h), spelled out for C libraries that lack them. */
#define HWCAP_ASIMD_BIT (1UL << 1)
#define HWCAP_ASIMDDP_BIT (1UL << 20)

static int probe_supported_mask(void) {
    unsigned long hwcap = getauxval(AT_HWCAP);
    int mask = 1 << AFK_ISA_PORTABLE;
    if (hwcap & HWCAP_ASIMD_BIT) mask |= 1 << AFK_ISA_NEON;
    if ((hwcap & HWCAP_ASIMD_BIT) && (hwcap & HWCAP_ASIMDDP_BIT)) mask |= 1 << AFK_ISA_NEON_DOTPROD;
    return mask;
}
#elif defined(__aarch64__)
/* NEON is part of every ARMv8-A profile; without hwcaps, dot product is not assumed. */
static int probe_supported_mask(void) { return (1 << AFK_ISA_PORTABLE) | (1 << AFK_ISA_NEON); }
#else
static int probe_supported_mask(void) { return 1 << AFK_ISA_PORTABLE; }
#endif

static _Atomic int cached_mask = 0; /* 0: not probed yet (portable is always bit 0) */

static int supported_mask(void) {
    int mask = atomic_load_explicit(&cached_mask, memory_order_relaxed);
    if (mask == 0) {
        mask = probe_supported_mask();
        atomic_store_explicit(&cached_mask, mask, memory_order_relaxed);
    }
    return mask;
}

int afk_isa_supported(afk_isa isa) {
    if (isa < AFK_ISA_PORTABLE || isa > AFK_ISA_LAST) return 0;
    return (supported_mask() >> isa) & 1;
}

const char *afk_isa_name(afk_isa isa) {
    switch (isa) {
    case AFK_ISA_PORTABLE: return "portable";
    case AFK_ISA_AVX2: return "avx2";
    case AFK_ISA_AVX_VNNI: return "avx_vnni";
    case AFK_ISA_AVX512_VNNI: return "avx512_vnni";
    case AFK_ISA_NEON: return "neon";
    case AFK_ISA_NEON_DOTPROD: return "neon_dotprod";
    }
    return "unknown";
}

afk_isa afk_detect_isa(void) { return afk_detect_isa_capped(getenv("AFFORDD_ISA")); }

afk_isa afk_detect_isa_capped(const char *cap) {
    int ceiling = AFK_ISA_LAST;
    for (int isa = AFK_ISA_PORTABLE; cap && isa <= AFK_ISA_LAST; isa++) {
        if (strcmp(cap, afk_isa_name((afk_isa)isa)) == 0) ceiling = isa;
    }
    for (int isa = ceiling; isa > AFK_ISA_PORTABLE; isa--) {
        if (afk_isa_supported((afk_isa)isa)) return (afk_isa)isa;
    }
    return AFK_ISA_PORTABLE;
}
