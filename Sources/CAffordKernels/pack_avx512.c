/* AVX-512 twins of afk_pack_quantized_rows / _columns (pack.c holds the portable versions, the
 * reference): quantize and write the packed layout in one pass, no intermediate codes. Same
 * scales, same rounding (cvtps2dq, to nearest even), identical blocks. */
#include "afk_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE static inline __attribute__((always_inline)) TARGET

INLINE __mmask16 tail_mask(int left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u); }

INLINE __m512 s8_scale(__m512 largest) {
    __mmask16 positive = _mm512_cmp_ps_mask(largest, _mm512_setzero_ps(), _CMP_GT_OQ);
    return _mm512_mask_div_ps(_mm512_set1_ps(1.0f), positive, largest, _mm512_set1_ps(127.0f));
}

/* Codes of 16 values as int32 lanes. No clamp: the line's peak set the scale, so |v · inv|
 * stays within rounding of 127 and rounds to at most 127, as the portable clamp gives. */
INLINE __m512i codes_of(__m512 v, __m512 inv) { return _mm512_cvtps_epi32(_mm512_mul_ps(v, inv)); }

/* Transposes a 16 x 16 matrix of 32-bit words held as 16 rows: unpacks within 128-bit lanes
 * leave 4 x 4 blocks transposed, lane shuffles put the blocks in place. */
INLINE void transpose16(__m512i r[16]) {
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        u[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    /* u[4i + c], lane L: column 4L + c of rows 4i ..< 4i + 4. */
    for (int c = 0; c < 4; c++) {
        __m512i a = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x44), b = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xEE);
        __m512i a2 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x44), b2 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xEE);
        r[c] = _mm512_shuffle_i32x4(a, a2, 0x88);
        r[4 + c] = _mm512_shuffle_i32x4(a, a2, 0xDD);
        r[8 + c] = _mm512_shuffle_i32x4(b, b2, 0x88);
        r[12 + c] = _mm512_shuffle_i32x4(b, b2, 0xDD);
    }
}

/* Row j of x is weights column j, so a panel is 16 rows. Each row's codes for 64 consecutive k
 * make 16 words, one per k group; transposed, the panel's 16 rows become the 16 groups' lines.
 * The saturating packs leave word p of a row holding group 4 * (p % 4) + p / 4 (they interleave
 * 128-bit lanes), so line p is stored there. */
