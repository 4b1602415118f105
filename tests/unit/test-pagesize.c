/* SPDX-License-Identifier: MIT */
/*
 * The library never assumes 4096-byte pages: every rounding, limit and
 * layout follows the page size of the system-call layer. Each test runs
 * three times, with the mock at the machine's page size, at 16 KiB and at
 * 64 KiB (arm64's other page sizes). A library that rounded to 4 KiB
 * would disagree with the mock about sizes, map too little, trip
 * udmabuf's alignment check, accept sizes that overflow the rounding and
 * split the pool's size classes.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "testutil.h"

/* Enough for a few buffers of the largest page size, far below RAM. */
#define RAM_PAGES 64u

struct pfix {
	struct fixture base;
	size_t page;
};

static int pfix_setup(void **state)
{
	size_t page = *(const size_t *)*state;
	struct pfix *p = calloc(1, sizeof(*p));
	void *inner = NULL;

	assert_non_null(p);
	fixture_setup(&inner);
	p->base = *(struct fixture *)inner;
	free(inner);
	p->page = page ? page : (size_t)sysconf(_SC_PAGESIZE);
	/* Contexts read the page size when made: replace the fixture's. */
	dmaheap_ctx_free(p->base.ctx);
	assert_int_equal(dmaheap_mock_set_meminfo(p->base.mock, page, 0), 0);
	p->base.ctx = fixture_ctx(&p->base, 0);
	dmaheap_mock_reset_calls(p->base.mock);
	*state = p;
	return 0;
}

static int pfix_teardown(void **state)
{
	struct pfix *p = *state;
	struct fixture *f = malloc(sizeof(*f));

	assert_non_null(f);
	*f = p->base;
	free(p);
	*state = f;
	return fixture_teardown(state);
}

/* A fresh context seeing @ram_pages pages of RAM. */
static struct dmaheap_ctx *ctx_with_ram(struct pfix *p, uint64_t ram_pages)
{
	assert_int_equal(dmaheap_mock_set_meminfo(p->base.mock, 0,
						  ram_pages * p->page), 0);
	return fixture_ctx(&p->base, 0);
}

/* The library's size, the mock's (the kernel's) and lseek's agree. */
static void assert_buf_size(struct pfix *p, struct dmaheap_buf *buf,
			    size_t want)
{
	struct dmaheap_mock_buf_info info;
	int fd = dmaheap_buf_fd(buf);

	assert_int_equal(dmaheap_buf_size(buf), want);
	assert_int_equal(dmaheap_mock_buf_info(p->base.mock, fd, &info), 0);
	assert_int_equal(info.size, want);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)want);
}

static void expect_alloc(struct pfix *p, struct dmaheap_ctx *ctx,
			 size_t size, size_t want)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(ctx, "system", size, 0, &buf), 0);
	assert_buf_size(p, buf, want);
	dmaheap_buf_free(buf);
}

static void test_rounding(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_ctx *ctx = p->base.ctx;
	size_t pg = p->page;

	expect_alloc(p, ctx, 1, pg);
	expect_alloc(p, ctx, 4096, pg);
	expect_alloc(p, ctx, 4097, pg == 4096 ? 2 * pg : pg);
	expect_alloc(p, ctx, pg - 1, pg);
	expect_alloc(p, ctx, pg, pg);
	expect_alloc(p, ctx, pg + 1, 2 * pg);
	expect_alloc(p, ctx, 3 * pg, 3 * pg);
}

/* The raw-fd path rounds the same way; lseek shows the kernel's size. */
static void test_rounding_fd_and_chain(void **state)
{
	struct pfix *p = *state;
	const char *chain[] = { "absent", "system" };
	struct dmaheap_buf *buf = NULL;
	int fd = dmaheap_alloc_fd(p->base.ctx, "system", p->page + 1, 0);

	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)(2 * p->page));
	close(fd);
	assert_int_equal(dmaheap_alloc_from(p->base.ctx, chain, 2, 5000, 0,
					    &buf), 1);
	assert_buf_size(p, buf, 5000 <= p->page ? p->page : 2 * p->page);
	dmaheap_buf_free(buf);
}

/* Accounting counts whole pages, as the kernel hands them out. */
static void test_stats_count_pages(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_buf *a = NULL, *b = NULL;
	struct dmaheap_stats s;

	assert_int_equal(dmaheap_alloc(p->base.ctx, "system", 1, 0, &a), 0);
	assert_int_equal(dmaheap_alloc(p->base.ctx, "system", p->page + 1, 0,
				       &b), 0);
	assert_int_equal(dmaheap_ctx_stats(p->base.ctx, "system", &s), 0);
	assert_int_equal(s.live_bytes, 3 * p->page);
	assert_int_equal(s.peak_bytes, 3 * p->page);
	dmaheap_buf_free(a);
	dmaheap_buf_free(b);
}

