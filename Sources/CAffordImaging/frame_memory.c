#include "afford_imaging.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void afford_keep_large_blocks_mapped(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#else
    (void)mmap_threshold;
    (void)trim_threshold;
#endif
}
