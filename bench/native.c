/* SPDX-License-Identifier: MIT */
/*
 * The library's own user-space cost: a system-call layer whose calls do
 * nothing (ALLOC hands out made-up fd numbers, fdinfo says "count: 1"),
 * so what remains is the library's bookkeeping, locks and branches. The
 * same calls made straight through the table are the baseline.
 *
 * Also the bytes of memory the library keeps per live buffer, from the C
 * library's allocator statistics (mallinfo2().uordblks, chunk headers
 * included) over many live buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "bench.h"
#include "core/sys.h"
#include "core/uapi.h"

#define FAKE_NODE_FD 900
#define FAKE_INFO_FD 901
#define FAKE_UEVENT_FD 902
#define FAKE_MAJOR 250
#define FAKE_BUF_FD0 1000
#define BATCH 1000
/* Per thread and round: tens of milliseconds, so that threads starting
 * and waking up late do not count (at 20000, two threads measured no
 * faster than one, at the same CPU time per operation). */
#define THREAD_OPS 300000

/* Each thread numbers its buffers in a block of its own: a counter all
 * threads wrote would be a cache line they share, and the thread figures
 * would measure that line rather than the library. */
#define FAKE_FD_BLOCK 4096
#define FAKE_FD_BLOCKS 15 /* all below 65536, as a process's fds would be */
static atomic_uint fake_threads;
static _Thread_local unsigned int fake_block; /* 1 + its block; 0: none yet */
static _Thread_local unsigned int fake_next;
static unsigned char fake_page[1 << 16] __attribute__((aligned(65536)));
/* What the kernel prints for a 4 KiB buffer of the system heap that one
 * fd holds; the pool's check needs every field but the name. */
static const char fake_fdinfo[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t16\n"
				  "ino:\t1000\nsize:\t4096\ncount:\t1\n"
				  "exp_name:\tsystem\nname:\tsystem\n";
static const char fake_uevent[] = "MAJOR=250\nMINOR=0\nDEVNAME=dma_heap/system\n";

static int f_open(const struct dmaheap_sys *self, const char *path, int flags,
		  unsigned int mode)
{
	if (strncmp(path, "/proc/", 6) == 0)
		return FAKE_INFO_FD;
	if (strncmp(path, "/sys/", 5) == 0)
		return FAKE_UEVENT_FD;
	return FAKE_NODE_FD;
}

static int f_close(const struct dmaheap_sys *self, int fd)
{
	return 0;
}

static int f_ioctl(const struct dmaheap_sys *self, int fd, unsigned long req,
		   void *arg)
{
	if (req == DMA_HEAP_IOCTL_ALLOC) {
		struct dma_heap_allocation_data *d = arg;

		if (!fake_block)
			fake_block = 1 + atomic_fetch_add_explicit(
				&fake_threads, 1, memory_order_relaxed) %
				FAKE_FD_BLOCKS;
		d->fd = FAKE_BUF_FD0 + (fake_block - 1) * FAKE_FD_BLOCK +
			fake_next++ % FAKE_FD_BLOCK;
	}
	return 0;
}

static int f_mmap(const struct dmaheap_sys *self, size_t len, int prot,
		  int flags, int fd, int64_t off, void **addr)
{
	if (len > sizeof(fake_page))
		return -ENOMEM;
	*addr = fake_page;
	return 0;
}

static int f_munmap(const struct dmaheap_sys *self, void *addr, size_t len)
{
	return 0;
}

static int f_lseek(const struct dmaheap_sys *self, int fd, int64_t off,
		   int whence, int64_t *pos)
{
	*pos = 4096;
	return 0;
}

static int f_fcntl(const struct dmaheap_sys *self, int fd, int cmd, int arg)
{
	return cmd == F_GETFL ? O_RDWR : fd + 1;
}

static int f_fstat(const struct dmaheap_sys *self, int fd, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0600;
	st->st_rdev = makedev(FAKE_MAJOR, 0);
	st->st_ino = (ino_t)fd;
	return 0;
}

static int f_fstatfs(const struct dmaheap_sys *self, int fd, struct statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = DMA_BUF_MAGIC;
	return 0;
}

static int f_readdir(const struct dmaheap_sys *self, const char *path,
		     dmaheap_sys_dirent_fn fn, void *arg)
{
	return 0;
}

static int f_memfd_create(const struct dmaheap_sys *self, const char *name,
			  unsigned int flags)
{
	return -ENOSYS;
}

static int f_ftruncate(const struct dmaheap_sys *self, int fd, int64_t len)
{
	return -ENOSYS;
}

static int f_read(const struct dmaheap_sys *self, int fd, void *buf,
		  size_t len)
{
	const char *text = fd == FAKE_INFO_FD ? fake_fdinfo :
			   fd == FAKE_UEVENT_FD ? fake_uevent : NULL;
	size_t n;

	if (!text)
		return -EINVAL;
	n = strlen(text);
	n = n < len ? n : len;
	memcpy(buf, text, n);
	return (int)n;
}

static int f_pread(const struct dmaheap_sys *self, int fd, void *buf,
		   size_t len, int64_t off)
{
	return off ? 0 : f_read(self, fd, buf, len);
}

static int f_meminfo(const struct dmaheap_sys *self, size_t *page_size,
		     uint64_t *ram_bytes)
{
	*page_size = 4096;
	*ram_bytes = 16ull << 30;
	return 0;
}

static int f_poll(const struct dmaheap_sys *self, int fd, short events,
		  int timeout_ms)
{
	return events & (POLLIN | POLLOUT);
}

static int f_madvise(const struct dmaheap_sys *self, void *addr, size_t len,
		     int advice)
{
	return 0;
}

/* Orders this process's own threads: only the real kernel can, and
 * what a caller on a real kernel gets is what is measured. */
static int f_membarrier(const struct dmaheap_sys *self, int cmd,
			unsigned int flags)
{
	return dmaheap_sys_kernel.membarrier(&dmaheap_sys_kernel, cmd, flags);
}

static const struct dmaheap_sys fake_sys = {
	.abi = DMAHEAP_SYS_ABI,
	.open = f_open,
	.close = f_close,
	.ioctl = f_ioctl,
	.mmap = f_mmap,
	.munmap = f_munmap,
	.lseek = f_lseek,
	.fcntl = f_fcntl,
	.fstat = f_fstat,
	.fstatfs = f_fstatfs,
	.readdir = f_readdir,
	.memfd_create = f_memfd_create,
	.ftruncate = f_ftruncate,
	.read = f_read,
	.meminfo = f_meminfo,
	.poll = f_poll,
	.pread = f_pread,
	.madvise = f_madvise,
	.membarrier = f_membarrier,
};

static struct dmaheap_ctx *fake_ctx(bool pool)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_pool_options po = DMAHEAP_POOL_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	o.sys = &fake_sys;
	o.heap_dir = "/fake-heaps";
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	if (dmaheap_ctx_new_with(&o, &ctx) != 0) {
		fprintf(stderr, "dmaheap-bench: fake context failed\n");
		exit(1);
	}
	po.max_buffers = 64;
	if (pool && dmaheap_ctx_set_pool(ctx, &po) != 0) {
		fprintf(stderr, "dmaheap-bench: fake pool failed\n");
		exit(1);
	}
	return ctx;
}