/* The mapping covers the whole rounded buffer: its last byte too. */
static void test_map_whole_pages(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_buf *buf = NULL;
	unsigned char *v = NULL;
	unsigned char last = 0;
	int fd;

	assert_int_equal(dmaheap_alloc(p->base.ctx, "system", 100, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_map(buf, (void **)&v), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW),
			 0);
	v[p->page - 1] = 0x5a;
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	/* Seen through the file, not only through our mapping. */
	fd = dmaheap_buf_fd(buf);
	assert_int_equal(pread(fd, &last, 1, (off_t)(p->page - 1)), 1);
	assert_int_equal(last, 0x5a);
	dmaheap_buf_free(buf);
}

/* RAM is counted in pages: a size is compared once rounded. */
static void test_ram_limit(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_ctx *ctx = ctx_with_ram(p, RAM_PAGES);
	struct dmaheap_buf *buf = NULL;
	size_t ram = RAM_PAGES * p->page;

	expect_alloc(p, ctx, ram, ram);
	expect_alloc(p, ctx, ram - p->page + 1, ram);
	assert_int_equal(dmaheap_alloc(ctx, "system", ram + 1, 0, &buf),
			 -ENOMEM);
	assert_int_equal(dmaheap_alloc_fd(ctx, "system", ram + 1, 0), -ENOMEM);
	assert_null(buf);
	/* Two that fit, then the refusal: no ioctl for it. */
	assert_int_equal(dmaheap_mock_calls(p->base.mock,
					    DMAHEAP_MOCK_IOCTL_ALLOC), 2);
	dmaheap_ctx_free(ctx);
}

/* Within a page of SIZE_MAX the rounding wraps: -EOVERFLOW, no ioctl.
 * The largest size that does not wrap is a real page count (too big for
 * RAM). With 64 KiB pages, SIZE_MAX - 4095 already wraps. */
static void test_overflow_near_size_max(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_ctx *ctx = p->base.ctx;
	const char *chain[] = { "system" };
	struct dmaheap_buf *buf = NULL;
	size_t top = SIZE_MAX - p->page + 1; /* rounds to itself */
	struct dmaheap_ctx *ram_ctx;

	assert_int_equal(dmaheap_alloc(ctx, "system", top + 1, 0, &buf),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc(ctx, "system", SIZE_MAX, 0, &buf),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc_fd(ctx, "system", top + 1, 0),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc_from(ctx, chain, 1, top + 1, 0, &buf),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc_usage(ctx, 0, top + 1, 0, &buf),
			 -EOVERFLOW);
	if (p->page > 4096)
		assert_int_equal(dmaheap_alloc(ctx, "system", SIZE_MAX - 4095,
					       0, &buf), -EOVERFLOW);
	/* The largest size that does not wrap is refused as larger than RAM:
	 * on a 32-bit build it is under 4 GiB, so the context must see less
	 * RAM than that, whatever this machine has. */
	ram_ctx = ctx_with_ram(p, RAM_PAGES);
	assert_int_equal(dmaheap_alloc(ram_ctx, "system", top, 0, &buf),
			 -ENOMEM);
	dmaheap_ctx_free(ram_ctx);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_calls(p->base.mock,
					    DMAHEAP_MOCK_IOCTL_ALLOC), 0);
}

/* A heap's limits meet rounded sizes: 1 byte takes a whole page of a
 * carveout, and a size just over a limit rounds to a page beyond it. */
static void test_heap_limits_in_pages(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_mock_heap carve = { .capacity = 3 * p->page };
	struct dmaheap_mock_heap small = { .max_size = 2 * p->page };
	const char *chain[] = { "carveout", "system" };
	struct dmaheap_buf *b[4] = { NULL };

	assert_int_equal(dmaheap_mock_add_heap(p->base.mock, "carveout",
					       &carve), 0);
	assert_int_equal(dmaheap_mock_add_heap(p->base.mock, "small", &small),
			 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(dmaheap_alloc(p->base.ctx, "carveout", 1, 0,
					       &b[i]), 0);
	assert_int_equal(dmaheap_alloc_from(p->base.ctx, chain, 2, 1, 0, &b[3]),
			 1);
	dmaheap_buf_free(b[3]);
	dmaheap_buf_free(b[0]);
	assert_int_equal(dmaheap_alloc_from(p->base.ctx, chain, 2, 1, 0, &b[0]),
			 0);
	for (int i = 0; i < 3; i++)
		dmaheap_buf_free(b[i]);

	assert_int_equal(dmaheap_alloc(p->base.ctx, "small", 2 * p->page, 0,
				       &b[0]), 0);
	dmaheap_buf_free(b[0]);
	assert_int_equal(dmaheap_alloc(p->base.ctx, "small", 2 * p->page + 1,
				       0, &b[0]), -ENOMEM);
}

static void set_udmabuf(struct pfix *p, unsigned int limit_mb)
{
	struct dmaheap_mock_udmabuf props = { .size_limit_mb = limit_mb };

	assert_int_equal(dmaheap_mock_set_udmabuf(p->base.mock, &props), 0);
}

/* udmabuf wants page-aligned memfd ranges (EINVAL otherwise): the
 * library's rounding must be the kernel's page, not 4 KiB. */
static void test_udmabuf_alignment(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_buf *buf = NULL;
	unsigned char *v = NULL;

	set_udmabuf(p, 0);
	assert_int_equal(dmaheap_alloc(p->base.ctx, "udmabuf", 4097, 0, &buf),
			 0);
	assert_buf_size(p, buf, p->page == 4096 ? 2 * p->page : p->page);
	assert_int_equal(dmaheap_buf_map(buf, (void **)&v), 0);
	assert_int_equal(v[dmaheap_buf_size(buf) - 1], 0);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_calls(p->base.mock,
					    DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE),
			 1);
}

