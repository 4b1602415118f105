/* SPDX-License-Identifier: MIT */
/*
 * Builds of the library side by side in one process, under the shim, for
 * changes whose effect is smaller than what separates two runs: each build
 * is loaded with dlopen(RTLD_LOCAL), so every one keeps its own code and
 * layout, and their allocations interleave with the raw calls in batches,
 * in a new shuffled order each round.
 *   LD_PRELOAD=BUILD/bench/libdmaheap-shim.so BUILD/bench/dmaheap-bench-ab \
 *       ROUNDS LIBDMAHEAP.so...
 * For each build it prints, as the median over the rounds of each round's
 * ratio to the raw ALLOC + SET_NAME + close, 4 KiB dmaheap_alloc +
 * dmaheap_buf_free, dmaheap_alloc_fd + close and dmaheap_alloc_usage +
 * dmaheap_buf_free. Calls go through function pointers, which adds the
 * same to every build: compare builds with each other, and the raw ratios
 * with dmaheap-bench-shim.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaheap.h"
#include "shim-run.h"

#define MAX_BUILDS 8
#define PER_BUILD 3 /* alloc+free, alloc_fd+close, alloc_usage+free */
#define BATCH 1000
#define SIZE SHIM_RUN_SIZE

struct build {
	const char *path;
	int (*ctx_new_with)(const struct dmaheap_options *,
			    struct dmaheap_ctx **);
	int (*alloc)(struct dmaheap_ctx *, const char *, size_t, unsigned int,
		     struct dmaheap_buf **);
	void (*buf_free)(struct dmaheap_buf *);
	int (*alloc_fd)(struct dmaheap_ctx *, const char *, size_t,
			unsigned int);
	int (*alloc_usage)(struct dmaheap_ctx *, unsigned int, size_t,
			   unsigned int, struct dmaheap_buf **);
	struct dmaheap_ctx *ctx;
};

static struct build builds[MAX_BUILDS];
static int heap_fd;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "dmaheap-bench-ab: %s: %s\n", what, why);
	exit(1);
}

/* POSIX's way to turn dlsym()'s answer into a function pointer. */
static void resolve(void *lib, const char *name, void *fn, size_t size)
{
	void *p = dlsym(lib, name);

	if (!p)
		die(name, dlerror());
	memcpy(fn, &p, size);
}

static void load(struct build *b, const char *path)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		die(path, dlerror());
	b->path = path;
	resolve(lib, "dmaheap_ctx_new_with", &b->ctx_new_with,
	     sizeof(b->ctx_new_with));
	resolve(lib, "dmaheap_alloc", &b->alloc, sizeof(b->alloc));
	resolve(lib, "dmaheap_buf_free", &b->buf_free, sizeof(b->buf_free));
	resolve(lib, "dmaheap_alloc_fd", &b->alloc_fd, sizeof(b->alloc_fd));
	resolve(lib, "dmaheap_alloc_usage", &b->alloc_usage,
	     sizeof(b->alloc_usage));
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	if (b->ctx_new_with(&o, &b->ctx))
		die(path, "dmaheap_ctx_new_with failed");
}

/* Method 0 is raw; then PER_BUILD methods for each build. */
static void op(int m)
{
	struct build *b = &builds[(m - 1) / PER_BUILD];
	struct dmaheap_buf *buf;
	int fd;

	if (m == 0) {
		if (shim_run_raw(heap_fd, true))
			die("raw ALLOC, SET_NAME and close", "failed");
		return;
	}
	switch ((m - 1) % PER_BUILD) {
	case 0:
		if (b->alloc(b->ctx, "system", SIZE, 0, &buf))
			die(b->path, "dmaheap_alloc failed");
		b->buf_free(buf);
		break;
	case 1:
		fd = b->alloc_fd(b->ctx, "system", SIZE, 0);
		if (fd < 0)
			die(b->path, "dmaheap_alloc_fd failed");
		close(fd);
		break;
	default:
		if (b->alloc_usage(b->ctx, DMAHEAP_USAGE_CPU_RARELY, SIZE, 0,
				   &buf))
			die(b->path, "dmaheap_alloc_usage failed");
		b->buf_free(buf);
		break;
	}
}

static void report(const double *t, int n, int rounds)
{
	static const char *const what[PER_BUILD] = { "alloc+free",
						     "alloc_fd+close",
						     "alloc_usage+free" };
	double *q = calloc((size_t)rounds, sizeof(*q));

	if (!q)
		die("calloc", "out of memory");
	printf("4 KiB, %d rounds of %d, x raw ALLOC+SET_NAME+close (median of the rounds' ratios):\n",
	       rounds, BATCH);
	for (int m = 1; m < n; m++) {
		for (int r = 0; r < rounds; r++)
			q[r] = t[m * rounds + r] / t[r];
		if ((m - 1) % PER_BUILD == 0)
			printf("%s\n", builds[(m - 1) / PER_BUILD].path);
		printf("  %-18s %.3f\n", what[(m - 1) % PER_BUILD],
		       shim_run_median(q, rounds));
	}
	free(q);
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[1]) : 0;
	int nbuilds = argc - 2, n = 1 + PER_BUILD * nbuilds;
	double *t;

	if (rounds < 1 || nbuilds < 1 || nbuilds > MAX_BUILDS) {
		fprintf(stderr, "usage: dmaheap-bench-ab ROUNDS LIBDMAHEAP.so... (at most %d)\n",
			MAX_BUILDS);
		return 2;
	}
	if (!dlsym(RTLD_DEFAULT, "dmaheap_shim_counts")) {
		fprintf(stderr, "dmaheap-bench-ab: run it with LD_PRELOAD=libdmaheap-shim.so\n");
		return 77;
	}
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0)
		die("/dev/dma_heap/system", "cannot open");
	for (int i = 0; i < nbuilds; i++)
		load(&builds[i], argv[i + 2]);
	t = calloc((size_t)n * (size_t)rounds, sizeof(*t));
	if (!t || shim_run_rounds(t, n, rounds, 5, BATCH, op))
		die("calloc", "out of memory");
	report(t, n, rounds);
	free(t);
	close(heap_fd);
	return 0;
}
