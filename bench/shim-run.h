/* SPDX-License-Identifier: MIT */
/*
 * What the programs run under the shim (bench/shim.c) share: the raw
 * calls every method is compared with, the clock, and the shuffled order
 * and medians of interleaved rounds. Static inline: the raw sequence is
 * the baseline, and a call around it would change what it measures.
 */
#ifndef DMAHEAP_BENCH_SHIM_RUN_H
#define DMAHEAP_BENCH_SHIM_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SHIM_RUN_SIZE 4096

/*
 * Put after an operation's last call (the close, or dmaheap_buf_free()),
 * so that it is not a tail call. A tail call saves the return into the
 * caller after that call's system call, which costs a mispredicted return
 * on machines whose kernel refills the return predictor (BENCHMARKS.md,
 * "Where the time goes"). The compiler makes one where the caller's code
 * allows it: after dmaheap_alloc_fd(), but not after dmaheap_alloc(),
 * whose buffer pointer's address the caller passed. The raw sequence's
 * close is not one either, so no method gets it.
 */
static inline void shim_run_no_tail_call(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* The raw DMA_HEAP_IOCTL_ALLOC of 4 KiB from @heap_fd, then, when @name,
 * DMA_BUF_SET_NAME with the heap's name as auto-naming does, then close.
 * Returns 0 or -errno. */
static inline int shim_run_raw(int heap_fd, bool name)
{
	struct dma_heap_allocation_data d = {
		.len = SHIM_RUN_SIZE, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		return -errno;
	if (name && ioctl((int)d.fd, DMA_BUF_SET_NAME, "system") < 0) {
		int err = -errno;

		close((int)d.fd);
		return err;
	}
	close((int)d.fd);
	return 0;
}

static inline double shim_run_clock_ns(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static inline double shim_run_now_ns(void)
{
	return shim_run_clock_ns(CLOCK_MONOTONIC);
}

static inline int shim_run_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @v's @n values; sorts @v. */
static inline double shim_run_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), shim_run_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A new order for a round (Fisher-Yates, from @seed). */
static inline void shim_run_shuffle(int *v, int n, unsigned int *seed)
{
	for (int i = n - 1; i > 0; i--) {
		int j = rand_r(seed) % (i + 1), t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/*
 * @rounds rounds of methods 0 to @n - 1, after @warmup rounds not kept:
 * each round in a new order, each method's @batch operations timed
 * together; @t[m * rounds + r] receives the ns per operation of method m
 * in round r. Always inline, so that @op is called directly, as a loop
 * written in place would call it. Returns -1 out of memory.
 */
static inline __attribute__((always_inline)) int
shim_run_rounds(double *t, int n, int rounds, int warmup, int batch,
		void (*op)(int))
{
	int *order = malloc((size_t)n * sizeof(*order));
	unsigned int seed = 1;

	if (!order)
		return -1;
	for (int m = 0; m < n; m++)
		order[m] = m;
	for (int r = -warmup; r < rounds; r++) {
		shim_run_shuffle(order, n, &seed);
		for (int k = 0; k < n; k++) {
			double start = shim_run_now_ns();

			for (int i = 0; i < batch; i++)
				op(order[k]);
			if (r >= 0)
				t[order[k] * rounds + r] =
					(shim_run_now_ns() - start) / batch;
		}
	}
	free(order);
	return 0;
}

#endif