TARGET afk_packed_weights *afk_pack_quantized_rows_avx512(const float *x, int n, int k, int ldx,
                                                          float *scale, void *buffer, size_t bytes) {
    afk_packed_weights *w = afk_packed_header(n, k, buffer, bytes);
    if (!w) return NULL;
    const int groups = w->k_padded / AFK_KGROUP;
    const __m512i ones = _mm512_set1_epi8(1);
    for (int panel = 0; panel * AFK_PANEL < n; panel++) {
        const int j0 = panel * AFK_PANEL, rows = n - j0 < AFK_PANEL ? n - j0 : AFK_PANEL;
        float peaks[AFK_PANEL] = {0}, inverse[AFK_PANEL];
        for (int r = 0; r < rows; r++) {
            const float *row = x + (size_t)(j0 + r) * (size_t)ldx;
            /* Rows are ldx apart, each on a page of its own at attention's strides, where the
             * hardware prefetchers stop: ask for the next panel's row while this one is read. */
            if (j0 + AFK_PANEL + r < n)
                for (int kk = 0; kk < k; kk += 16) _mm_prefetch((const char *)(row + (size_t)AFK_PANEL * (size_t)ldx + kk), _MM_HINT_T0);
            __m512 largest = _mm512_setzero_ps();
            for (int kk = 0; kk < k; kk += 16)
                largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(tail_mask(k - kk), row + kk)));
            peaks[r] = _mm512_reduce_max_ps(largest);
        }
        __m512 s = s8_scale(_mm512_loadu_ps(peaks));
        _mm512_mask_storeu_ps(scale + j0, tail_mask(rows), s);
        _mm512_storeu_ps(inverse, _mm512_div_ps(_mm512_set1_ps(1.0f), s));

        int8_t *lines = w->data + (size_t)panel * (size_t)w->k_padded * AFK_PANEL;
        __m512i sum = _mm512_setzero_si512();
        for (int kk0 = 0; kk0 < k; kk0 += 64) {
            __m512i words[AFK_PANEL];
            for (int r = 0; r < AFK_PANEL; r++) {
                if (r >= rows) { words[r] = _mm512_setzero_si512(); continue; } /* padding columns */
                const float *row = x + (size_t)(j0 + r) * (size_t)ldx + kk0;
                __m512 inv = _mm512_set1_ps(inverse[r]);
                __m512i c[4];
                for (int q = 0; q < 4; q++) { /* lanes past k read as 0 and code to 0 */
                    int left = k - kk0 - 16 * q;
                    __m512 v = left > 0 ? _mm512_maskz_loadu_ps(tail_mask(left), row + 16 * q) : _mm512_setzero_ps();
                    c[q] = codes_of(v, inv);
                }
                words[r] = _mm512_packs_epi16(_mm512_packs_epi32(c[0], c[1]), _mm512_packs_epi32(c[2], c[3]));
            }
            transpose16(words);
            for (int p = 0; p < AFK_PANEL; p++) {
                int group = kk0 / AFK_KGROUP + 4 * (p % 4) + p / 4;
                if (group >= groups) continue;
                _mm512_store_si512((void *)(lines + (size_t)group * AFK_PANEL * AFK_KGROUP), words[p]);
                sum = _mm512_dpbusd_epi32(sum, ones, words[p]);
            }
        }
        _mm512_store_si512((void *)(w->col_sum + j0), sum);
    }
    return w;
}

/* Column j of x (K x N) is weights column j. Four rows of x make one group: 16 columns' codes
 * of rows 4g..4g+3, interleaved byte by byte, are exactly the group's 64-byte line of a panel. */
TARGET afk_packed_weights *afk_pack_quantized_columns_avx512(const float *x, int k, int n, int ldx,
                                                             float *scale, void *buffer, size_t bytes) {
    afk_packed_weights *w = afk_packed_header(n, k, buffer, bytes);
    if (!w) return NULL;
    const int groups = w->k_padded / AFK_KGROUP;
    const __m512i low_byte = _mm512_set1_epi32(0xFF);
    for (int panel = 0; panel * AFK_PANEL < n; panel++) {
        const int j0 = panel * AFK_PANEL;
        const __mmask16 mask = tail_mask(n - j0); /* columns past n read as 0: zero padding */
        __m512 largest = _mm512_setzero_ps();
        for (int kk = 0; kk < k; kk++)
            largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, x + (size_t)kk * (size_t)ldx + j0)));
        __m512 s = s8_scale(largest);
        _mm512_mask_storeu_ps(scale + j0, mask, s);
        __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), s);
        int8_t *line = w->data + (size_t)panel * (size_t)w->k_padded * AFK_PANEL;
        __m512i sum = _mm512_setzero_si512();
        for (int g = 0; g < groups; g++, line += AFK_PANEL * AFK_KGROUP) {
            __m512i word = _mm512_setzero_si512();
            for (int r = 0; r < AFK_KGROUP; r++) {
                int kk = g * AFK_KGROUP + r;
                if (kk >= k) break; /* rows past k stay 0 */
                __m512i codes = codes_of(_mm512_maskz_loadu_ps(mask, x + (size_t)kk * (size_t)ldx + j0), inv);
                sum = _mm512_add_epi32(sum, codes);
                word = _mm512_or_si512(word, _mm512_slli_epi32(_mm512_and_si512(codes, low_byte), (unsigned)(8 * r)));
            }
            _mm512_store_si512((void *)line, word);
        }
        _mm512_store_si512((void *)(w->col_sum + j0), sum);
    }
    return w;
}
#endif
