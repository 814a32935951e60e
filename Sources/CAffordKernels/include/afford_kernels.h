/*
 * afford_kernels: the int8 GEMM and its helpers behind affordd's engine.
 *
 * Every optimised kernel has a portable twin with the same contract; the
 * engine picks one variant at start-up from afk_detect_isa() and tests check
 * each variant against the portable one.
 *
 * Conventions
 *   A  activations, M x K, row-major, quantized per row (token) to u8 with a
 *      zero point: x[i][k] ~= a_scale[i] * (q[i][k] - a_zero[i]).
 *   B  weights, N x K, row-major (PyTorch/HF Linear layout [out][in]),
 *      symmetric s8 per output channel: w[j][k] ~= w_scale[j] * b[j][k].
 *   C  f32 output, M x N:
 *      C[i][j] = a_scale[i] * w_scale[j] * sum_k (q[i][k] - a_zero[i]) * b[j][k] + bias[j]
 */
#ifndef AFFORD_KERNELS_H
#define AFFORD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Each CPU family's variants in increasing order: portable < avx2 < avx_vnni < avx512_vnni on
 * x86-64, portable < neon < neon_dotprod on ARM64. A CPU never runs the other family's. */
typedef enum afk_isa {
    AFK_ISA_PORTABLE = 0,
    AFK_ISA_AVX2 = 1,
    AFK_ISA_AVX_VNNI = 2,
    AFK_ISA_AVX512_VNNI = 3,
    AFK_ISA_NEON = 4,
    AFK_ISA_NEON_DOTPROD = 5,
} afk_isa;

/* The best variant this CPU runs. AFFORDD_ISA=portable|avx2|avx_vnni|avx512_vnni|neon|neon_dotprod
 * overrides (downwards only). */
afk_isa afk_detect_isa(void);
/* The best variant this CPU runs at or below the one named by `cap` (NULL or an unknown name: no cap). */
afk_isa afk_detect_isa_capped(const char *cap);
/* Whether this CPU (and this build) can run `isa`. */
int afk_isa_supported(afk_isa isa);
const char *afk_isa_name(afk_isa isa);

/* ---- weights ------------------------------------------------------------ */

/* Opaque, ISA-independent packed weights (B plus column sums), built once at load. */
typedef struct afk_packed_weights afk_packed_weights;

/* Packs N x K s8 weights (any N >= 1, 1 <= K <= 65536 so int32 sums cannot overflow).
 * Returns NULL on bad sizes or allocation failure. */
afk_packed_weights *afk_pack_weights(const int8_t *b, int n, int k);
/* Bytes afk_pack_weights_into needs for N x K weights; 0 on bad sizes. */
size_t afk_packed_weights_size(int n, int k);
/* afk_pack_weights into a caller's 64-byte-aligned buffer of at least afk_packed_weights_size
 * bytes, for weights packed every frame: no allocation. The result lives in `buffer` (freeing
 * it is a no-op). NULL on bad sizes, a small or misaligned buffer. */
afk_packed_weights *afk_pack_weights_into(const int8_t *b, int n, int k, void *buffer, size_t bytes);
/* Weights that change every frame (attention's K and V), quantized and packed in one pass into
 * a buffer as afk_pack_weights_into takes: each weights column j is quantized symmetric to s8,
 * scale[j] = max |x_j| / 127 (1 for an all-zero column), code = clamp(rint(x * (1 / scale)),
 * -127, 127). _rows reads column j from row j of x (N x K, row stride ldx >= K); _columns reads it
 * from column j of x (K x N, row stride ldx >= N). Every ISA gives identical blocks and scales.
 * NULL where afk_pack_weights_into would be, without x or scale, or with ldx below the row length. */
afk_packed_weights *afk_pack_quantized_rows(afk_isa isa, const float *x, int n, int k, int ldx,
                                            float *scale, void *buffer, size_t bytes);
afk_packed_weights *afk_pack_quantized_columns(afk_isa isa, const float *x, int k, int n, int ldx,
                                               float *scale, void *buffer, size_t bytes);
void afk_packed_weights_free(afk_packed_weights *w);
int afk_packed_weights_n(const afk_packed_weights *w);
int afk_packed_weights_k(const afk_packed_weights *w);

/* ---- activations -------------------------------------------------------- */

