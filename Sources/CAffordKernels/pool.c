/* A fixed pool for short parallel-fors. A frame issues ~100 parallel regions, so idle
 * workers first spin on the job word (waking through the kernel each time would cost more
 * than a small GEMM), then sleep on a condition variable.
 *
 * Tasks are claimed from a shared counter, not assigned up front: on a busy machine a
 * preempted thread then delays the run by at most the task it holds, and the caller never
 * waits for a worker that has not started. The counter shares a 64-bit word with the run's
 * generation, so a compare-and-swap claim only succeeds for the run whose job it read. */
#define _GNU_SOURCE /* clock_gettime, CPU affinity */
#include "afford_kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/* How long an idle worker spins before sleeping. */
#define SPIN_NS 200000L
/* Next-task value while the caller rewrites the job: nobody may claim. */
#define JOB_LOCKED 0xFFFFFFFFu

struct afk_pool {
    int threads;
    pthread_t *workers; /* threads - 1 of them */
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic uint64_t job_word; /* generation << 32 | next unclaimed task */
    _Atomic int finished;      /* tasks of the current generation done */
    _Atomic int sleepers;
    _Atomic int stopping;
    /* The current job; valid for the generation in job_word. */
    _Atomic(afk_task_fn) fn;
    _Atomic(void *) ctx;
    _Atomic int tasks;
    /* After afk_pool_pin: the CPU a caller holds between hold and release (-1: none). */
    _Atomic int caller_cpu;
};

typedef struct {
    afk_pool *pool;
    int index;
} worker_start;

static inline uint32_t generation_of(uint64_t word) { return (uint32_t)(word >> 32); }

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

/* Claims and runs tasks of `generation` until none is left (or a newer run started). */
static void claim_and_run(afk_pool *pool, uint32_t generation, int thread) {
    for (;;) {
        uint64_t word = atomic_load_explicit(&pool->job_word, memory_order_acquire);
        if (generation_of(word) != generation) return;
        uint32_t next = (uint32_t)word;
        if (next == JOB_LOCKED) {
            cpu_relax();
            continue;
        }
        afk_task_fn fn = atomic_load_explicit(&pool->fn, memory_order_relaxed);
        void *ctx = atomic_load_explicit(&pool->ctx, memory_order_relaxed);
        int tasks = atomic_load_explicit(&pool->tasks, memory_order_relaxed);
        if (next >= (uint32_t)tasks) return;
        /* Seqlock read side: the job fields above belong to `word` only if the claim succeeds. */
        atomic_thread_fence(memory_order_acquire);
        if (!atomic_compare_exchange_weak_explicit(&pool->job_word, &word, word + 1,
                                                   memory_order_acq_rel, memory_order_relaxed))
            continue;
        fn(ctx, (int)next, thread);
        atomic_fetch_add_explicit(&pool->finished, 1, memory_order_release);
    }
}

static uint32_t wait_for_new_generation(afk_pool *pool, uint32_t seen) {
    long deadline = now_ns() + SPIN_NS;
    for (int spin = 1;; spin++) {
        uint32_t g = generation_of(atomic_load_explicit(&pool->job_word, memory_order_acquire));
        if (g != seen) return g;
        cpu_relax();
        if ((spin & 255) == 0 && now_ns() > deadline) break;
    }
    pthread_mutex_lock(&pool->mutex);
    atomic_fetch_add(&pool->sleepers, 1); /* seq_cst: pairs with publish() */
    uint32_t g;
    while ((g = generation_of(atomic_load(&pool->job_word))) == seen) pthread_cond_wait(&pool->wake, &pool->mutex);
    atomic_fetch_sub(&pool->sleepers, 1);
    pthread_mutex_unlock(&pool->mutex);
    return g;
}

static void *worker_main(void *arg) {
    worker_start start = *(worker_start *)arg;
    free(arg);
    afk_pool *pool = start.pool;
    uint32_t seen = 0;
    for (;;) {
        seen = wait_for_new_generation(pool, seen);
        if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) return NULL;
        claim_and_run(pool, seen, start.index);
    }
}

