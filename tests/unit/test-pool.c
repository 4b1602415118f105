/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool against the mock: hits and misses, the safety rule
 * (a buffer anything else holds, or with a fence pending, is closed),
 * limits, trimming, prewarming, zeroing, fork, threads, and the system
 * calls each step costs.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "pool/pool.h"

#define PAGE 4096

static void pool_on(struct fixture *f, unsigned int flags, uint64_t max_bytes,
		    unsigned int max_buffers, unsigned int idle_ms)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	o.flags = flags;
	if (max_bytes)
		o.max_bytes = max_bytes;
	if (max_buffers)
		o.max_buffers = max_buffers;
	o.idle_ms = idle_ms;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &o), 0);
}

static struct dmaheap_buf *alloc_n(struct fixture *f, size_t size)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", size, 0, &buf), 0);
	return buf;
}

static struct dmaheap_pool_stats stats(struct fixture *f)
{
	struct dmaheap_pool_stats s;

	assert_int_equal(dmaheap_pool_stats(f->ctx, NULL, &s), 0);
	return s;
}

static int64_t allocs(struct fixture *f)
{
	return dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC);
}

/* Frees a buffer of one page and tells whether the pool kept it. */
static bool free_kept(struct fixture *f, struct dmaheap_buf *buf)
{
	uint64_t before = stats(f).recycled;

	dmaheap_buf_free(buf);
	return stats(f).recycled == before + 1;
}

/* Caches @n buffers of one page, made while all are live (no hits). */
static void cache_pages(struct fixture *f, int n)
{
	struct dmaheap_buf *b[8];

	assert_true(n <= 8);
	for (int i = 0; i < n; i++)
		b[i] = alloc_n(f, PAGE);
	for (int i = 0; i < n; i++)
		assert_true(free_kept(f, b[i]));
}

static void fill(struct dmaheap_buf *buf, unsigned char v)
{
	void *p;

	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	memset(p, v, dmaheap_buf_size(buf));
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
}

static unsigned char first_byte(struct dmaheap_buf *buf)
{
	unsigned char v;
	void *p;

	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	v = *(unsigned char *)p;
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	return v;
}

static void test_off_by_default(void **state)
{
	struct fixture *f = *state;

	dmaheap_buf_free(alloc_n(f, PAGE));
	dmaheap_buf_free(alloc_n(f, PAGE));
	assert_int_equal(allocs(f), 2);
	assert_int_equal(stats(f).recycled, 0);
	assert_int_equal(stats(f).hits, 0);
}

static void test_bad_options(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	assert_int_equal(dmaheap_ctx_set_pool(NULL, &o), -EINVAL);
	o.struct_size = sizeof(o) - 1;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &o), -EINVAL);
	o.struct_size = sizeof(o);
	o.flags = 1u << 7;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &o), -EINVAL);
	o.flags = 0;
	o.max_bytes = PAGE - 1;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &o), -EINVAL);
	o.max_bytes = 1 << 20;
	o.max_buffers = 0;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &o), -EINVAL);
	assert_int_equal(dmaheap_pool_trim(NULL, 0), -EINVAL);
	assert_int_equal(dmaheap_pool_trim(f->ctx, 2), -EINVAL);
	assert_int_equal(dmaheap_pool_stats(f->ctx, NULL, NULL), -EINVAL);
	assert_int_equal(dmaheap_pool_stats(NULL, NULL, &(struct dmaheap_pool_stats){0}), -EINVAL);
	assert_int_equal(dmaheap_pool_stats(f->ctx, "a/b", &(struct dmaheap_pool_stats){0}), -EINVAL);
	/* Never on: nothing to trim, all figures zero. */
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_ALL), 0);
	assert_int_equal(stats(f).misses, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", PAGE, 1u << 7,
				       &(struct dmaheap_buf *){NULL}), -EINVAL);
}

static void test_hit_keeps_content(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	int fd;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	fd = dmaheap_buf_fd(buf);
	fill(buf, 0xab);
	assert_true(free_kept(f, buf));
	assert_int_equal(stats(f).cached_buffers, 1);
	assert_int_equal(stats(f).cached_bytes, PAGE);
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 0);
	assert_int_equal(dmaheap_buf_fd(buf), fd);
	assert_int_equal(dmaheap_buf_size(buf), PAGE);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	/* Not zeroed: the header says so loudly. */
	assert_int_equal(first_byte(buf), 0xab);
	assert_int_equal(stats(f).hits, 1);
	assert_int_equal(stats(f).misses, 1);
	assert_int_equal(stats(f).cached_buffers, 0);
	dmaheap_buf_free(buf);
}

