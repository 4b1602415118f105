/* SPDX-License-Identifier: MIT */
/*
 * The library's cost as callers see it: the real system-call layer, with
 * the kernel faked below libc by bench/shim.c (LD_PRELOAD), against the
 * same calls made raw through the same shim, in one run:
 *   LD_PRELOAD=BUILD/bench/libdmaheap-shim.so BUILD/bench/dmaheap-bench-shim
 * bench/shim.sh runs it, and callgrind on --loop for instruction counts.
 *   --rounds N   interleaved rounds of single-thread batches (default 301)
 *   --batch N    operations per timed batch (default 1000)
 *   --json FILE  the results as JSON
 *   --threads-only  skip the single-thread batches
 *   --thread-rounds N  interleaved rounds of the thread teams (default
 *                the single-thread rounds / 10, at least 7)
 *   --loop M N   run method M (a name below) N times untimed, and exit
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dmaheap.h"
#include "shim.h"
#include "shim-run.h"

enum method {
	RAW, RAW_NAME, LIB, LIB_NONAME, LIB_FD, POOL, USAGE, RAW_DEEP,
	RAW_FRAME, RAW_CALLS, NMETHODS
};

static const char *const method_names[NMETHODS] = {
	"raw_alloc_close", "raw_alloc_name_close", "lib_alloc_free",
	"lib_alloc_free_noname", "lib_alloc_fd_close", "pool_alloc_free",
	"lib_alloc_usage_free", "raw_deep_name_close", "raw_frame_name_close",
	"raw_calls_name_close",
};

#define USAGE_BITS DMAHEAP_USAGE_CPU_RARELY
#define SIZE SHIM_RUN_SIZE

static int heap_fd;
static struct dmaheap_ctx *plain, *pooled;
static void (*shim_counts)(struct dmaheap_shim_counts *);

static void must(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "dmaheap-bench-shim: %s: %s\n", what,
			strerror(-r));
		exit(1);
	}
}

static void raw_op(bool name)
{
	must(shim_run_raw(heap_fd, name), "raw ALLOC, SET_NAME and close");
}

/*
 * The raw sequence with its ALLOC and close made two function calls
 * deeper, the calls themselves kept (no inlining, no tail call): what
 * code that only sits between a caller and libc costs around a system
 * call on this machine, apart from the work it does.
 */
static __attribute__((noinline)) int deep_ioctl2(int fd, unsigned long req,
						 void *arg)
{
	int r = ioctl(fd, req, arg);

	shim_run_no_tail_call();
	return r;
}

static __attribute__((noinline)) int deep_ioctl(int fd, unsigned long req,
						void *arg)
{
	int r = deep_ioctl2(fd, req, arg);

	shim_run_no_tail_call();
	return r;
}

static __attribute__((noinline)) void deep_close2(int fd)
{
	close(fd);
	shim_run_no_tail_call();
}

static __attribute__((noinline)) void deep_close(int fd)
{
	deep_close2(fd);
	shim_run_no_tail_call();
}

