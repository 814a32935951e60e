/* The int8 kernels on ARM64, where the Swift tests cannot run here: built for aarch64 and run
 * under qemu by scripts/check-arm64.sh. Every variant this CPU runs must equal the plain
 * reference GEMM bit for bit, as KernelGemmTests asks on x86-64.
 *
 * usage: kernels_check [--expect ISA]   (ISA: the variant afk_detect_isa must pick) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afford_kernels.h"

/* The expected accumulation is a multiply, then an add, as the kernels do: never one FMA. */
#pragma STDC FP_CONTRACT OFF

static int failures = 0;

#define CHECK(cond, ...)                            \
    do {                                            \
        if (!(cond)) {                              \
            failures++;                             \
            fprintf(stderr, "FAIL: " __VA_ARGS__);  \
            fputc('\n', stderr);                    \
        }                                           \
    } while (0)

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint32_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)(next_random() & 0xFFFFFF) / 16777216.0f; }

/* Written where a call must not write: outside its column range, in the ldc padding. */
static const float untouched = -12345.0f;

typedef struct {
    int m, n, k, lda, ldc;
    uint8_t *a;
    float *a_scale, *w_scale, *bias, *c_scale;
    int32_t *a_zero;
    int8_t *b;
} problem;

static problem make_problem(int m, int n, int k) {
    problem p = {m, n, k, k + 3, n + 5, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    p.a = malloc((size_t)m * (size_t)p.lda);
    p.a_scale = malloc(sizeof(float) * (size_t)m);
    p.a_zero = malloc(sizeof(int32_t) * (size_t)m);
    p.b = malloc((size_t)n * (size_t)k);
    p.w_scale = malloc(sizeof(float) * (size_t)n);
    p.bias = malloc(sizeof(float) * (size_t)n);
    p.c_scale = malloc(sizeof(float) * (size_t)n);
    if (!p.a || !p.a_scale || !p.a_zero || !p.b || !p.w_scale || !p.bias || !p.c_scale) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (int i = 0; i < m * p.lda; i++) p.a[i] = (uint8_t)next_random();
    for (int i = 0; i < m; i++) {
        p.a_scale[i] = uniform(0.001f, 0.1f);
        p.a_zero[i] = (int32_t)(next_random() % 256);
    }
    for (int i = 0; i < n * k; i++) p.b[i] = (int8_t)next_random();
    for (int j = 0; j < n; j++) {
        p.w_scale[j] = uniform(0.001f, 0.05f);
        p.bias[j] = uniform(-2, 2);
        p.c_scale[j] = uniform(0.01f, 2);
    }
    return p;
}

static void free_problem(problem *p) {
    free(p->a), free(p->a_scale), free(p->a_zero), free(p->b), free(p->w_scale), free(p->bias), free(p->c_scale);
}

/* Differences from the reference over columns [n_begin, n_end), and writes outside them. With
 * `accumulate`, the call adds c_scale times its result into C (which starts `untouched`). */
static int compare(const problem *p, afk_isa isa, const afk_packed_weights *w, int n_begin, int n_end, int with_bias,
                   int accumulate) {
    size_t cells = (size_t)p->m * (size_t)p->ldc;
    float *want = malloc(sizeof(float) * cells), *got = malloc(sizeof(float) * cells);
    if (!want || !got) exit(2);
    const float *bias = with_bias ? p->bias : NULL;
    afk_gemm_u8s8_f32_ref(p->m, p->n, p->k, p->a, p->lda, p->a_scale, p->a_zero, p->b, p->k, p->w_scale, bias,
                          want, p->ldc);
    for (size_t i = 0; i < cells; i++) got[i] = untouched;
    if (accumulate) {
        afk_gemm_u8s8_f32_accumulate(isa, p->m, n_begin, n_end, p->a, p->lda, p->a_scale, p->a_zero, w, p->w_scale,
                                     bias, p->c_scale, got, p->ldc);
        for (int i = 0; i < p->m; i++)
            for (int j = n_begin; j < n_end; j++) {
                size_t at = (size_t)i * (size_t)p->ldc + (size_t)j;
                float product = p->c_scale[j] * want[at];
                want[at] = untouched + product;
            }
    } else {
        afk_gemm_u8s8_f32(isa, p->m, n_begin, n_end, p->a, p->lda, p->a_scale, p->a_zero, w, p->w_scale, bias, got,
                          p->ldc);
    }
    int bad = 0;
    for (int i = 0; i < p->m; i++) {
        for (int j = 0; j < p->ldc; j++) {
            size_t at = (size_t)i * (size_t)p->ldc + (size_t)j;
            int inside = j >= n_begin && j < n_end;
            if (inside ? memcmp(&got[at], &want[at], sizeof(float)) != 0 : got[at] != untouched) bad++;
        }
    }
    free(want), free(got);
    return bad;
}

static void check_gemm(afk_isa isa) {
    static const int rows[] = {1, 3, 6, 17, 33}, columns[] = {1, 5, 31, 33, 100, 384},
                     depths[] = {1, 3, 5, 7, 16, 17, 64, 588, 1536};
    int problems = 0;
    for (size_t mi = 0; mi < sizeof rows / sizeof *rows; mi++)
        for (size_t ni = 0; ni < sizeof columns / sizeof *columns; ni++)
            for (size_t ki = 0; ki < sizeof depths / sizeof *depths; ki++) {
                problem p = make_problem(rows[mi], columns[ni], depths[ki]);
                afk_packed_weights *w = afk_pack_weights(p.b, p.n, p.k);
                if (!w) exit(2);
                int sub_begin = p.n / 3, sub_end = p.n - p.n / 4 > sub_begin + 1 ? p.n - p.n / 4 : sub_begin + 1;
                int bad = compare(&p, isa, w, 0, p.n, 1, 0) + compare(&p, isa, w, sub_begin, sub_end, 0, 0)
                          + compare(&p, isa, w, 0, p.n, 1, 1) + compare(&p, isa, w, sub_begin, sub_end, 0, 1);
                CHECK(bad == 0, "%s m=%d n=%d k=%d: %d cells differ from the reference", afk_isa_name(isa), p.m, p.n,
                      p.k, bad);
                afk_packed_weights_free(w);
                free_problem(&p);
                problems++;
            }
    printf("%s: %d GEMM problems equal the reference bit for bit\n", afk_isa_name(isa), problems);
}

/* The largest sums: every activation 255 against weights of 127 or -128. */
static void check_extremes(afk_isa isa) {
    enum { M = 3, N = 20, K = 1536 };
    static uint8_t a[M * K];
    static int8_t b[N * K];
    float a_scale[M], w_scale[N], c[M * N];
    int32_t a_zero[M];
    memset(a, 255, sizeof a);
    for (int i = 0; i < N * K; i++) b[i] = (i / K) % 2 == 0 ? 127 : -128;
    for (int i = 0; i < M; i++) a_scale[i] = 1, a_zero[i] = 0;
    for (int j = 0; j < N; j++) w_scale[j] = 1;
    afk_packed_weights *w = afk_pack_weights(b, N, K);
    if (!w) exit(2);
    afk_gemm_u8s8_f32(isa, M, 0, N, a, K, a_scale, a_zero, w, w_scale, NULL, c, N);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float want = (float)(255 * K * (j % 2 == 0 ? 127 : -128));
            CHECK(c[i * N + j] == want, "%s extremes row %d column %d: %g, want %g", afk_isa_name(isa), i, j,
                  (double)c[i * N + j], (double)want);
        }
    afk_packed_weights_free(w);
}