static void test_size_classes(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, 2 * PAGE)));
	dmaheap_mock_reset_calls(f->mock);
	/* Another size is another class: a miss. */
	buf = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 1);
	dmaheap_buf_free(buf);
	/* The same size once rounded is a hit. */
	buf = alloc_n(f, PAGE + 1);
	assert_int_equal(allocs(f), 1);
	assert_int_equal(dmaheap_buf_size(buf), 2 * PAGE);
	dmaheap_buf_free(buf);
}

/* A heap has at most 64 size classes. A size beyond them is a miss of
 * that heap's, like any other, and its buffer is not kept. */
static void test_sizes_beyond_the_classes(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_pool_stats s;

	pool_on(f, 0, 0, 0, 0);
	for (size_t k = 1; k <= 64; k++)
		assert_true(free_kept(f, alloc_n(f, k * PAGE)));
	assert_false(free_kept(f, alloc_n(f, 65 * PAGE)));
	s = stats(f);
	assert_int_equal(s.misses, 65);
	assert_int_equal(s.refused_full, 1);
	assert_int_equal(s.cached_buffers, 64);
	assert_int_equal(dmaheap_pool_stats(f->ctx, "system", &s), 0);
	assert_int_equal(s.misses, 65);
	assert_int_equal(s.refused_full, 1);
	/* The class it lacks is not made later either. */
	dmaheap_mock_reset_calls(f->mock);
	dmaheap_buf_free(alloc_n(f, 65 * PAGE));
	assert_int_equal(allocs(f), 1);
	assert_int_equal(stats(f).misses, 66);
}

static void test_fresh_flag(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", PAGE,
				       DMAHEAP_ALLOC_FRESH, &buf), 0);
	assert_int_equal(allocs(f), 1);
	assert_int_equal(stats(f).cached_buffers, 1);
	assert_int_equal(first_byte(buf), 0);
	dmaheap_buf_free(buf);
}

static void test_zero_on_reuse(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, DMAHEAP_POOL_ZERO, 0, 0, 0);
	buf = alloc_n(f, 2 * PAGE);
	fill(buf, 0x5a);
	assert_true(free_kept(f, buf));
	buf = alloc_n(f, 2 * PAGE);
	assert_int_equal(stats(f).hits, 1);
	assert_int_equal(first_byte(buf), 0);
	dmaheap_buf_free(buf);
}

/* The safety rule, each way something else can hold the dma-buf. */
static void test_dup_is_shared(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	int dup_fd;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	dup_fd = dmaheap_buf_dup_fd(buf);
	assert_true(dup_fd >= 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 1);
	assert_int_equal(stats(f).cached_buffers, 0);
	/* The dup still works and the next allocation is fresh. */
	assert_int_equal(lseek(dup_fd, 0, SEEK_END), PAGE);
	dmaheap_mock_reset_calls(f->mock);
	dmaheap_buf_free(alloc_n(f, PAGE));
	assert_int_equal(allocs(f), 1);
	close(dup_fd);
}

static void test_raw_mapping_is_shared(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	void *p;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, dmaheap_buf_fd(buf), 0);
	assert_true(p != MAP_FAILED);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 1);
	munmap(p, PAGE);
}

static void test_library_mapping_not_recycled(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	void *p;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 1);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 2);
}

static void test_outside_holder_is_shared(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	/* A device import or another process's fd. */
	assert_int_equal(dmaheap_mock_buf_hold(f->mock, dmaheap_buf_fd(buf), 1), 1);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 1);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_buf_hold(f->mock, dmaheap_buf_fd(buf), 1), 1);
	assert_int_equal(dmaheap_mock_buf_hold(f->mock, dmaheap_buf_fd(buf), -1), 0);
	assert_int_equal(dmaheap_mock_buf_hold(f->mock, dmaheap_buf_fd(buf), -1), -EINVAL);
	assert_true(free_kept(f, buf));
}

static void test_pending_fence_is_busy(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_buf_set_fence(f->mock, dmaheap_buf_fd(buf), true), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_busy, 1);
	assert_int_equal(stats(f).refused_shared, 0);
}