enum nmethod {
	N_RAW,       /* ALLOC + SET_NAME + close straight through the table */
	N_RAW_NONAME,
	N_LIB,
	N_LIB_NONAME,
	N_ALLOC_FD,
	N_POOL,
	N_MAP,       /* repeat map + unmap */
	N_BUF_SYNC,
	N_RAW_SYNC,
	N_COUNT
};

static const char *const nnames[N_COUNT] = {
	"raw_alloc_name_close", "raw_alloc_close", "lib_alloc_free",
	"lib_alloc_free_noname", "lib_alloc_fd_close", "pool_hit_alloc_free",
	"repeat_map_unmap", "buf_begin_end", "raw_fd_sync_start_end",
};

struct nstate {
	struct dmaheap_ctx *plain, *pooled;
	struct dmaheap_buf *held;
};

static void raw_seq(bool name)
{
	struct dma_heap_allocation_data d = { .len = 4096,
					      .fd_flags = O_RDWR | O_CLOEXEC };

	fake_sys.ioctl(&fake_sys, FAKE_NODE_FD, DMA_HEAP_IOCTL_ALLOC, &d);
	if (name)
		fake_sys.ioctl(&fake_sys, (int)d.fd, DMA_BUF_SET_NAME,
			       (void *)"system");
	fake_sys.close(&fake_sys, (int)d.fd);
}

/* A failure here would make the figures meaningless: stop. */
static int must(int r)
{
	if (r < 0) {
		fprintf(stderr, "dmaheap-bench: fake kernel: %s\n",
			dmaheap_strerror(r));
		exit(1);
	}
	return r;
}

/* The pool measurements must time hits: a free the pool refused (its
 * check failing on the fake kernel) would make the next allocation a
 * fresh one, timed under the pool's name. Stop if more than one in a
 * hundred missed. */
