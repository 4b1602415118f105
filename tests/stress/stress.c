/* SPDX-License-Identifier: MIT */
/*
 * Concurrency stress: many threads share one context and each runs
 * alloc -> map -> begin RW -> write -> verify -> end RW -> unmap -> free in
 * a loop, while the same threads redefine an alias, set heap properties,
 * add rules, list heaps and aliases, ask for usage plans and read stats.
 *
 *   stress [--kernel]
 *
 * Without --kernel it runs against the mock kernel (meant for a
 * ThreadSanitizer build); with --kernel against /dev/dma_heap/system (the
 * kernel suite runs it in the VM; exit 77 without that heap).
 * DMAHEAP_STRESS_THREADS (100) and DMAHEAP_STRESS_ITERATIONS (1000) set
 * the size of the run.
 *
 * Passes when no call failed, every buffer read back what was written, the
 * stats account for every allocation and show nothing alive at the end,
 * and the process holds the same fds as before (the mock: and reports no
 * leak).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"

struct run {
	struct dmaheap_ctx *ctx;
	unsigned int threads;
	unsigned int iterations;
	pthread_barrier_t start;
	atomic_uint errors;
	atomic_ullong allocations;
};

struct worker {
	struct run *run;
	unsigned int id;
	pthread_t thread;
};

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return def;
	n = strtoul(v, &end, 10);
	if (*end || n == 0 || n > 1000000) {
		fprintf(stderr, "stress: %s=%s: want 1 to 1000000\n", name, v);
		exit(2);
	}
	return (unsigned int)n;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = -1;	/* the directory's own fd */

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Counts a failure; prints the first few. */
static bool failed(struct run *run, unsigned int id, const char *what, int r)
{
	if (atomic_fetch_add(&run->errors, 1) < 10)
		fprintf(stderr, "stress: thread %u: %s: %d (%s)\n", id, what, r,
			dmaheap_strerror(r));
	return true;
}

/* A word per page and the last word: enough to catch a wrong or shared
 * mapping without making a sanitizer build crawl. */
static bool write_verify(struct dmaheap_buf *buf, void *addr, uint32_t seed)
{
	size_t size = dmaheap_buf_size(buf), page = 4096;
	volatile uint32_t *w = addr;
	size_t last = size / sizeof(*w) - 1;

	for (size_t off = 0; off < size; off += page)
		w[off / sizeof(*w)] = seed ^ (uint32_t)off;
	w[last] = ~seed;
	for (size_t off = 0; off < size; off += page)
		if (w[off / sizeof(*w)] != (seed ^ (uint32_t)off))
			return false;
	return w[last] == ~seed;
}

static int allocate(struct run *run, unsigned int i, size_t size,
		    struct dmaheap_buf **buf)
{
	static const char *const chain[] = { "absent", "stress" };
	int r;

	switch (i % 3) {
	case 0:
		return dmaheap_alloc(run->ctx, "system", size, 0, buf);
	case 1:
		r = dmaheap_alloc_from(run->ctx, chain, 2, size, 0, buf);
		return r < 0 ? r : 0;
	default:
		return dmaheap_alloc_usage(run->ctx,
					   DMAHEAP_USAGE_CPU_READ_OFTEN |
					   DMAHEAP_USAGE_CPU_WRITE_OFTEN,
					   size, 0, buf);
	}
}

static void one_buffer(struct run *run, unsigned int id, unsigned int i)
{
	size_t size = 1 + ((size_t)id * 7919 + i * 104729) % (64 << 10);
	struct dmaheap_buf *buf = NULL;
	void *addr = NULL;
	int r;

	if ((r = allocate(run, i, size, &buf)) < 0 && failed(run, id, "alloc", r))
		return;
	atomic_fetch_add(&run->allocations, 1);
	if ((r = dmaheap_buf_map(buf, &addr)) < 0)
		failed(run, id, "map", r);
	else if ((r = dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW)) < 0)
		failed(run, id, "begin", r);
	else {
		if (!write_verify(buf, addr, id << 20 ^ i))
			failed(run, id, "verify", -EIO);
		if ((r = dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW)) < 0)
			failed(run, id, "end", r);
	}
	if (addr && (r = dmaheap_buf_unmap(buf)) < 0)
		failed(run, id, "unmap", r);
	dmaheap_buf_free(buf);
}