static void test_unreadable_fdinfo_is_shared(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_OPEN, 0, 1, ENOENT), 0);
	assert_false(free_kept(f, buf));
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_READ, 0, 1, EIO), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 2);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_POLL, 0, 1, EINTR), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_busy, 1);
}

static void test_imports_never_pooled(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_n(f, PAGE), *imp = NULL;

	pool_on(f, 0, 0, 0, 0);
	assert_int_equal(dmaheap_import(f->ctx, dmaheap_buf_fd(buf), &imp), 0);
	dmaheap_buf_free(buf);
	/* The import now holds the only fd, yet is not the pool's to keep. */
	dmaheap_buf_free(imp);
	assert_int_equal(stats(f).recycled, 0);
	assert_int_equal(stats(f).cached_buffers, 0);
}

/* What each step costs in system calls. */
static void test_syscalls(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	int64_t total = 0;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	dmaheap_mock_reset_calls(f->mock);
	/* The first check opens the buffer's fdinfo, which stays open. */
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READ), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_POLL), 1);
	for (int c = 0; c < DMAHEAP_MOCK_CALL_COUNT; c++)
		total += dmaheap_mock_calls(f->mock, (enum dmaheap_mock_call)c);
	assert_int_equal(total, 3);
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	for (int c = 0; c < DMAHEAP_MOCK_CALL_COUNT; c++)
		assert_int_equal(dmaheap_mock_calls(f->mock, (enum dmaheap_mock_call)c), 0);
	/* Later checks: one pread and one poll. */
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READ), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_POLL), 1);
	total = 0;
	for (int c = 0; c < DMAHEAP_MOCK_CALL_COUNT; c++)
		total += dmaheap_mock_calls(f->mock, (enum dmaheap_mock_call)c);
	assert_int_equal(total, 2);
}

/* A recycled buffer dup'ed later is caught by the kept fdinfo too; its fd
 * given away with dmaheap_buf_release_fd() takes the fdinfo file along to
 * its grave (the teardown counts fds). */
static void test_kept_fdinfo(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	int d, fd;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	buf = alloc_n(f, PAGE);
	d = dmaheap_buf_dup_fd(buf);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 1);
	close(d);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	buf = alloc_n(f, PAGE);
	assert_int_equal(stats(f).hits, 2);
	fd = dmaheap_buf_release_fd(buf);
	assert_true(fd >= 0);
	close(fd);
}

static void test_renamed_buffer_named_again(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_buf_info info;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_set_name(buf, "frame-7"), 0);
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 1);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf), &info), 0);
	assert_string_equal(info.name, "system");
	/* Named as its heap: a hit costs nothing. */
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
	dmaheap_buf_free(buf);
}

static void test_limit_per_class(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *b[3];

	pool_on(f, 0, 0, 2, 0);
	for (int i = 0; i < 3; i++)
		b[i] = alloc_n(f, PAGE);
	assert_true(free_kept(f, b[0]));
	assert_true(free_kept(f, b[1]));
	assert_false(free_kept(f, b[2]));
	assert_int_equal(stats(f).refused_full, 1);
	assert_int_equal(stats(f).cached_buffers, 2);
}

static void test_limit_bytes(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a = alloc_n(f, 2 * PAGE), *b = alloc_n(f, 2 * PAGE);
	struct dmaheap_buf *c = alloc_n(f, PAGE);

	pool_on(f, 0, 3 * PAGE, 0, 0);
	assert_true(free_kept(f, a));
	assert_false(free_kept(f, b));
	assert_true(free_kept(f, c));
	assert_int_equal(stats(f).cached_bytes, 3 * PAGE);
	assert_int_equal(stats(f).refused_full, 1);
}

static void test_lower_limits_trim(void **state)
{
	struct fixture *f = *state;

	pool_on(f, 0, 0, 0, 0);
	cache_pages(f, 4);
	pool_on(f, 0, 0, 3, 0);
	assert_int_equal(stats(f).cached_buffers, 3);
	pool_on(f, 0, 2 * PAGE, 3, 0);
	assert_int_equal(stats(f).cached_buffers, 2);
	assert_int_equal(stats(f).released, 2);
	/* Off: everything goes, and frees close again. */
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, NULL), 0);
	assert_int_equal(stats(f).cached_buffers, 0);
	assert_int_equal(stats(f).released, 4);
	assert_false(free_kept(f, alloc_n(f, PAGE)));
}