static void raw_deep_op(void)
{
	struct dma_heap_allocation_data d = {
		.len = SIZE, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (deep_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		must(-errno, "DMA_HEAP_IOCTL_ALLOC");
	if (ioctl((int)d.fd, DMA_BUF_SET_NAME, "system") < 0)
		must(-errno, "DMA_BUF_SET_NAME");
	deep_close((int)d.fd);
}

/*
 * The least any library adds: its function is still on the stack when the
 * ALLOC returns, since it has work to do with the fd (a free can close
 * as a jump, so the close stays direct). No other work.
 */
static void raw_frame_op(void)
{
	struct dma_heap_allocation_data d = {
		.len = SIZE, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (deep_ioctl2(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		must(-errno, "DMA_HEAP_IOCTL_ALLOC");
	if (ioctl((int)d.fd, DMA_BUF_SET_NAME, "system") < 0)
		must(-errno, "DMA_BUF_SET_NAME");
	close((int)d.fd);
}

/* The calls raw_deep_op() adds, made and returned from before the
 * ALLOC: none of them is on the stack across a system call. */
static __attribute__((noinline)) void shallow_call2(void)
{
	shim_run_no_tail_call();
}

static __attribute__((noinline)) void shallow_call(void)
{
	shallow_call2();
	shim_run_no_tail_call();
}

static void raw_calls_op(void)
{
	shallow_call();
	shallow_call();
	raw_op(true);
}

static void op(int m)
{
	struct dmaheap_buf *b;

	switch ((enum method)m) {
	case RAW:
	case RAW_NAME:
		raw_op(m == RAW_NAME);
		return;
	case LIB:
	case LIB_NONAME:
		must(dmaheap_alloc(plain, "system", SIZE,
				   m == LIB ? 0 : DMAHEAP_ALLOC_NO_NAME, &b),
		     "dmaheap_alloc");
		dmaheap_buf_free(b);
		return;
	case LIB_FD: {
		int fd = dmaheap_alloc_fd(plain, "system", SIZE, 0);

		must(fd, "dmaheap_alloc_fd");
		close(fd);
		shim_run_no_tail_call();
		return;
	}
	case POOL:
		must(dmaheap_alloc(pooled, "system", SIZE, 0, &b),
		     "dmaheap_alloc (pool)");
		dmaheap_buf_free(b);
		return;
	case USAGE:
		must(dmaheap_alloc_usage(plain, USAGE_BITS, SIZE, 0, &b),
		     "dmaheap_alloc_usage");
		dmaheap_buf_free(b);
		return;
	case RAW_DEEP:
		raw_deep_op();
		return;
	case RAW_FRAME:
		raw_frame_op();
		return;
	case RAW_CALLS:
		raw_calls_op();
		return;
	case NMETHODS:
		break;
	}
}

static void setup(void)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_pool_options po = DMAHEAP_POOL_OPTIONS_INIT;

	void *sym = dlsym(RTLD_DEFAULT, "dmaheap_shim_counts");

	/* POSIX's way to turn dlsym()'s answer into a function pointer. */
	memcpy(&shim_counts, &sym, sizeof(sym));
	if (!shim_counts) {
		fprintf(stderr, "dmaheap-bench-shim: run it with LD_PRELOAD=libdmaheap-shim.so\n");
		exit(77);
	}
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0)
		must(-errno, "open /dev/dma_heap/system");
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	must(dmaheap_ctx_new_with(&o, &plain), "dmaheap_ctx_new_with");
	must(dmaheap_ctx_new_with(&o, &pooled), "dmaheap_ctx_new_with");
	po.max_buffers = 64;
	must(dmaheap_ctx_set_pool(pooled, &po), "dmaheap_ctx_set_pool");
	/* Opens the heap, resolves names: not what is measured. */
	for (int m = 0; m < NMETHODS; m++)
		op(m);
}

static double single[NMETHODS];

static void run_single(int rounds, int batch)
{
	double *t = calloc((size_t)rounds * NMETHODS, sizeof(*t));

	if (!t || shim_run_rounds(t, NMETHODS, rounds, 3, batch, op))
		exit(1);
	for (int m = 0; m < NMETHODS; m++)
		single[m] = shim_run_median(t + m * rounds, rounds);
	free(t);
}

/* Threads sharing @plain (or raw calls on one heap fd), started together. */
struct team {
	pthread_barrier_t go;
	enum method m;
	int ops;
	double start[8], end[8];
	double cpu[8]; /* each thread's CPU time, ns */
};

struct member {
	struct team *team;
	int id;
};

static void *member_run(void *arg)
{
	struct member *me = arg;
	struct team *t = me->team;

	double cpu;

	pthread_barrier_wait(&t->go);
	cpu = shim_run_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t->start[me->id] = shim_run_now_ns();
	for (int i = 0; i < t->ops; i++)
		op(t->m);
	t->end[me->id] = shim_run_now_ns();
	t->cpu[me->id] = shim_run_clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	return NULL;
}

/* Operations per second of @n threads doing @ops each; @cpu_ns gets
 * the CPU time the threads spent per operation. */
static double team_run(enum method m, int n, int ops, double *cpu_ns)
{
	struct team t = { .m = m, .ops = ops };
	struct member mem[8];
	pthread_t th[8];
	double first, last;

	pthread_barrier_init(&t.go, NULL, (unsigned int)n);
	for (int i = 0; i < n; i++) {
		mem[i] = (struct member){ &t, i };
		if (pthread_create(&th[i], NULL, member_run, &mem[i]))
			exit(1);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&t.go);
	first = t.start[0];
	last = t.end[0];
	*cpu_ns = t.cpu[0];
	for (int i = 1; i < n; i++) {
		first = t.start[i] < first ? t.start[i] : first;
		last = t.end[i] > last ? t.end[i] : last;
		*cpu_ns += t.cpu[i];
	}
	*cpu_ns /= (double)n * ops;
	return (double)n * ops * 1e9 / (last - first);
}

#define NTM 5 /* methods timed with threads */
#define NTC 3 /* thread counts */
#define NTEAMS (NTM * NTC)
static const int thread_counts[NTC] = { 1, 2, 8 };
static const enum method thread_methods[NTM] = { RAW_NAME, LIB, LIB_FD,
						 USAGE, POOL };
static double thr[NTM][NTC];	    /* [method][threads] ops/s */
static double thr_ratio[NTM][NTC]; /* median of each round's x raw */
static double cpu_op[NTM][NTC];	    /* CPU ns per operation */
static double cpu_ratio[NTM][NTC]; /* median of each round's x raw */

/* Each round runs every team once, in a new order; a method's ratio to
 * raw is taken within each round, and the median of those reported. */
static void run_threads(int rounds, int ops)
{
	double *v = calloc((size_t)rounds * NTEAMS, sizeof(*v));
	double *c = calloc((size_t)rounds * NTEAMS, sizeof(*c));
	double *q = calloc((size_t)rounds, sizeof(*q));
	int order[NTEAMS];
	unsigned int seed = 2;

	if (!v || !c || !q)
		exit(1);
	for (int i = 0; i < NTEAMS; i++)
		order[i] = i;
	for (int r = -1; r < rounds; r++) {
		shim_run_shuffle(order, NTEAMS, &seed);
		for (int k = 0; k < NTEAMS; k++) {
			int mi = order[k] / NTC, ti = order[k] % NTC;
			double cpu;
			double x = team_run(thread_methods[mi],
					    thread_counts[ti], ops, &cpu);

			if (r >= 0) {
				v[order[k] * rounds + r] = x;
				c[order[k] * rounds + r] = cpu;
			}
		}
	}
	for (int i = 0; i < NTEAMS; i++) {
		for (int r = 0; r < rounds; r++)
			q[r] = v[i * rounds + r] / v[(i % NTC) * rounds + r];
		thr_ratio[i / NTC][i % NTC] = shim_run_median(q, rounds);
		for (int r = 0; r < rounds; r++)
			q[r] = c[i * rounds + r] / c[(i % NTC) * rounds + r];
		cpu_ratio[i / NTC][i % NTC] = shim_run_median(q, rounds);
	}
	for (int i = 0; i < NTEAMS; i++) {
		thr[i / NTC][i % NTC] = shim_run_median(v + i * rounds, rounds);
		cpu_op[i / NTC][i % NTC] = shim_run_median(c + i * rounds, rounds);
	}
	free(q);
	free(c);
	free(v);
}

static struct dmaheap_shim_counts calls[NMETHODS];

static void count_calls(int n)
{
	for (int m = 0; m < NMETHODS; m++) {
		struct dmaheap_shim_counts a, b;

		shim_counts(&a);
		for (int i = 0; i < n; i++)
			op(m);
		shim_counts(&b);
		calls[m] = (struct dmaheap_shim_counts){
			b.open - a.open, b.close - a.close, b.alloc - a.alloc,
			b.set_name - a.set_name, b.sync - a.sync,
			b.other_ioctl - a.other_ioctl, b.pread - a.pread,
			b.poll - a.poll,
		};
	}
}

static void report(FILE *f, bool json, int n,
		   const struct dmaheap_pool_stats *ps)
{
	const char *fmt1 = json ? "    \"%s\": %.1f%s\n" : "  %-24s %8.1f\n";

	fprintf(f, json ? "{\n  \"ns_per_op\": {\n" :
		"shim kernel, 4 KiB, ns per operation (median of interleaved batches):\n");
	for (int m = 0; m < NMETHODS; m++)
		fprintf(f, fmt1, method_names[m], single[m],
			json ? (m + 1 < NMETHODS ? "," : "") : "");
	fprintf(f, json ? "  },\n  \"ratios\": {\n"
			"    \"lib_alloc_free/raw_alloc_name_close\": %.3f,\n"
			"    \"lib_alloc_free_noname/raw_alloc_close\": %.3f,\n"
			"    \"lib_alloc_fd_close/raw_alloc_name_close\": %.3f,\n"
			"    \"lib_alloc_free/raw_alloc_close\": %.3f,\n"
			"    \"raw_deep_name_close/raw_alloc_name_close\": %.3f,\n"
			"    \"raw_frame_name_close/raw_alloc_name_close\": %.3f,\n"
			"    \"raw_calls_name_close/raw_alloc_name_close\": %.3f\n  },\n" :
			"  lib_alloc_free / raw ALLOC+SET_NAME+close  %.3f\n"
			"  lib_alloc_free_noname / raw ALLOC+close   %.3f\n"
			"  lib_alloc_fd_close / raw ALLOC+SET_NAME+close %.3f\n"
			"  lib_alloc_free / raw ALLOC+close          %.3f\n"
			"  raw_deep_name_close / raw ALLOC+SET_NAME+close %.3f\n"
			"  raw_frame_name_close / raw ALLOC+SET_NAME+close %.3f\n"
			"  raw_calls_name_close / raw ALLOC+SET_NAME+close %.3f\n",
		single[LIB] / single[RAW_NAME], single[LIB_NONAME] / single[RAW],
		single[LIB_FD] / single[RAW_NAME], single[LIB] / single[RAW],
		single[RAW_DEEP] / single[RAW_NAME],
		single[RAW_FRAME] / single[RAW_NAME],
		single[RAW_CALLS] / single[RAW_NAME]);
	fprintf(f, json ? "  \"threads\": {\n" :
		"threads sharing one context, 4 KiB alloc+free (median ops/s, and CPU ns per operation summed over the threads; x raw ALLOC+SET_NAME+close at the same thread count: median of the rounds' ratios):\n");
	for (int mi = 0; mi < NTM; mi++)
		for (int ti = 0; ti < NTC; ti++)
			fprintf(f, json ? "    \"%s_%dT\": {\"ops_per_s\": %.0f, \"x_raw\": %.3f, \"cpu_ns_per_op\": %.1f, \"cpu_x_raw\": %.3f}%s\n" :
				"  %-24s %dT %10.0f ops/s %6.3fx   CPU %7.1f ns/op %6.3fx\n",
				method_names[thread_methods[mi]],
				thread_counts[ti], thr[mi][ti],
				thr_ratio[mi][ti], cpu_op[mi][ti],
				cpu_ratio[mi][ti],
				json ? (mi * NTC + ti + 1 < NTEAMS ? "," : "") : "");
	fprintf(f, json ? "  },\n  \"calls_per_op\": {\n" :
		"per operation, as the shim saw them (%d operations):\n", n);
	for (int m = 0; m < NMETHODS; m++) {
		const struct dmaheap_shim_counts *c = &calls[m];

		fprintf(f, json ? "    \"%s\": {\"open\": %.3f, \"close\": %.3f, \"alloc\": %.3f, \"set_name\": %.3f, \"sync\": %.3f, \"other_ioctl\": %.3f, \"pread\": %.3f, \"poll\": %.3f}%s\n" :
			"  %-24s open %.3f close %.3f ALLOC %.3f SET_NAME %.3f SYNC %.3f other ioctl %.3f pread %.3f poll %.3f\n",
			method_names[m], (double)c->open / n,
			(double)c->close / n, (double)c->alloc / n,
			(double)c->set_name / n, (double)c->sync / n,
			(double)c->other_ioctl / n, (double)c->pread / n,
			(double)c->poll / n,
			json ? (m + 1 < NMETHODS ? "," : "") : "");
	}
	fprintf(f, json ? "  },\n  \"pool\": {\"hits\": %llu, \"misses\": %llu, \"recycled\": %llu, \"refused_shared\": %llu}\n}\n" :
		"pool: hits %llu misses %llu recycled %llu refused (shared or unchecked) %llu\n",
		(unsigned long long)ps->hits, (unsigned long long)ps->misses,
		(unsigned long long)ps->recycled,
		(unsigned long long)ps->refused_shared);
}

static enum method method_named(const char *s)
{
	for (int m = 0; m < NMETHODS; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum method)m;
	fprintf(stderr, "dmaheap-bench-shim: no method %s\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	int rounds = 301, batch = 1000, ncalls = 1000, thread_rounds = 0;
	bool threads_only = false;
	const char *json = NULL;
	struct dmaheap_pool_stats ps;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0 && i + 2 < argc) {
			enum method m = method_named(argv[i + 1]);
			long n = atol(argv[i + 2]);

			setup();
			for (long k = 0; k < n; k++)
				op(m);
			return 0;
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			batch = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--thread-rounds") == 0 &&
			   i + 1 < argc) {
			thread_rounds = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--threads-only") == 0) {
			threads_only = true;
		} else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			json = argv[++i];
		} else {
			fprintf(stderr, "usage: see bench/shim-bench.c\n");
			return 2;
		}
	}
	setup();
	if (!threads_only)
		run_single(rounds, batch);
	run_threads(thread_rounds ? thread_rounds :
		    rounds / 10 > 7 ? rounds / 10 : 7, 5 * batch);
	count_calls(ncalls);
	must(dmaheap_pool_stats(pooled, NULL, &ps), "dmaheap_pool_stats");
	report(stdout, false, ncalls, &ps);
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f)
			must(-errno, json);
		report(f, true, ncalls, &ps);
		fclose(f);
	}
	dmaheap_ctx_free(plain);
	dmaheap_ctx_free(pooled);
	close(heap_fd);
	return 0;
}