/* What other threads do to the context meanwhile. */
static void churn(struct run *run, unsigned int id, unsigned int i)
{
	static const char *const one[] = { "system" };
	static const char *const two[] = { "system-uncached", "system" };
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_alias_info *aliases = NULL;
	struct dmaheap_stats st;
	unsigned int k = (id + i) % 64;
	int r = 0;

	if (k == 0)
		r = dmaheap_ctx_set_alias(run->ctx, "stress", (i & 64) ? two : one,
					  (i & 64) ? 2 : 1);
	else if (k == 1)
		r = dmaheap_ctx_set_heap_props(run->ctx, "vendor",
					       DMAHEAP_PROP_CACHED);
	else if (k == 2 && id == 0 && i % 256 == 2)
		r = dmaheap_ctx_add_rule(run->ctx, DMAHEAP_USAGE_CPU_RARELY,
					 one, 1);
	else if (k == 3) {
		r = dmaheap_heap_list(run->ctx, &list);
		dmaheap_heap_list_free(list);
	} else if (k == 4) {
		r = dmaheap_alias_list(run->ctx, &aliases);
		dmaheap_alias_list_free(aliases);
	} else if (k == 5) {
		r = dmaheap_usage_plan(run->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
				       &list);
		dmaheap_heap_list_free(list);
	} else if (k % 8 == 6) {
		r = dmaheap_ctx_stats(run->ctx, NULL, &st);
	}
	if (r < 0)
		failed(run, id, "churn", r);
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;

	pthread_barrier_wait(&run->start);
	for (unsigned int i = 0; i < run->iterations; i++) {
		one_buffer(run, w->id, i);
		churn(run, w->id, i);
		/* So that a run killed by a timeout still tells how far it got. */
		if (w->id == 0 && i % 100 == 99)
			printf("stress: thread 0 at iteration %u: %llu buffers, "
			       "%u errors so far\n", i + 1,
			       (unsigned long long)run->allocations,
			       run->errors);
	}
	return NULL;
}

static int make_ctx(bool kernel, struct dmaheap_mock **mock,
		    struct dmaheap_ctx **ctx)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	static const char *const one[] = { "system" };
	int r;

	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	if (!kernel) {
		if ((r = dmaheap_mock_new(mock)) < 0 ||
		    (r = dmaheap_mock_add_heap(*mock, "system", NULL)) < 0 ||
		    (r = dmaheap_mock_add_heap(*mock, "system-uncached",
					       NULL)) < 0)
			return r;
		dmaheap_mock_options(*mock, &o);
	}
	if ((r = dmaheap_ctx_new_with(&o, ctx)) < 0)
		return r;
	return dmaheap_ctx_set_alias(*ctx, "stress", one, 1);
}

/* The stats must account for every allocation and show nothing alive. */
static int check_stats(struct run *run)
{
	struct dmaheap_stats st;
	int r = dmaheap_ctx_stats(run->ctx, NULL, &st);

	if (r < 0)
		return r;
	printf("stress: stats: %llu allocations, %llu failures, %llu live, "
	       "peak %llu bytes\n", (unsigned long long)st.allocations,
	       (unsigned long long)st.failures,
	       (unsigned long long)st.live_buffers,
	       (unsigned long long)st.peak_bytes);
	/* Failures are not zero: each fallback past "absent" counts one. */
	if (st.allocations != run->allocations || st.live_buffers ||
	    st.live_bytes)
		return -EPROTO;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	bool kernel = argc > 1 && strcmp(argv[1], "--kernel") == 0;
	struct run run = {
		.threads = env_uint("DMAHEAP_STRESS_THREADS", 100),
		.iterations = env_uint("DMAHEAP_STRESS_ITERATIONS", 1000),
	};
	struct dmaheap_mock *mock = NULL;
	struct worker *w;
	int fds = count_fds(), r, leaked;
	double t0;

	if (kernel && access("/dev/dma_heap/system", R_OK) != 0) {
		printf("stress: no /dev/dma_heap/system: run in the VM\n");
		return 77;
	}
	if ((r = make_ctx(kernel, &mock, &run.ctx)) < 0) {
		fprintf(stderr, "stress: setup: %s\n", dmaheap_strerror(r));
		return 1;
	}
	w = calloc(run.threads, sizeof(*w));
	if (!w || pthread_barrier_init(&run.start, NULL, run.threads) != 0)
		return 1;
	t0 = now();
	for (unsigned int i = 0; i < run.threads; i++) {
		w[i] = (struct worker){ .run = &run, .id = i };
		if (pthread_create(&w[i].thread, NULL, worker, &w[i]) != 0) {
			fprintf(stderr, "stress: cannot start thread %u\n", i);
			return 1;
		}
	}
	for (unsigned int i = 0; i < run.threads; i++)
		pthread_join(w[i].thread, NULL);
	printf("stress: %s: %u threads x %u iterations: %llu buffers in "
	       "%.1f s, %u errors\n", kernel ? "kernel" : "mock", run.threads,
	       run.iterations, (unsigned long long)run.allocations,
	       now() - t0, run.errors);
	if ((r = check_stats(&run)) < 0)
		failed(&run, 0, "stats", r);
	dmaheap_ctx_free(run.ctx);
	leaked = 0;
	if (mock) {
		char report[1024];
		struct dmaheap_mock_leaks l;
		int n = dmaheap_mock_leaks(mock, &l, report, sizeof(report));

		printf("stress: mock leak report: %d\n%s", n, report);
		leaked += n != 0;
		dmaheap_mock_free(mock);
	}
	leaked += count_fds() - fds;
	printf("stress: %d fds leaked\n", count_fds() - fds);
	pthread_barrier_destroy(&run.start);
	free(w);
	return run.errors || leaked ? 1 : 0;
}
