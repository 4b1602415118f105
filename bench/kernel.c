/* SPDX-License-Identifier: MIT */
/*
 * Latency on the real kernel: every method once per round, rounds repeated,
 * one size after another; then throughput with 1, 2 and 8 threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"

enum method {
	RAW_ALLOC,
	RAW_ALLOC_NAME,
	LIB_ALLOC,
	LIB_ALLOC_NONAME,
	LIB_ALLOC_FD,
	POOL_HIT,
	POOL_STEADY,
	FIRST_MAP,
	REPEAT_MAP,
	BUF_SYNC,
	RAW_SYNC,
	NMETHODS
};

static const char *const method_names[NMETHODS] = {
	[RAW_ALLOC] = "raw_alloc_close",
	[RAW_ALLOC_NAME] = "raw_alloc_name_close",
	[LIB_ALLOC] = "lib_alloc_free",
	[LIB_ALLOC_NONAME] = "lib_alloc_free_noname",
	[LIB_ALLOC_FD] = "lib_alloc_fd_close",
	[POOL_HIT] = "pool_hit_alloc_free",
	[POOL_STEADY] = "pool_hit_steady",
	[FIRST_MAP] = "first_map_unmap",
	[REPEAT_MAP] = "repeat_map_unmap",
	[BUF_SYNC] = "buf_begin_end",
	[RAW_SYNC] = "raw_fd_sync_start_end",
};

struct kstate {
	const char *heap;
	int heap_fd;
	struct dmaheap_ctx *plain; /* pool off */
	struct dmaheap_ctx *pooled;
	size_t size;
	struct dmaheap_buf *unmapped; /* first map: never mapped between ops */
	struct dmaheap_buf *held;     /* repeat map and sync: mapped once */
	int raw_fd;                   /* raw sync */
};

static void die(const char *what, int err)
{
	fprintf(stderr, "dmaheap-bench: %s: %s\n", what,
		dmaheap_strerror(err));
	exit(1);
}

static void check(const char *what, int r)
{
	if (r < 0)
		die(what, r);
}

static int raw_alloc(int heap_fd, size_t size)
{
	struct dma_heap_allocation_data d = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		die("DMA_HEAP_IOCTL_ALLOC", -errno);
	return (int)d.fd;
}

static void run_method(struct kstate *k, enum method m)
{
	struct dmaheap_buf *buf = NULL;
	void *p;
	int fd;

	switch (m) {
	case RAW_ALLOC:
		close(raw_alloc(k->heap_fd, k->size));
		break;
	case RAW_ALLOC_NAME:
		fd = raw_alloc(k->heap_fd, k->size);
		if (ioctl(fd, DMA_BUF_SET_NAME, k->heap) < 0)
			die("DMA_BUF_SET_NAME", -errno);
		close(fd);
		break;
	case LIB_ALLOC:
	case LIB_ALLOC_NONAME:
		check("dmaheap_alloc",
		      dmaheap_alloc(k->plain, k->heap, k->size,
				    m == LIB_ALLOC ? 0 : DMAHEAP_ALLOC_NO_NAME,
				    &buf));
		dmaheap_buf_free(buf);
		break;
	case LIB_ALLOC_FD:
		fd = dmaheap_alloc_fd(k->plain, k->heap, k->size, 0);
		check("dmaheap_alloc_fd", fd);
		close(fd);
		break;
	case POOL_HIT:
	case POOL_STEADY:
		check("dmaheap_alloc (pool)",
		      dmaheap_alloc(k->pooled, k->heap, k->size, 0, &buf));
		dmaheap_buf_free(buf);
		break;
	case FIRST_MAP:
		check("dmaheap_buf_map", dmaheap_buf_map(k->unmapped, &p));
		check("dmaheap_buf_unmap", dmaheap_buf_unmap(k->unmapped));
		break;
	case REPEAT_MAP:
		check("dmaheap_buf_map", dmaheap_buf_map(k->held, &p));
		check("dmaheap_buf_unmap", dmaheap_buf_unmap(k->held));
		break;
	case BUF_SYNC:
		check("begin", dmaheap_buf_begin_cpu_access(k->held,
							    DMAHEAP_ACCESS_RW));
		check("end", dmaheap_buf_end_cpu_access(k->held,
							DMAHEAP_ACCESS_RW));
		break;
	case RAW_SYNC:
		check("sync_start", dmaheap_sync_start(k->plain, k->raw_fd,
						       DMAHEAP_ACCESS_RW));
		check("sync_end", dmaheap_sync_end(k->plain, k->raw_fd,
						   DMAHEAP_ACCESS_RW));
		break;
	case NMETHODS:
		break;
	}
}

/* Fewer rounds where one fresh allocation costs milliseconds (TCG zeroes
 * 32 MiB in about 140 ms); at 4 KiB the issue asks for at least 2000. */