/* Per-row asymmetric u8 quantization of x (M x K, row stride ldx) into q (row stride ldq).
 * The range [min, max] is widened to include 0, so 0.0 maps exactly to a_zero; scale =
 * range / 255 (1 for an all-zero row); q = clamp(rint(x / scale) + a_zero, 0, 255), with
 * x / scale computed as x * (1 / scale). Every variant gives identical q, scales and zeros. */
void afk_quantize_rows_u8(afk_isa isa, const float *x, int m, int k, int ldx,
                          uint8_t *q, int ldq, float *a_scale, int32_t *a_zero);

/* ---- GEMM --------------------------------------------------------------- */

/*
 * C = dequant(A . B^T) + bias over the column range [n_begin, n_end)
 * (callers split N across threads; bounds on multiples of 64 keep every thread on whole
 * register tiles). bias may be NULL. Columns outside the range are not written. Every
 * variant returns bit-identical results (exact int32 sums, one float epilogue order).
 */
void afk_gemm_u8s8_f32(afk_isa isa, int m, int n_begin, int n_end,
                       const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                       const afk_packed_weights *w, const float *w_scale, const float *bias,
                       float *c, int ldc);

/* The same GEMM added into C, each column scaled: C[i][j] += c_scale[j] * result[i][j] (a
 * multiply, then an add), for the LayerScale residual that ends a transformer block's
 * attention and MLP: the result never makes a round trip through memory. */
void afk_gemm_u8s8_f32_accumulate(afk_isa isa, int m, int n_begin, int n_end,
                                  const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                                  const afk_packed_weights *w, const float *w_scale, const float *bias,
                                  const float *c_scale, float *c, int ldc);

/* The plain reference: unpacked B, no SIMD, no blocking. The oracle for every variant. */
void afk_gemm_u8s8_f32_ref(int m, int n, int k,
                           const uint8_t *a, int lda, const float *a_scale, const int32_t *a_zero,
                           const int8_t *b, int ldb, const float *w_scale, const float *bias,
                           float *c, int ldc);

/* ---- threads ------------------------------------------------------------ */

/* A fixed pool of worker threads that run one parallel-for at a time (one caller at a time).
 * Tasks are claimed dynamically; `thread` in [0, threads) names the thread running a task
 * (0 is the caller), for per-thread scratch. Give a few tasks per thread for balance. */
typedef struct afk_pool afk_pool;
typedef void (*afk_task_fn)(void *ctx, int task, int thread);

/* threads >= 1 (the caller's thread counts as one). NULL on failure. */
afk_pool *afk_pool_create(int threads);
void afk_pool_destroy(afk_pool *pool);
int afk_pool_threads(const afk_pool *pool);
/* Runs fn(ctx, t, thread) for t in [0, tasks) across the pool; returns when all are done. */
void afk_pool_run(afk_pool *pool, int tasks, afk_task_fn fn, void *ctx);
/* Pins worker i to the i-th CPU this process may run on and keeps the first for callers
 * (afk_pool_hold_caller). For a real-time caller on few cores: a worker woken from sleep was
 * otherwise often placed on the caller's core, and the frame then took twice as long. 0 on
 * success (and for a one-thread pool, which pins nothing); -1 where the process may use fewer
 * CPUs than the pool has threads or the system refuses, with the workers maybe partly pinned
 * and no CPU kept for callers. Call it before the pool's first run. */
int afk_pool_pin(afk_pool *pool);
/* For a pinned pool, moves the calling thread onto the callers' CPU until the matching
 * afk_pool_release_caller gives it back the CPUs it had; calls nest. Meant around a frame's
 * runs rather than each run: threads the caller starts outside keep their affinity, and two
 * system calls a frame cost nothing. No-ops for an unpinned pool. */
void afk_pool_hold_caller(afk_pool *pool);
void afk_pool_release_caller(afk_pool *pool);
/* The CPU the calling thread runs on now (-1 if unknown); the CPUs it may run on, ascending,
 * at most `capacity` of them written, their count returned (-1 on error). For diagnostics. */
int afk_thread_cpu(void);
int afk_thread_allowed_cpus(int *cpus, int capacity);

/* ---- benchmark support -------------------------------------------------- */

/*
 * Single-thread throughput of the variant's multiply-accumulate instruction (vpdpbusd; vpmaddwd
 * for AVX2, smlal for NEON, sdot for NEON dot product) on independent registers, in int8
 * ops/s / 1e9 (2 ops per multiply-add): the ceiling GEMM rates are quoted against. Best of several short bursts; 0 for portable.
 */
double afk_dot_peak_gops(afk_isa isa);

#ifdef __cplusplus
}
#endif
#endif
