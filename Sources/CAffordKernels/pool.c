/* A fixed pool for short parallel-fors. Workers spin briefly on a generation counter (a frame
 * issues ~100 parallel regions, so waking through the kernel each time would cost more than
 * the small GEMMs), then sleep on a condition variable. Tasks are assigned statically:
 * thread t runs tasks t, t + threads, ...; the calling thread is thread 0. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "afford_kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/* How long an idle worker spins before sleeping. */
#define SPIN_NS 200000L

struct afk_pool {
    int threads;
    pthread_t *workers; /* threads - 1 of them */
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic unsigned generation; /* bumped once per run; workers wait for a change */
    _Atomic int pending;         /* workers still running the current generation */
    _Atomic int sleepers;
    _Atomic int stopping;
    /* The current run; written before `generation` is bumped. */
    afk_task_fn fn;
    void *ctx;
    int tasks;
};

typedef struct {
    afk_pool *pool;
    int index;
} worker_start;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void run_share(afk_pool *pool, int thread) {
    for (int t = thread; t < pool->tasks; t += pool->threads) pool->fn(pool->ctx, t, thread);
}

static unsigned wait_for_generation(afk_pool *pool, unsigned seen) {
    long deadline = now_ns() + SPIN_NS;
    for (int spin = 1;; spin++) {
        unsigned g = atomic_load_explicit(&pool->generation, memory_order_acquire);
        if (g != seen) return g;
        cpu_relax();
        if ((spin & 255) == 0 && now_ns() > deadline) break;
    }
    pthread_mutex_lock(&pool->mutex);
    atomic_fetch_add(&pool->sleepers, 1);
    unsigned g;
    while ((g = atomic_load(&pool->generation)) == seen) pthread_cond_wait(&pool->wake, &pool->mutex);
    atomic_fetch_sub(&pool->sleepers, 1);
    pthread_mutex_unlock(&pool->mutex);
    return g;
}

static void *worker_main(void *arg) {
    worker_start start = *(worker_start *)arg;
    free(arg);
    afk_pool *pool = start.pool;
    unsigned seen = 0;
    for (;;) {
        seen = wait_for_generation(pool, seen);
        if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) return NULL;
        run_share(pool, start.index);
        atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_release);
    }
}

/* Publishes a new generation and wakes any worker that went to sleep. */
static void bump_generation(afk_pool *pool) {
    atomic_fetch_add(&pool->generation, 1); /* seq_cst: pairs with the sleepers count */
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
}

afk_pool *afk_pool_create(int threads) {
    if (threads < 1) return NULL;
    afk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->workers = calloc((size_t)threads, sizeof(pthread_t));
    if (!pool->workers) goto fail;
    for (int i = 1; i < threads; i++) {
        worker_start *start = malloc(sizeof *start);
        if (!start) goto fail_threads;
        *start = (worker_start){pool, i};
        if (pthread_create(&pool->workers[i - 1], NULL, worker_main, start) != 0) {
            free(start);
            goto fail_threads;
        }
        continue;
    fail_threads:
        pool->threads = i; /* only the workers started so far get joined */
        afk_pool_destroy(pool);
        return NULL;
    }
    return pool;
fail:
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool);
    return NULL;
}

void afk_pool_destroy(afk_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stopping, 1);
    bump_generation(pool);
    for (int i = 1; i < pool->threads; i++) pthread_join(pool->workers[i - 1], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->workers);
    free(pool);
}

int afk_pool_threads(const afk_pool *pool) { return pool->threads; }

void afk_pool_run(afk_pool *pool, int tasks, afk_task_fn fn, void *ctx) {
    if (tasks <= 0) return;
    if (pool->threads == 1 || tasks == 1) {
        for (int t = 0; t < tasks; t++) fn(ctx, t, 0);
        return;
    }
    pool->fn = fn;
    pool->ctx = ctx;
    pool->tasks = tasks;
    atomic_store_explicit(&pool->pending, pool->threads - 1, memory_order_relaxed);
    bump_generation(pool);
    run_share(pool, 0);
    for (int spin = 1; atomic_load_explicit(&pool->pending, memory_order_acquire) > 0; spin++) {
        cpu_relax();
        if ((spin & 1023) == 0) sched_yield(); /* a worker may have been preempted on a busy machine */
    }
}