static unsigned int rounds_for(size_t size, double scale)
{
	unsigned int r;

	if (size <= 4096)
		r = 2000;
	else if (size <= 65536)
		r = 600;
	else if (size <= (1u << 20))
		r = 150;
	else if (size <= (4u << 20))
		r = 50;
	else if (size <= (16u << 20))
		r = 20;
	else
		r = 10;
	r = (unsigned int)(r * scale);
	return r < 5 ? 5 : r;
}

static void size_setup(struct kstate *k, size_t size)
{
	void *p;

	k->size = size;
	check("alloc", dmaheap_alloc(k->plain, k->heap, size, 0, &k->unmapped));
	check("alloc", dmaheap_alloc(k->plain, k->heap, size, 0, &k->held));
	check("map", dmaheap_buf_map(k->held, &p));
	k->raw_fd = raw_alloc(k->heap_fd, size);
	/* The hit path needs one cached buffer of this size. */
	check("prewarm", dmaheap_pool_prewarm(k->pooled, k->heap, size, 1, 0));
}

static void size_teardown(struct kstate *k)
{
	dmaheap_buf_unmap(k->held);
	dmaheap_buf_free(k->held);
	dmaheap_buf_free(k->unmapped);
	close(k->raw_fd);
	dmaheap_pool_trim(k->pooled, DMAHEAP_POOL_TRIM_ALL);
}

static void report_size(struct bench_report *r, struct bench_series *s)
{
	const struct bench_series *raw = &s[RAW_ALLOC_NAME];

	printf("%9zu", s[0].size);
	for (int m = 0; m < NMETHODS; m++) {
		bench_series_finish(&s[m]);
		printf(" %11.1f", s[m].median / 1000.0);
		report_entry(r,
			     "{\"size\": %zu, \"method\": \"%s\", \"rounds\": %zu, "
			     "\"median_us\": %.3f, \"p10_us\": %.3f, \"p90_us\": %.3f}",
			     s[m].size, s[m].method, s[m].n, s[m].median / 1000.0,
			     s[m].p10 / 1000.0, s[m].p90 / 1000.0);
	}
	printf("   lib/raw+name %.3f  fresh/pool %.0f (steady %.0f)\n",
	       s[LIB_ALLOC].median / raw->median,
	       s[LIB_ALLOC].median / s[POOL_HIT].median,
	       s[LIB_ALLOC].median / s[POOL_STEADY].median);
	fflush(stdout);
}

/* A new order of the methods for each round: under TCG an operation pays
 * for what the one before it did (a fresh 32 MiB allocation and its close
 * flush the emulated TLB and the host's caches), so no method may always
 * follow the same one. */