/* Weights packed every frame into one reused buffer full of garbage, as attention does. */
static void check_reused_buffer(afk_isa isa) {
    static _Alignas(64) unsigned char buffer[1 << 20];
    memset(buffer, 0xA5, sizeof buffer);
    static const int shapes[][3] = {{17, 33, 64}, {5, 100, 7}, {33, 31, 588}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        problem p = make_problem(shapes[s][0], shapes[s][1], shapes[s][2]);
        afk_packed_weights *w = afk_pack_weights_into(p.b, p.n, p.k, buffer, sizeof buffer);
        CHECK(w != NULL, "packing %dx%d into the reused buffer failed", p.n, p.k);
        if (w) CHECK(compare(&p, isa, w, 0, p.n, 1, 0) == 0, "%s reused buffer, shape %zu", afk_isa_name(isa), s);
        free_problem(&p);
    }
}

/* Attention's K and V, quantized and packed in one pass. With every weights column's peak at
 * 127 (and no -128), x = b / 2 quantizes back to b exactly (scale 0.5): the GEMM must equal b's reference. */
static void check_quantized_packing(afk_isa isa) {
    static _Alignas(64) unsigned char buffer[1 << 20];
    static const int shapes[][3] = {{17, 257, 64}, {17, 64, 257}, {5, 5, 7}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        for (int by_columns = 0; by_columns < 2; by_columns++) {
            memset(buffer, 0xA5, sizeof buffer);
            problem p = make_problem(shapes[s][0], shapes[s][1], shapes[s][2]);
            float *x = malloc(sizeof(float) * (size_t)p.n * (size_t)p.k), *scale = malloc(sizeof(float) * (size_t)p.n);
            if (!x || !scale) exit(2);
            for (int j = 0; j < p.n; j++) {
                p.b[(size_t)j * (size_t)p.k] = 127;
                for (int kk = 0; kk < p.k; kk++) {
                    int8_t *code = &p.b[(size_t)j * (size_t)p.k + (size_t)kk];
                    if (*code == -128) *code = -127;
                    x[by_columns ? (size_t)kk * (size_t)p.n + (size_t)j : (size_t)j * (size_t)p.k + (size_t)kk] =
                        (float)*code * 0.5f;
                }
            }
            afk_packed_weights *w = by_columns ? afk_pack_quantized_columns(isa, x, p.k, p.n, p.n, scale, buffer, sizeof buffer)
                                               : afk_pack_quantized_rows(isa, x, p.n, p.k, p.k, scale, buffer, sizeof buffer);
            CHECK(w != NULL, "quantized packing of %dx%d failed", p.n, p.k);
            int scales_right = 1;
            for (int j = 0; j < p.n; j++) scales_right &= scale[j] == 0.5f;
            CHECK(scales_right, "%s quantized packing %dx%d: wrong scales", afk_isa_name(isa), p.n, p.k);
            if (w) CHECK(compare(&p, isa, w, 0, p.n, 1, 0) == 0, "%s quantized packing %dx%d (%s) differs", afk_isa_name(isa),
                         p.n, p.k, by_columns ? "columns" : "rows");
            free(x), free(scale);
            free_problem(&p);
        }
    }
}

