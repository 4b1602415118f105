/* SPDX-License-Identifier: MIT */
/*
 * System calls per operation, counted by the mock kernel: every call the
 * library makes goes through its system-call layer, which the mock counts
 * by kind.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "dmaheap-mock.h"

static const char *const kind_names[DMAHEAP_MOCK_CALL_COUNT] = {
	[DMAHEAP_MOCK_OPEN] = "open",
	[DMAHEAP_MOCK_CLOSE] = "close",
	[DMAHEAP_MOCK_IOCTL_ALLOC] = "ALLOC",
	[DMAHEAP_MOCK_IOCTL_SYNC] = "SYNC",
	[DMAHEAP_MOCK_IOCTL_SET_NAME] = "SET_NAME",
	[DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE] = "EXPORT_SYNC_FILE",
	[DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE] = "IMPORT_SYNC_FILE",
	[DMAHEAP_MOCK_IOCTL_OTHER] = "ioctl",
	[DMAHEAP_MOCK_MMAP] = "mmap",
	[DMAHEAP_MOCK_MUNMAP] = "munmap",
	[DMAHEAP_MOCK_LSEEK] = "lseek",
	[DMAHEAP_MOCK_FCNTL] = "fcntl",
	[DMAHEAP_MOCK_FSTAT] = "fstat",
	[DMAHEAP_MOCK_FSTATFS] = "fstatfs",
	[DMAHEAP_MOCK_READDIR] = "readdir",
	[DMAHEAP_MOCK_MEMFD_CREATE] = "memfd_create",
	[DMAHEAP_MOCK_FTRUNCATE] = "ftruncate",
	[DMAHEAP_MOCK_READ] = "read",
	[DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE] = "UDMABUF_CREATE",
	[DMAHEAP_MOCK_POLL] = "poll",
	[DMAHEAP_MOCK_MADVISE] = "madvise",
};

struct calls {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *plain, *pooled;
	struct bench_report *r;
};

/* Prints and reports what the mock counted since the last reset. */
static void record(struct calls *c, const char *op)
{
	char detail[256] = "";
	int64_t total = 0;

	for (int k = 0; k < DMAHEAP_MOCK_CALL_COUNT; k++) {
		int64_t n = dmaheap_mock_calls(c->mock, (enum dmaheap_mock_call)k);
		size_t len = strlen(detail);

		if (n <= 0)
			continue;
		total += n;
		snprintf(detail + len, sizeof(detail) - len, "%s%s %lld",
			 len ? ", " : "", kind_names[k] ? kind_names[k] : "?",
			 (long long)n);
	}
	printf("  %-34s %3lld  %s\n", op, (long long)total, detail);
	report_entry(c->r, "{\"operation\": \"%s\", \"calls\": %lld, "
		     "\"detail\": \"%s\"}", op, (long long)total, detail);
	dmaheap_mock_reset_calls(c->mock);
}

static struct dmaheap_ctx *mock_ctx(struct dmaheap_mock *mock)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	if (dmaheap_ctx_new_with(&o, &ctx) != 0) {
		fprintf(stderr, "dmaheap-bench: mock context failed\n");
		exit(1);
	}
	return ctx;
}

static void count_buffers(struct calls *c)
{
	struct dmaheap_buf *b = NULL;
	void *p;
	int fd;

	dmaheap_alloc(c->plain, "system", 4096, 0, &b); /* opens the heap */
	dmaheap_buf_free(b);
	dmaheap_mock_reset_calls(c->mock);
	dmaheap_alloc(c->plain, "system", 4096, 0, &b);
	record(c, "alloc (auto-named)");
	dmaheap_buf_free(b);
	record(c, "free");
	dmaheap_alloc(c->plain, "system", 4096, DMAHEAP_ALLOC_NO_NAME, &b);
	record(c, "alloc (DMAHEAP_ALLOC_NO_NAME)");
	fd = dmaheap_alloc_fd(c->plain, "system", 4096, 0);
	record(c, "alloc_fd (auto-named)");
	dmaheap_buf_map(b, &p);
	record(c, "first map");
	dmaheap_buf_map(b, &p);
	record(c, "repeat map");
	dmaheap_buf_unmap(b);
	record(c, "unmap, not the last");
	dmaheap_buf_begin_cpu_access(b, DMAHEAP_ACCESS_RW);
	record(c, "buf begin_cpu_access");
	dmaheap_buf_end_cpu_access(b, DMAHEAP_ACCESS_RW);
	record(c, "buf end_cpu_access");
	dmaheap_sync_start(c->plain, fd, DMAHEAP_ACCESS_RW);
	record(c, "raw fd sync_start");
	dmaheap_sync_end(c->plain, fd, DMAHEAP_ACCESS_RW);
	record(c, "raw fd sync_end");
	dmaheap_buf_unmap(b);
	dmaheap_buf_free(b);
	close(fd);
	dmaheap_mock_reset_calls(c->mock);
}

static void count_pool(struct calls *c)
{
	struct dmaheap_buf *b = NULL;

	dmaheap_alloc(c->pooled, "system", 4096, 0, &b);
	dmaheap_buf_free(b);
	dmaheap_mock_reset_calls(c->mock);
	dmaheap_alloc(c->pooled, "system", 4096, 0, &b);
	record(c, "pool hit alloc");
	dmaheap_buf_free(b);
	record(c, "pool free (check, recycled)");
	dmaheap_alloc(c->pooled, "system", 8192, 0, &b);
	record(c, "pool miss alloc");
	dmaheap_mock_buf_hold(c->mock, dmaheap_buf_fd(b), 1);
	dmaheap_buf_free(b);
	record(c, "pool free (check, refused: shared)");
}

static void count_alias(struct calls *c)
{
	struct dmaheap_buf *b = NULL;

	/* The built-in "cma" alias, on a kernel that calls its CMA heap
	 * "reserved": the members before it are absent. */
	dmaheap_alloc(c->plain, "cma", 4096, 0, &b);
	record(c, "alloc via alias 'cma', first");
	dmaheap_buf_free(b);
	dmaheap_mock_reset_calls(c->mock);
	dmaheap_alloc(c->plain, "cma", 4096, 0, &b);
	record(c, "alloc via alias 'cma', second");
	dmaheap_buf_free(b);
	dmaheap_mock_reset_calls(c->mock);
}

int bench_calls(struct bench_report *r)
{
	struct dmaheap_pool_options po = DMAHEAP_POOL_OPTIONS_INIT;
	struct calls c = { .r = r };

	if (dmaheap_mock_new(&c.mock) != 0 ||
	    dmaheap_mock_add_heap(c.mock, "system", NULL) != 0 ||
	    dmaheap_mock_add_heap(c.mock, "reserved", NULL) != 0) {
		fprintf(stderr, "dmaheap-bench: mock failed\n");
		return 1;
	}
	c.plain = mock_ctx(c.mock);
	c.pooled = mock_ctx(c.mock);
	if (dmaheap_ctx_set_pool(c.pooled, &po) != 0) {
		fprintf(stderr, "dmaheap-bench: pool failed\n");
		return 1;
	}
	report_section(r, "syscalls");
	printf("\nsystem calls per operation (mock counters):\n");
	count_buffers(&c);
	count_pool(&c);
	count_alias(&c);
	dmaheap_ctx_free(c.plain);
	dmaheap_ctx_free(c.pooled);
	dmaheap_mock_free(c.mock);
	return 0;
}