/*
 * A hit keeps its reservation for the thread's next free, so a thread
 * that takes and gives back writes no counter other threads write. At a
 * limit, reservations held for buffers still out are given back first:
 * they never refuse a free that fits beside what is cached.
 */
static void test_held_given_back_at_limit(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a = alloc_n(f, PAGE), *big = alloc_n(f, 2 * PAGE);
	struct dmaheap_pool_stats s;

	pool_on(f, 0, 2 * PAGE, 0, 0);
	assert_true(free_kept(f, a));
	a = alloc_n(f, PAGE);
	assert_int_equal(stats(f).hits, 1);
	/* Nothing cached: the page held for a leaves room for two. */
	assert_true(free_kept(f, big));
	s = stats(f);
	assert_int_equal(s.cached_bytes, 2 * PAGE);
	assert_int_equal(s.refused_full, 0);
	assert_false(free_kept(f, a));
	assert_int_equal(stats(f).refused_full, 1);
}

/* Frees a buffer of its own, takes it back (a hit, from its own stripe,
 * which holds the reservation) and hands it over. */
static void *give_and_take(void *arg)
{
	struct fixture *f = arg;
	struct dmaheap_buf *buf = NULL;

	if (dmaheap_alloc(f->ctx, "system", PAGE, 0, &buf))
		return NULL;
	dmaheap_buf_free(buf);
	if (dmaheap_alloc(f->ctx, "system", PAGE, 0, &buf))
		return NULL;
	return buf;
}

/* A reservation another thread's stripe holds is given back too. */
static void test_held_by_another_thread(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *other = alloc_n(f, PAGE);
	pthread_t t;
	void *r;

	pool_on(f, 0, 0, 1, 0);
	assert_int_equal(pthread_create(&t, NULL, give_and_take, f), 0);
	assert_int_equal(pthread_join(t, &r), 0);
	assert_non_null(r);
	assert_int_equal(stats(f).hits, 1);
	assert_int_equal(stats(f).cached_buffers, 0);
	/* The class's one place is held for r, which is out: other fits. */
	assert_true(free_kept(f, other));
	assert_false(free_kept(f, r));
	assert_int_equal(stats(f).cached_buffers, 1);
	assert_int_equal(stats(f).refused_full, 1);
}

/* Lowering a limit trims to what is cached, not to what is held. */
static void test_lower_limit_counts_cached(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *held;

	pool_on(f, 0, 0, 3, 0);
	cache_pages(f, 3);
	held = alloc_n(f, PAGE);
	pool_on(f, 0, 0, 2, 0);
	assert_int_equal(stats(f).cached_buffers, 2);
	assert_int_equal(stats(f).released, 0);
	assert_false(free_kept(f, held));
	assert_int_equal(stats(f).refused_full, 1);
}

/* Prewarming counts what is cached: a place held for a buffer out is
 * not a buffer ready to hand out. */
static void test_prewarm_counts_cached(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a, *b;

	pool_on(f, 0, 0, 4, 0);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 2, 0), 2);
	a = alloc_n(f, PAGE);
	b = alloc_n(f, PAGE);
	assert_int_equal(stats(f).cached_buffers, 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 2, 0), 2);
	assert_int_equal(allocs(f), 2);
	assert_int_equal(stats(f).cached_buffers, 2);
	assert_true(free_kept(f, a));
	assert_true(free_kept(f, b));
	assert_int_equal(stats(f).cached_buffers, 4);
}

static void test_trim(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a = alloc_n(f, PAGE), *b = alloc_n(f, 2 * PAGE);

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, a));
	assert_true(free_kept(f, b));
	/* No idle timeout: nothing is idle. */
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_IDLE), 0);
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_ALL), 2);
	assert_int_equal(stats(f).cached_buffers, 0);
	assert_int_equal(stats(f).released, 2);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static void test_idle_timeout(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a = alloc_n(f, PAGE), *b = alloc_n(f, PAGE);

	pool_on(f, 0, 0, 0, 60000);
	assert_true(free_kept(f, a));
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_IDLE), 0);
	pool_on(f, 0, 0, 0, 1);
	sleep_ms(5);
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_IDLE), 1);
	/* Expired buffers also go on the class's next free. */
	a = alloc_n(f, PAGE);
	assert_true(free_kept(f, a));
	sleep_ms(5);
	assert_true(free_kept(f, b));
	assert_int_equal(stats(f).cached_buffers, 1);
	assert_int_equal(stats(f).released, 2);
}