static void must_hit(struct dmaheap_ctx *ctx, const char *what)
{
	struct dmaheap_pool_stats ps;

	memset(&ps, 0, sizeof(ps));
	must(dmaheap_pool_stats(ctx, NULL, &ps));
	if (ps.misses > ps.hits / 100) {
		fprintf(stderr, "dmaheap-bench: %s: the pool served %llu hits "
			"and %llu misses, refused %llu frees as shared: the "
			"figures would not be of hits\n", what,
			(unsigned long long)ps.hits,
			(unsigned long long)ps.misses,
			(unsigned long long)ps.refused_shared);
		exit(1);
	}
}

static void nrun(struct nstate *s, enum nmethod m)
{
	struct dmaheap_buf *b = NULL;
	void *p;

	switch (m) {
	case N_RAW:
	case N_RAW_NONAME:
		raw_seq(m == N_RAW);
		break;
	case N_LIB:
	case N_LIB_NONAME:
		must(dmaheap_alloc(s->plain, "system", 4096,
				   m == N_LIB ? 0 : DMAHEAP_ALLOC_NO_NAME, &b));
		dmaheap_buf_free(b);
		break;
	case N_ALLOC_FD:
		fake_sys.close(&fake_sys,
			       must(dmaheap_alloc_fd(s->plain, "system", 4096,
						     0)));
		break;
	case N_POOL:
		must(dmaheap_alloc(s->pooled, "system", 4096, 0, &b));
		dmaheap_buf_free(b);
		break;
	case N_MAP:
		dmaheap_buf_map(s->held, &p);
		dmaheap_buf_unmap(s->held);
		break;
	case N_BUF_SYNC:
		dmaheap_buf_begin_cpu_access(s->held, DMAHEAP_ACCESS_RW);
		dmaheap_buf_end_cpu_access(s->held, DMAHEAP_ACCESS_RW);
		break;
	case N_RAW_SYNC:
		dmaheap_sync_start(s->plain, FAKE_BUF_FD0, DMAHEAP_ACCESS_RW);
		dmaheap_sync_end(s->plain, FAKE_BUF_FD0, DMAHEAP_ACCESS_RW);
		break;
	case N_COUNT:
		break;
	}
}

static double bookkeeping(void)
{
	enum { N = 10000 };
	struct dmaheap_ctx *ctx = fake_ctx(false);
	struct dmaheap_buf **v = calloc(N, sizeof(*v));
	size_t before, after;

	/* Warm: the heap entry and any first-use allocation. */
	dmaheap_buf_free((dmaheap_alloc(ctx, "system", 4096, 0, &v[0]), v[0]));
	before = mallinfo2().uordblks;
	for (int i = 0; i < N; i++)
		must(dmaheap_alloc(ctx, "system", 4096, 0, &v[i]));
	after = mallinfo2().uordblks;
	for (int i = 0; i < N; i++)
		dmaheap_buf_free(v[i]);
	free(v);
	dmaheap_ctx_free(ctx);
	return (double)(after - before) / N;
}

struct nthread {
	struct dmaheap_ctx *ctx;
	unsigned int ops;
	pthread_barrier_t *start;
	struct bench_span span;
};

static void *nthread_main(void *p)
{
	struct nthread *a = p;
	uint64_t cpu0;

	pthread_barrier_wait(a->start);
	cpu0 = bench_span_begin(&a->span);
	for (unsigned int i = 0; i < a->ops; i++) {
		struct dmaheap_buf *b = NULL;

		must(dmaheap_alloc(a->ctx, "system", 4096, 0, &b));
		dmaheap_buf_free(b);
	}
	bench_span_end(&a->span, cpu0);
	return NULL;
}

static double nthroughput(struct dmaheap_ctx *ctx, unsigned int n,
			  unsigned int ops, double *cpu)
{
	pthread_barrier_t start;
	struct nthread a = { ctx, ops, &start, { 0 } };
	pthread_t t[8];

	pthread_barrier_init(&start, NULL, n + 1);
	bench_span_init(&a.span);
	for (unsigned int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, nthread_main, &a);
	pthread_barrier_wait(&start);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	*cpu = (double)atomic_load(&a.span.cpu_ns) / ((double)n * ops);
	return (double)n * ops * 1e9 / bench_span_ns(&a.span);
}