static void shuffle(enum method *order, uint32_t *seed)
{
	for (int i = NMETHODS - 1; i > 0; i--) {
		int j;
		enum method t;

		*seed = *seed * 1103515245u + 12345u;
		j = (int)((*seed >> 16) % (uint32_t)(i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

/* One timed operation of @m. pool_hit_steady is a pool hit right after
 * another (untimed) one: what a pipeline recycling its buffers sees, not
 * what a hit costs after another method's fresh allocation. */
static double timed(struct kstate *k, enum method m)
{
	uint64_t t0;

	if (m == POOL_STEADY)
		run_method(k, POOL_HIT);
	t0 = bench_now_ns();
	run_method(k, m);
	return (double)(bench_now_ns() - t0);
}

static void bench_size(struct kstate *k, size_t size, double scale,
		       struct bench_series *all)
{
	unsigned int rounds = rounds_for(size, scale);
	enum method order[NMETHODS];
	uint32_t seed = 1;

	size_setup(k, size);
	for (int m = 0; m < NMETHODS; m++) {
		all[m].method = method_names[m];
		all[m].size = size;
	}
	/* A few rounds untimed: first-touch costs are not the steady state. */
	for (unsigned int i = 0; i < 3; i++)
		for (int m = 0; m < NMETHODS; m++)
			run_method(k, (enum method)m);
	for (int m = 0; m < NMETHODS; m++)
		order[m] = (enum method)m;
	for (unsigned int i = 0; i < rounds; i++) {
		shuffle(order, &seed);
		for (int m = 0; m < NMETHODS; m++)
			bench_series_add(&all[order[m]], timed(k, order[m]));
	}
	size_teardown(k);
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

struct thread_arg {
	struct kstate *k;
	struct dmaheap_ctx *ctx;
	unsigned int ops;
	pthread_barrier_t *start;
	struct bench_span span;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	uint64_t cpu0;

	pthread_barrier_wait(a->start);
	cpu0 = bench_span_begin(&a->span);
	for (unsigned int i = 0; i < a->ops; i++) {
		struct dmaheap_buf *buf = NULL;

		check("dmaheap_alloc (thread)",
		      dmaheap_alloc(a->ctx, a->k->heap, a->k->size, 0, &buf));
		dmaheap_buf_free(buf);
	}
	bench_span_end(&a->span, cpu0);
	return NULL;
}

/* Operations per second of @n threads each doing @ops alloc+free;
 * *@cpu gets the CPU time they spent per operation. */
static double throughput(struct kstate *k, struct dmaheap_ctx *ctx,
			 unsigned int n, unsigned int ops, double *cpu)
{
	pthread_t t[8];
	struct thread_arg a = { k, ctx, ops, NULL, { 0 } };
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, n + 1);
	a.start = &start;
	bench_span_init(&a.span);
	for (unsigned int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, thread_main, &a) != 0)
			die("pthread_create", -EAGAIN);
	pthread_barrier_wait(&start);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	*cpu = (double)atomic_load(&a.span.cpu_ns) / ((double)n * ops);
	return (double)n * ops * 1e9 / bench_span_ns(&a.span);
}

static void bench_threads(struct kstate *k, unsigned int ops,
			  struct bench_report *r)
{
	static const unsigned int counts[] = { 1, 2, 8 };
	struct bench_series s[2][3] = { 0 }, cpu[2][3] = { 0 };
	struct dmaheap_ctx *ctxs[2] = { k->plain, k->pooled };
	double cpu_op;
	const char *names[2] = { "lib_alloc_free", "pool_hit_alloc_free" };

	k->size = 4096;
	check("prewarm", dmaheap_pool_prewarm(k->pooled, k->heap, 4096, 8, 0));
	for (unsigned int round = 0; round < 7; round++)
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < 3; i++) {
				bench_series_add(&s[c][i],
						 throughput(k, ctxs[c],
							    counts[i], ops,
							    &cpu_op));
				bench_series_add(&cpu[c][i], cpu_op);
			}
	report_section(r, "threads");
	printf("\nthreads, 4 KiB alloc+free, %u ops per thread, median of 7 "
	       "rounds (ops/s, x one thread, CPU us per op):\n", ops);
	for (int c = 0; c < 2; c++) {
		for (int i = 0; i < 3; i++) {
			bench_series_finish(&s[c][i]);
			bench_series_finish(&cpu[c][i]);
		}
		printf("  %-20s", names[c]);
		for (int i = 0; i < 3; i++) {
			printf("  %uT %6.0f %.2fx %5.1f", counts[i],
			       s[c][i].median, s[c][i].median / s[c][0].median,
			       cpu[c][i].median / 1000.0);
			report_entry(r,
				     "{\"method\": \"%s\", \"threads\": %u, "
				     "\"ops_per_s\": %.1f, \"vs_1_thread\": %.3f, "
				     "\"cpu_us_per_op\": %.3f}",
				     names[c], counts[i], s[c][i].median,
				     s[c][i].median / s[c][0].median,
				     cpu[c][i].median / 1000.0);
		}
		printf("\n");
	}
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < 3; i++) {
			bench_series_free(&s[c][i]);
			bench_series_free(&cpu[c][i]);
		}
	dmaheap_pool_trim(k->pooled, DMAHEAP_POOL_TRIM_ALL);
}

static void kstate_init(struct kstate *k, const char *heap)
{
	struct dmaheap_pool_options po = DMAHEAP_POOL_OPTIONS_INIT;
	char path[300];

	memset(k, 0, sizeof(*k));
	k->heap = heap;
	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	k->heap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->heap_fd < 0) {
		fprintf(stderr, "dmaheap-bench: %s: %s (run me inside "
			"tests/vm/run.sh)\n", path, strerror(errno));
		exit(77);
	}
	check("ctx", dmaheap_ctx_new(&k->plain));
	check("ctx", dmaheap_ctx_new(&k->pooled));
	po.max_bytes = 512ull << 20;
	po.max_buffers = 16;
	check("pool", dmaheap_ctx_set_pool(k->pooled, &po));
}

int bench_kernel(const struct kernel_opts *o, struct bench_report *r)
{
	struct kstate k;

	kstate_init(&k, o->heap);
	printf("latency on the real kernel, heap %s, median us per "
	       "operation:\n%9s", o->heap, "size");
	for (int m = 0; m < NMETHODS; m++)
		printf(" %11.11s", method_names[m]);
	printf("\n");
	report_section(r, "latency");
	for (size_t i = 0; i < o->nsizes; i++) {
		struct bench_series s[NMETHODS] = { 0 };

		bench_size(&k, o->sizes[i], o->rounds_scale, s);
		report_size(r, s);
		for (int m = 0; m < NMETHODS; m++) {
			if (r->dat)
				fprintf(r->dat, "%s %zu %.3f %.3f %.3f\n",
					method_names[m], o->sizes[i],
					s[m].median / 1000.0, s[m].p10 / 1000.0,
					s[m].p90 / 1000.0);
			bench_series_free(&s[m]);
		}
	}
	bench_threads(&k, o->thread_ops, r);
	dmaheap_ctx_free(k.plain);
	dmaheap_ctx_free(k.pooled);
	close(k.heap_fd);
	return 0;
}