static void test_prewarm(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *b[5];

	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 4, 0), -EOPNOTSUPP);
	pool_on(f, 0, 0, 4, 0);
	assert_int_equal(dmaheap_pool_prewarm(NULL, "system", PAGE, 4, 0), -EINVAL);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 0, 0), -EINVAL);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", 0, 1, 0), -EINVAL);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "nope", PAGE, 1, 0), -ENOENT);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 3, 0), 3);
	assert_int_equal(allocs(f), 3);
	/* What the class holds counts; the limit caps it. */
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 3, 0), 3);
	assert_int_equal(allocs(f), 3);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 8, 0), 4);
	assert_int_equal(allocs(f), 5);
	dmaheap_mock_reset_calls(f->mock);
	for (int i = 0; i < 4; i++)
		b[i] = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 0);
	b[4] = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 1);
	for (int i = 0; i < 5; i++)
		dmaheap_buf_free(b[i]);
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_ALL), 4);
	/* The kernel runs dry after two: two cached, and said so. */
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC, 2, 1, ENOMEM), 0);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 4, 0), 2);
	assert_int_equal(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_ALL), 2);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC, 0, 1, ENOMEM), 0);
	assert_int_equal(dmaheap_pool_prewarm(f->ctx, "system", PAGE, 4, 0), -ENOMEM);
}

static void test_alias_served_from_member(void **state)
{
	struct fixture *f = *state;
	const char *members[] = { "absent", "system" };
	struct dmaheap_pool_stats s;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "fast", members, 2), 0);
	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, "fast", PAGE, 0, &buf), 0);
	assert_int_equal(allocs(f), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	assert_int_equal(dmaheap_pool_stats(f->ctx, "system", &s), 0);
	assert_int_equal(s.hits, 1);
	assert_int_equal(dmaheap_pool_stats(f->ctx, "fast", &s), 0);
	assert_int_equal(s.hits, 0);
	dmaheap_buf_free(buf);
}

/* dmaheap_alloc_usage() and dmaheap_alloc_from() go through the pool too. */
static void test_usage_and_fallback_use_pool(void **state)
{
	struct fixture *f = *state;
	const char *heaps[] = { "absent", "system" };
	struct dmaheap_buf *buf = NULL;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_CPU_RARELY,
					     PAGE, 0, &buf), 0);
	assert_int_equal(allocs(f), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	assert_true(free_kept(f, buf));
	assert_int_equal(dmaheap_alloc_from(f->ctx, heaps, 2, PAGE, 0, &buf), 1);
	assert_int_equal(allocs(f), 0);
	assert_int_equal(stats(f).hits, 2);
	dmaheap_buf_free(buf);
}

static void test_context_stats_follow(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_stats s;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &s), 0);
	assert_int_equal(s.live_buffers, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &s), 0);
	assert_int_equal(s.live_buffers, 1);
	assert_int_equal(s.live_bytes, PAGE);
	dmaheap_buf_free(buf);
}

/* The teardown's leak checks prove the cached buffers were closed. */
static void test_context_free_closes_cache(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	buf = alloc_n(f, 2 * PAGE);
	/* The caller's reference goes first: the last free is not pooled. */
	dmaheap_ctx_free(f->ctx);
	dmaheap_buf_free(buf);
	f->ctx = NULL;
}