static void check_quantize(afk_isa isa) {
    enum { M = 5, K = 37 };
    float x[M * K], scale_want[M], scale_got[M];
    uint8_t q_want[M * K], q_got[M * K];
    int32_t zero_want[M], zero_got[M];
    for (int i = 0; i < M * K; i++) x[i] = uniform(-3, 5) * (i % 7 == 0 ? 10 : 1);
    afk_quantize_rows_u8(AFK_ISA_PORTABLE, x, M, K, K, q_want, K, scale_want, zero_want);
    afk_quantize_rows_u8(isa, x, M, K, K, q_got, K, scale_got, zero_got);
    CHECK(memcmp(q_want, q_got, sizeof q_want) == 0 && memcmp(scale_want, scale_got, sizeof scale_want) == 0 &&
              memcmp(zero_want, zero_got, sizeof zero_want) == 0,
          "%s quantization differs from portable", afk_isa_name(isa));
}

static void add_task(void *ctx, int task, int thread) {
    (void)thread;
    __atomic_fetch_add((long *)ctx, task + 1, __ATOMIC_RELAXED);
}

/* The pool spins with ARM64's yield hint; every task must still run exactly once. */
static void check_pool(void) {
    afk_pool *pool = afk_pool_create(3);
    CHECK(pool != NULL, "pool creation failed");
    if (!pool) return;
    for (int round = 0; round < 50; round++) {
        long sum = 0;
        afk_pool_run(pool, 100, add_task, &sum);
        CHECK(sum == 5050, "pool round %d: sum %ld, want 5050", round, sum);
    }
    afk_pool_destroy(pool);
    printf("pool: 50 rounds of 100 tasks on 3 threads\n");
}

int main(int argc, char **argv) {
    const char *expect = argc == 3 && strcmp(argv[1], "--expect") == 0 ? argv[2] : NULL;
    if (argc != 1 && !expect) {
        fprintf(stderr, "usage: %s [--expect ISA]\n", argv[0]);
        return 2;
    }
    afk_isa detected = afk_detect_isa();
    printf("detected: %s\n", afk_isa_name(detected));
    if (expect) CHECK(strcmp(afk_isa_name(detected), expect) == 0, "detected %s, expected %s", afk_isa_name(detected), expect);
    for (int isa = AFK_ISA_PORTABLE; isa <= AFK_ISA_NEON_DOTPROD; isa++) {
        if (!afk_isa_supported((afk_isa)isa)) continue;
        check_gemm((afk_isa)isa);
        check_extremes((afk_isa)isa);
        check_reused_buffer((afk_isa)isa);
        check_quantize((afk_isa)isa);
        check_quantized_packing((afk_isa)isa);
    }
    check_pool();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("all kernel checks passed\n");
    return 0;
}