/* Starts generation + 1 with this job and wakes sleeping workers. Only the caller writes the job. */
static uint32_t publish(afk_pool *pool, afk_task_fn fn, void *ctx, int tasks) {
    uint32_t generation = generation_of(atomic_load_explicit(&pool->job_word, memory_order_relaxed)) + 1;
    uint64_t base = (uint64_t)generation << 32;
    atomic_store_explicit(&pool->job_word, base | JOB_LOCKED, memory_order_relaxed);
    atomic_thread_fence(memory_order_release); /* seqlock write side */
    atomic_store_explicit(&pool->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&pool->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&pool->tasks, tasks, memory_order_relaxed);
    atomic_store_explicit(&pool->finished, 0, memory_order_relaxed);
    atomic_store(&pool->job_word, base); /* seq_cst: pairs with the sleepers count */
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    return generation;
}

afk_pool *afk_pool_create(int threads) {
    if (threads < 1) return NULL;
    afk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    atomic_store(&pool->caller_cpu, -1);
    pool->threads = 1; /* counts started threads until all are up */
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->workers = calloc((size_t)threads, sizeof(pthread_t));
    if (!pool->workers) {
        afk_pool_destroy(pool);
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        worker_start *start = malloc(sizeof *start);
        if (start) *start = (worker_start){pool, i};
        if (!start || pthread_create(&pool->workers[i - 1], NULL, worker_main, start) != 0) {
            free(start);
            afk_pool_destroy(pool);
            return NULL;
        }
        pool->threads = i + 1;
    }
    return pool;
}

void afk_pool_destroy(afk_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stopping, 1);
    publish(pool, NULL, NULL, 0);
    for (int i = 1; i < pool->threads; i++) pthread_join(pool->workers[i - 1], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->workers);
    free(pool);
}

int afk_pool_threads(const afk_pool *pool) { return pool->threads; }

static int pin_thread(pthread_t thread, int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return pthread_setaffinity_np(thread, sizeof one, &one);
}

int afk_thread_cpu(void) { return sched_getcpu(); }

int afk_thread_allowed_cpus(int *cpus, int capacity) {
    cpu_set_t allowed;
    if (pthread_getaffinity_np(pthread_self(), sizeof allowed, &allowed) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (count < capacity) cpus[count] = cpu;
        count++;
    }
    return count;
}

int afk_pool_pin(afk_pool *pool) {
    if (pool->threads < 2) return 0;
    int cpus[CPU_SETSIZE];
    int count = afk_thread_allowed_cpus(cpus, CPU_SETSIZE);
    if (count < pool->threads) return -1;
    for (int i = 1; i < pool->threads; i++)
        if (pin_thread(pool->workers[i - 1], cpus[i]) != 0) return -1;
    atomic_store(&pool->caller_cpu, cpus[0]);
    return 0;
}

/* The calling thread's own affinity while it holds a pool's caller CPU; per thread, so that
 * callers queueing for one pool each get theirs back. */
static _Thread_local struct {
    int depth;
    int restore;
    cpu_set_t saved;
} held;

void afk_pool_hold_caller(afk_pool *pool) {
    int cpu = atomic_load_explicit(&pool->caller_cpu, memory_order_relaxed);
    if (cpu < 0 || held.depth++ > 0) return;
    held.restore = pthread_getaffinity_np(pthread_self(), sizeof held.saved, &held.saved) == 0 &&
                   pin_thread(pthread_self(), cpu) == 0;
}

void afk_pool_release_caller(afk_pool *pool) {
    if (atomic_load_explicit(&pool->caller_cpu, memory_order_relaxed) < 0 || held.depth == 0) return;
    if (--held.depth > 0 || !held.restore) return;
    pthread_setaffinity_np(pthread_self(), sizeof held.saved, &held.saved);
}

void afk_pool_run(afk_pool *pool, int tasks, afk_task_fn fn, void *ctx) {
    if (tasks <= 0) return;
    if (pool->threads == 1 || tasks == 1) {
        for (int t = 0; t < tasks; t++) fn(ctx, t, 0);
        return;
    }
    claim_and_run(pool, publish(pool, fn, ctx, tasks), 0);
    for (int spin = 1; atomic_load_explicit(&pool->finished, memory_order_acquire) < tasks; spin++) {
        cpu_relax();
        if ((spin & 1023) == 0) sched_yield(); /* a preempted worker holds the last task */
    }
}