static void test_fork_child_serves_nothing(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	pool_on(f, 0, 0, 0, 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dmaheap_buf *buf = NULL;
		struct dmaheap_pool_stats s;

		/* The cached fd is the parent's too: a hit would share it. */
		if (dmaheap_alloc(f->ctx, "system", PAGE, 0, &buf) != 0)
			_exit(2);
		dmaheap_pool_stats(f->ctx, NULL, &s);
		dmaheap_buf_free(buf);
		if (s.hits != 0)
			_exit(3);
		_exit(dmaheap_pool_trim(f->ctx, DMAHEAP_POOL_TRIM_ALL) == 1 ? 0 : 4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	dmaheap_buf_free(alloc_n(f, PAGE));
	assert_int_equal(stats(f).hits, 1);
}

/* ------------------------------------------------------------------------ */
/* What a recycled buffer may never carry: data, holders, a name            */
/* ------------------------------------------------------------------------ */

static bool all_zero(struct dmaheap_buf *buf)
{
	const unsigned char *c;
	bool zero = true;
	void *p;

	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	c = p;
	for (size_t i = 0; i < dmaheap_buf_size(buf); i++)
		zero = zero && c[i] == 0;
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	return zero;
}

/* Buffers cached before DMAHEAP_POOL_ZERO was turned on are zeroed when
 * handed out; those cached with it on are not zeroed twice. */
static void test_zero_turned_on_later(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, 2 * PAGE);
	fill(buf, 0x5a);
	assert_true(free_kept(f, buf));
	pool_on(f, DMAHEAP_POOL_ZERO, 0, 0, 0);
	assert_int_equal(stats(f).cached_buffers, 1);
	buf = alloc_n(f, 2 * PAGE);
	assert_int_equal(stats(f).hits, 1);
	assert_true(all_zero(buf));
	fill(buf, 0x5a);
	assert_true(free_kept(f, buf));
	/* Zeroed on the way in: a hit costs no mapping. */
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, 2 * PAGE);
	assert_int_equal(stats(f).hits, 2);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MMAP), 0);
	assert_true(all_zero(buf));
	dmaheap_buf_free(buf);
}

/* Zeroing on the way out fails (the buffer cannot be mapped): the buffer
 * is closed, never handed out dirty. */
static void test_zero_later_fails_closes(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	fill(buf, 0x5a);
	assert_true(free_kept(f, buf));
	pool_on(f, DMAHEAP_POOL_ZERO, 0, 0, 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MMAP, 0, 1, ENOMEM), 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 1);
	assert_int_equal(stats(f).hits, 0);
	assert_int_equal(stats(f).released, 1);
	assert_int_equal(stats(f).cached_buffers, 0);
	assert_true(all_zero(buf));
	dmaheap_buf_free(buf);
}

/* A child that waits until told, holding every fd it inherited. */
static pid_t fork_holder(int *release)
{
	int p[2];
	pid_t pid;
	char b;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*release = p[1];
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * A buffer cached before a fork() is held by the child too: the parent
 * must not hand it out. The mock counts only this process's fds, so the
 * child's copy is declared with a hold, as the kernel would count it.
 */
static void test_fork_child_holds_cached(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	int fd, release;
	pid_t pid;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	fd = dmaheap_buf_fd(buf);
	assert_true(free_kept(f, buf));
	pid = fork_holder(&release);
	assert_int_equal(dmaheap_mock_buf_hold(f->mock, fd, 1), 1);
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 1);
	assert_int_equal(stats(f).hits, 0);
	assert_int_equal(stats(f).released, 1);
	assert_int_equal(stats(f).cached_buffers, 0);
	/* Checked since: cached and served again without a new check. */
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(stats(f).hits, 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READ), 0);
	dmaheap_buf_free(buf);
	close(release);
	reap(pid);
}

/* A child wrote to a cached buffer and let go of it: the buffer is sole
 * again, but a zeroing pool zeroes it again before handing it out. */
static void test_fork_child_wrote_cached(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	pid_t pid;
	int fd;

	pool_on(f, DMAHEAP_POOL_ZERO, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	fd = dmaheap_buf_fd(buf);
	assert_true(free_kept(f, buf));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);

		if (p == MAP_FAILED)
			_exit(2);
		memset(p, 0x77, PAGE);
		_exit(0);
	}
	reap(pid);
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 0);
	assert_int_equal(dmaheap_buf_fd(buf), fd);
	assert_true(all_zero(buf));
	/* Checked again: the fdinfo read once more. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READ), 1);
	dmaheap_buf_free(buf);
}

static void expect_name(struct fixture *f, struct dmaheap_buf *buf,
			const char *name)
{
	struct dmaheap_mock_buf_info info;

	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf), &info), 0);
	assert_string_equal(info.name, name);
}

static struct dmaheap_buf *alloc_unnamed(struct fixture *f)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", PAGE,
				       DMAHEAP_ALLOC_NO_NAME, &buf), 0);
	return buf;
}

/* A heap name too long for a buffer's: the cut name it auto-names with is
 * its own, and a shorter cut is a name of the user's. */