static void native_threads(struct nstate *s, struct bench_report *r)
{
	static const unsigned int counts[] = { 1, 2, 8 };
	struct dmaheap_ctx *ctxs[2] = { s->plain, s->pooled };
	const char *names[2] = { "lib_alloc_free", "pool_hit_alloc_free" };
	struct bench_series v[2][3] = { 0 }, cpu[2][3] = { 0 };
	double cpu_op;

	for (int round = 0; round < 7; round++)
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < 3; i++) {
				bench_series_add(&v[c][i],
						 nthroughput(ctxs[c], counts[i],
							     THREAD_OPS, &cpu_op));
				bench_series_add(&cpu[c][i], cpu_op);
			}
	must_hit(s->pooled, "native threads");
	report_section(r, "native_threads");
	printf("\nnative threads, fake kernel, 4 KiB alloc+free, median of 7 "
	       "(ops/s, x one thread, CPU ns per op):\n");
	for (int c = 0; c < 2; c++) {
		printf("  %-20s", names[c]);
		for (int i = 0; i < 3; i++) {
			bench_series_finish(&v[c][i]);
			bench_series_finish(&cpu[c][i]);
			printf("  %uT %9.0f %.2fx %5.0f", counts[i],
			       v[c][i].median, v[c][i].median / v[c][0].median,
			       cpu[c][i].median);
			report_entry(r,
				     "{\"method\": \"%s\", \"threads\": %u, "
				     "\"ops_per_s\": %.1f, \"vs_1_thread\": %.3f, "
				     "\"cpu_ns_per_op\": %.1f}",
				     names[c], counts[i], v[c][i].median,
				     v[c][i].median / v[c][0].median,
				     cpu[c][i].median);
		}
		printf("\n");
	}
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < 3; i++) {
			bench_series_free(&v[c][i]);
			bench_series_free(&cpu[c][i]);
		}
}

int bench_native(unsigned int iterations, struct bench_report *r)
{
	struct bench_series s[N_COUNT] = { 0 };
	struct nstate st = { fake_ctx(false), fake_ctx(true), NULL };
	unsigned int batches = iterations / BATCH;
	void *p;
	double bytes;

	must(dmaheap_alloc(st.plain, "system", 4096, 0, &st.held));
	must(dmaheap_buf_map(st.held, &p));
	must(dmaheap_pool_prewarm(st.pooled, "system", 4096, 16, 0));
	for (unsigned int b = 0; b < batches + 5; b++) {
		for (int m = 0; m < N_COUNT; m++) {
			uint64_t t0 = bench_now_ns();

			for (int i = 0; i < BATCH; i++)
				nrun(&st, (enum nmethod)m);
			/* The first batches warm caches and the pool. */
			if (b >= 5)
				bench_series_add(&s[m], (double)(bench_now_ns() - t0) / BATCH);
		}
	}
	must_hit(st.pooled, "native");
	report_section(r, "native");
	printf("\nnative, fake kernel, 4 KiB, ns per operation (median of %u "
	       "batches of %d):\n", batches, BATCH);
	for (int m = 0; m < N_COUNT; m++) {
		s[m].method = nnames[m];
		bench_series_finish(&s[m]);
		printf("  %-24s %8.1f\n", nnames[m], s[m].median);
		report_entry(r, "{\"method\": \"%s\", \"median_ns\": %.2f, "
			     "\"p10_ns\": %.2f, \"p90_ns\": %.2f}",
			     nnames[m], s[m].median, s[m].p10, s[m].p90);
	}
	printf("  library's own cost per alloc+free: %.1f ns named, %.1f ns "
	       "unnamed\n", s[N_LIB].median - s[N_RAW].median,
	       s[N_LIB_NONAME].median - s[N_RAW_NONAME].median);
	report_entry(r, "{\"method\": \"own_cost_alloc_free\", \"median_ns\": %.2f}",
		     s[N_LIB].median - s[N_RAW].median);
	report_entry(r, "{\"method\": \"own_cost_alloc_free_noname\", \"median_ns\": %.2f}",
		     s[N_LIB_NONAME].median - s[N_RAW_NONAME].median);
	bytes = bookkeeping();
	printf("  bookkeeping per live buffer: %.1f bytes (mallinfo2 over "
	       "10000 buffers)\n", bytes);
	report_entry(r, "{\"method\": \"bookkeeping_bytes_per_buffer\", "
		     "\"bytes\": %.1f}", bytes);
	for (int m = 0; m < N_COUNT; m++)
		bench_series_free(&s[m]);
	native_threads(&st, r);
	dmaheap_buf_unmap(st.held);
	dmaheap_buf_free(st.held);
	dmaheap_ctx_free(st.plain);
	dmaheap_ctx_free(st.pooled);
	return 0;
}