/* The module's MiB limit against a rounded size: one page over is
 * refused before the device is asked. */
static void test_udmabuf_limit(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_buf *buf = NULL;
	size_t limit = 1u << 20;

	set_udmabuf(p, 1);
	assert_int_equal(dmaheap_alloc(p->base.ctx, "udmabuf", limit, 0, &buf),
			 0);
	assert_buf_size(p, buf, limit);
	dmaheap_buf_free(buf);
	buf = NULL;
	assert_int_equal(dmaheap_alloc(p->base.ctx, "udmabuf", limit + 1, 0,
				       &buf), -EFBIG);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_calls(p->base.mock,
					    DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE),
			 1);
}

/* The pool's size classes are whole pages: two requests that round to
 * the same page count share one, and its byte limit is at least a page. */
static void test_pool_classes_in_pages(void **state)
{
	struct pfix *p = *state;
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;
	struct dmaheap_pool_stats ps;
	struct dmaheap_buf *buf = NULL;

	o.max_bytes = p->page - 1;
	assert_int_equal(dmaheap_ctx_set_pool(p->base.ctx, &o), -EINVAL);
	o.max_bytes = p->page;
	assert_int_equal(dmaheap_ctx_set_pool(p->base.ctx, &o), 0);
	assert_int_equal(dmaheap_alloc(p->base.ctx, "system", 1, 0, &buf), 0);
	dmaheap_buf_free(buf);
	/* The last byte of the same page: the cached buffer serves. */
	assert_int_equal(dmaheap_alloc(p->base.ctx, "system", p->page, 0, &buf),
			 0);
	assert_buf_size(p, buf, p->page);
	assert_int_equal(dmaheap_pool_stats(p->base.ctx, "system", &ps), 0);
	assert_int_equal(ps.hits, 1);
	dmaheap_buf_free(buf);
	/* One byte more is another class, and over the pool's limit. */
	assert_int_equal(dmaheap_alloc(p->base.ctx, "system", p->page + 1, 0,
				       &buf), 0);
	assert_buf_size(p, buf, 2 * p->page);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_pool_stats(p->base.ctx, "system", &ps), 0);
	assert_int_equal(ps.hits, 1);
	assert_int_equal(ps.refused_full, 1);
	assert_int_equal(ps.cached_bytes, p->page);
	assert_int_equal(dmaheap_mock_calls(p->base.mock,
					    DMAHEAP_MOCK_IOCTL_ALLOC), 2);
	assert_int_equal(dmaheap_ctx_set_pool(p->base.ctx, NULL), 0);
}

static const size_t real_page = 0;
static const size_t page_16k = 16 * 1024;
static const size_t page_64k = 64 * 1024;

#define PT(fn, page)                                                          \
	cmocka_unit_test_prestate_setup_teardown(fn, pfix_setup, pfix_teardown, \
						 (void *)&(page))
#define PAGE_TESTS(page)                                                      \
	{                                                                     \
		PT(test_rounding, page),                                      \
		PT(test_rounding_fd_and_chain, page),                         \
		PT(test_stats_count_pages, page),                             \
		PT(test_map_whole_pages, page),                               \
		PT(test_ram_limit, page),                                     \
		PT(test_overflow_near_size_max, page),                        \
		PT(test_heap_limits_in_pages, page),                          \
		PT(test_udmabuf_alignment, page),                             \
		PT(test_udmabuf_limit, page),                                 \
		PT(test_pool_classes_in_pages, page),                         \
	}

int main(void)
{
	const struct CMUnitTest real[] = PAGE_TESTS(real_page);
	const struct CMUnitTest k16[] = PAGE_TESTS(page_16k);
	const struct CMUnitTest k64[] = PAGE_TESTS(page_64k);
	size_t machine = (size_t)sysconf(_SC_PAGESIZE);
	int failed = 0;

	failed += cmocka_run_group_tests_name("pagesize-real", real, NULL, NULL);
	/* The mock's buffers are real memfds: it can pretend larger pages
	 * than the machine's, not smaller ones. */
	if (page_16k > machine)
		failed += cmocka_run_group_tests_name("pagesize-16k", k16,
						      NULL, NULL);
	if (page_64k > machine)
		failed += cmocka_run_group_tests_name("pagesize-64k", k64,
						      NULL, NULL);
	return failed;
}