static void test_long_heap_name_named_again(void **state)
{
	static const char heap[] = "a-heap-whose-name-is-longer-than-31-bytes";
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	char cut[31];

	assert_int_equal(dmaheap_mock_add_heap(f->mock, heap, NULL), 0);
	pool_on(f, 0, 0, 0, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, heap, PAGE, 0, &buf), 0);
	expect_name(f, buf, "a-heap-whose-name-is-longer-tha");
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, heap, PAGE, 0, &buf), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
	/* One byte shorter than the cut: not the heap's name. */
	memcpy(cut, heap, sizeof(cut) - 1);
	cut[sizeof(cut) - 1] = '\0';
	assert_int_equal(dmaheap_buf_set_name(buf, cut), 0);
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, heap, PAGE, 0, &buf), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 1);
	expect_name(f, buf, "a-heap-whose-name-is-longer-tha");
	dmaheap_buf_free(buf);
}

/* A request for no name gets a buffer without its last user's name, nor
 * the heap's; one with a name already right costs nothing. */
static void test_no_name_clears_name(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_set_name(buf, "alice-secret"), 0);
	assert_true(free_kept(f, buf));
	buf = alloc_unnamed(f);
	assert_int_equal(stats(f).hits, 1);
	expect_name(f, buf, "");
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_unnamed(f);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
	assert_true(free_kept(f, buf));
	/* Auto-named again on request. */
	buf = alloc_n(f, PAGE);
	expect_name(f, buf, "system");
	assert_true(free_kept(f, buf));
	buf = alloc_unnamed(f);
	expect_name(f, buf, "");
	dmaheap_buf_free(buf);
}

static void test_no_autoname_ctx_clears_name(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	dmaheap_ctx_free(f->ctx);
	f->ctx = fixture_ctx(f, DMAHEAP_CTX_NO_AUTONAME);
	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	expect_name(f, buf, "");
	assert_int_equal(dmaheap_buf_set_name(buf, "alice-secret"), 0);
	assert_true(free_kept(f, buf));
	buf = alloc_n(f, PAGE);
	assert_int_equal(stats(f).hits, 1);
	expect_name(f, buf, "");
	dmaheap_buf_free(buf);
}

/* The name cannot be cleared: the buffer is closed, not handed out. */
static void test_name_not_cleared_closes(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_set_name(buf, "alice-secret"), 0);
	assert_true(free_kept(f, buf));
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME, 0, 1, ENOMEM), 0);
	buf = alloc_unnamed(f);
	assert_int_equal(allocs(f), 1);
	assert_int_equal(stats(f).hits, 0);
	assert_int_equal(stats(f).released, 1);
	expect_name(f, buf, "");
	dmaheap_buf_free(buf);
}

/* Without a "count:" line (older kernels) nothing can be told: shared. */
static void test_no_count_is_shared(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;
	int release;
	pid_t pid;

	assert_int_equal(dmaheap_mock_fdinfo_count(NULL, false), -EINVAL);
	pool_on(f, 0, 0, 0, 0);
	assert_int_equal(dmaheap_mock_fdinfo_count(f->mock, false), 0);
	assert_false(free_kept(f, alloc_n(f, PAGE)));
	assert_int_equal(stats(f).refused_shared, 1);
	/* Nor is a buffer cached before a fork handed out on faith. */
	assert_int_equal(dmaheap_mock_fdinfo_count(f->mock, true), 0);
	assert_true(free_kept(f, alloc_n(f, PAGE)));
	pid = fork_holder(&release);
	assert_int_equal(dmaheap_mock_fdinfo_count(f->mock, false), 0);
	dmaheap_mock_reset_calls(f->mock);
	buf = alloc_n(f, PAGE);
	assert_int_equal(allocs(f), 1);
	assert_int_equal(stats(f).hits, 0);
	assert_int_equal(stats(f).released, 1);
	dmaheap_buf_free(buf);
	close(release);
	reap(pid);
}

/* A name can hold a newline and fake an fdinfo line: a second "count:"
 * leaves the count unknown, never taken from the name. */
static void test_count_faked_by_name_is_shared(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_set_name(buf, "x\ncount:\t1"), 0);
	assert_int_equal(dmaheap_mock_fdinfo_count(f->mock, false), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(dmaheap_mock_fdinfo_count(f->mock, true), 0);
	buf = alloc_n(f, PAGE);
	assert_int_equal(dmaheap_buf_set_name(buf, "x\ncount:\t1"), 0);
	assert_false(free_kept(f, buf));
	assert_int_equal(stats(f).refused_shared, 2);
}

#define THREADS 4
#define ROUNDS 200

static void *churn(void *arg)
{
	struct dmaheap_ctx *ctx = arg;

	for (int i = 0; i < ROUNDS; i++) {
		struct dmaheap_buf *buf = NULL;

		if (dmaheap_alloc(ctx, "system", PAGE * (1 + i % 2), 0, &buf))
			return (void *)1;
		dmaheap_buf_free(buf);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	pthread_t t[THREADS];
	struct dmaheap_pool_stats s;

	pool_on(f, 0, 0, 0, 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn, f->ctx), 0);
	for (int i = 0; i < THREADS; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
	s = stats(f);
	assert_int_equal(s.hits + s.misses, THREADS * ROUNDS);
	assert_int_equal(s.recycled + s.refused_full, THREADS * ROUNDS);
	assert_true(s.hits > 0);
	assert_true(s.cached_buffers <= 2 * THREADS);
}

/* Hits, misses and buffers kept are counted in the thread's own shard of
 * the heap, and read exactly, per heap and in all. */
static void test_hot_counts_in_own_shard(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_pool_stats s;
	struct dmaheap_buf *buf;

	pool_on(f, 0, 0, 0, 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(dmaheap_alloc(f->ctx, "system", PAGE, 0, &buf),
				 0);
		dmaheap_buf_free(buf);
	}
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 2 * PAGE, 0, &buf),
			 0);
	dmaheap_buf_free(buf);
	s = stats(f);
	assert_int_equal(s.hits, 9);
	assert_int_equal(s.misses, 2);
	assert_int_equal(s.recycled, 11);
	assert_int_equal(dmaheap_pool_stats(f->ctx, "system", &s), 0);
	assert_int_equal(s.hits, 9);
	assert_int_equal(s.misses, 2);
	assert_int_equal(s.recycled, 11);
	assert_int_equal(s.cached_buffers, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_off_by_default),
		FIXTURE_TEST(test_bad_options),
		FIXTURE_TEST(test_hit_keeps_content),
		FIXTURE_TEST(test_size_classes),
		FIXTURE_TEST(test_sizes_beyond_the_classes),
		FIXTURE_TEST(test_fresh_flag),
		FIXTURE_TEST(test_zero_on_reuse),
		FIXTURE_TEST(test_dup_is_shared),
		FIXTURE_TEST(test_raw_mapping_is_shared),
		FIXTURE_TEST(test_library_mapping_not_recycled),
		FIXTURE_TEST(test_outside_holder_is_shared),
		FIXTURE_TEST(test_pending_fence_is_busy),
		FIXTURE_TEST(test_unreadable_fdinfo_is_shared),
		FIXTURE_TEST(test_imports_never_pooled),
		FIXTURE_TEST(test_syscalls),
		FIXTURE_TEST(test_kept_fdinfo),
		FIXTURE_TEST(test_renamed_buffer_named_again),
		FIXTURE_TEST(test_long_heap_name_named_again),
		FIXTURE_TEST(test_limit_per_class),
		FIXTURE_TEST(test_limit_bytes),
		FIXTURE_TEST(test_lower_limits_trim),
		FIXTURE_TEST(test_trim),
		FIXTURE_TEST(test_idle_timeout),
		FIXTURE_TEST(test_prewarm),
		FIXTURE_TEST(test_held_given_back_at_limit),
		FIXTURE_TEST(test_held_by_another_thread),
		FIXTURE_TEST(test_lower_limit_counts_cached),
		FIXTURE_TEST(test_prewarm_counts_cached),
		FIXTURE_TEST(test_alias_served_from_member),
		FIXTURE_TEST(test_usage_and_fallback_use_pool),
		FIXTURE_TEST(test_context_stats_follow),
		FIXTURE_TEST(test_context_free_closes_cache),
		FIXTURE_TEST(test_fork_child_serves_nothing),
		FIXTURE_TEST(test_threads),
		FIXTURE_TEST(test_hot_counts_in_own_shard),
		FIXTURE_TEST(test_zero_turned_on_later),
		FIXTURE_TEST(test_zero_later_fails_closes),
		FIXTURE_TEST(test_fork_child_holds_cached),
		FIXTURE_TEST(test_fork_child_wrote_cached),
		FIXTURE_TEST(test_no_name_clears_name),
		FIXTURE_TEST(test_no_autoname_ctx_clears_name),
		FIXTURE_TEST(test_name_not_cleared_closes),
		FIXTURE_TEST(test_no_count_is_shared),
		FIXTURE_TEST(test_count_faked_by_name_is_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
