/* SPDX-License-Identifier: MIT */
/* Allocation: sizes, flags, heap errors, naming, fallbacks, accounting. */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "testutil.h"

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void test_alloc_rounds_and_names(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_buf_info info;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 1, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), page());
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	assert_string_equal(info.name, "system");
	assert_int_equal(info.size, page());
	dmaheap_buf_free(buf);

	assert_int_equal(dmaheap_alloc(f->ctx, "system", page() + 1, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), 2 * page());
	dmaheap_buf_free(buf);
}

static void test_alloc_larger_page_size(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx;

	/* Contexts read the page size when made: a 64 KiB-page machine. */
	assert_int_equal(dmaheap_mock_set_meminfo(f->mock, 65536, 0), 0);
	ctx = fixture_ctx(f, 0);
	assert_int_equal(dmaheap_alloc(ctx, "system", 5000, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), 65536);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

static void test_alloc_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(NULL, "system", 4096, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc(f->ctx, NULL, 4096, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, NULL), -EINVAL);
	assert_int_equal(dmaheap_alloc(f->ctx, "../x", 4096, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 0, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 1u << 7, &buf),
			 -EINVAL);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "system", 0, 0), -EINVAL);
	assert_int_equal(dmaheap_alloc_fd(NULL, "system", 1, 0), -EINVAL);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "", 1, 0), -EINVAL);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "system", 1, ~0u), -EINVAL);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 0);
}

static void test_alloc_size_guards(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", SIZE_MAX, 0, &buf),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", SIZE_MAX - page() + 2,
				       0, &buf), -EOVERFLOW);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "system", SIZE_MAX, 0),
			 -EOVERFLOW);

	/* Larger than RAM: the real system heap would OOM-kill us. */
	assert_int_equal(dmaheap_mock_set_meminfo(f->mock, 0, 1u << 30), 0);
	ctx = fixture_ctx(f, 0);
	assert_int_equal(dmaheap_alloc(ctx, "system", (1u << 30) + 1, 0, &buf),
			 -ENOMEM);
	assert_int_equal(dmaheap_alloc(ctx, "system", 1u << 30, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
}

static void test_alloc_heap_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_mock_heap small = { .max_size = 8192 };
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "locked", &locked), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "small", &small), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "absent", 1, 0, &buf), -ENOENT);
	assert_int_equal(dmaheap_alloc(f->ctx, "locked", 1, 0, &buf), -EACCES);
	assert_int_equal(dmaheap_alloc(f->ctx, "small", 8193, 0, &buf), -ENOMEM);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "locked", 1, 0), -EACCES);
	assert_null(buf);
}

static void test_alloc_capacity_and_fail_after(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap carve = { .capacity = 2 * 65536 };
	struct dmaheap_mock_heap flaky = { .fail_after = 3 };
	struct dmaheap_buf *a = NULL, *b = NULL, *c = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "carveout", &carve), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "carveout", 65536, 0, &a), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "carveout", 65536, 0, &b), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "carveout", 1, 0, &c), -ENOMEM);
	dmaheap_buf_free(a);
	assert_int_equal(dmaheap_alloc(f->ctx, "carveout", 65536, 0, &c), 0);
	dmaheap_buf_free(b);
	dmaheap_buf_free(c);

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "flaky", &flaky), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "flaky", 1, 0, &a), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "flaky", 1, 0, &b), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "flaky", 1, 0, &c), -ENOMEM);
	dmaheap_buf_free(a);
	dmaheap_buf_free(b);
}

static void test_alloc_retries_eintr(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 3, EINTR), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 1, 0, &buf), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 4);
	dmaheap_buf_free(buf);
}

static void test_alloc_ioctl_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats st;

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 1, EMFILE), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 1, 0, &buf), -EMFILE);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 1, ENOMEM), 0);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "system", 1, 0), -ENOMEM);
	assert_null(buf);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), 0);
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.allocations, 0);
}

static void test_naming_failure_is_not_fatal(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_buf_info info;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME,
					     0, 1, ENOTTY), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 1, 0, &buf), 0);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	assert_string_equal(info.name, "");
	dmaheap_buf_free(buf);
}

static void test_naming_opt_outs(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx = fixture_ctx(f, DMAHEAP_CTX_NO_AUTONAME);

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 1,
				       DMAHEAP_ALLOC_NO_NAME, &buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_alloc(ctx, "system", 1, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
}

static void test_long_heap_name_is_cut_for_label(void **state)
{
	struct fixture *f = *state;
	const char *heap = "a-heap-name-well-beyond-thirty-one-bytes";
	struct dmaheap_mock_buf_info info;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, heap, NULL), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, heap, 1, 0, &buf), 0);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	assert_int_equal(strlen(info.name), DMAHEAP_NAME_MAX);
	assert_memory_equal(info.name, heap, DMAHEAP_NAME_MAX);
	assert_string_equal(dmaheap_buf_heap_name(buf), heap);
	dmaheap_buf_free(buf);
}

static void test_alloc_fd(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_stats st;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 3 * page() - 7, 0);

	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)(3 * page()));
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.allocations, 1);
	assert_int_equal(st.live_buffers, 0);
	close(fd);
}

static void test_alloc_from_falls_back(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_mock_heap full = { .capacity = 4096 };
	struct dmaheap_mock_heap nodev = { .node = DMAHEAP_MOCK_NODE_NO_DEVICE };
	const char *chain[] = { "absent", "locked", "nodev", "carveout", "system" };
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "locked", &locked), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "carveout", &full), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "nodev", &nodev), 0);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 5, 65536, 0, &buf), 4);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	/* The carveout serves what fits. */
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 5, 4096, 0, &buf), 3);
	assert_string_equal(dmaheap_buf_heap_name(buf), "carveout");
	dmaheap_buf_free(buf);
}

static void test_alloc_from_most_telling_error(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_mock_heap full = { .max_size = 4096 };
	const char *a[] = { "absent", "locked", "full" };
	const char *b[] = { "absent", "locked" };
	const char *c[] = { "absent", "gone" };
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "locked", &locked), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "full", &full), 0);
	assert_int_equal(dmaheap_alloc_from(f->ctx, a, 3, 65536, 0, &buf), -ENOMEM);
	assert_int_equal(dmaheap_alloc_from(f->ctx, b, 2, 65536, 0, &buf), -EACCES);
	assert_int_equal(dmaheap_alloc_from(f->ctx, c, 2, 65536, 0, &buf), -ENOENT);
	assert_null(buf);
}

static void test_alloc_from_stops_on_hard_error(void **state)
{
	struct fixture *f = *state;
	const char *chain[] = { "first", "system" };
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "first", NULL), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 1, EMFILE), 0);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 2, 1, 0, &buf), -EMFILE);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	assert_null(buf);
}

static void test_alloc_from_bad_arguments(void **state)
{
	struct fixture *f = *state;
	const char *chain[129];
	const char *bad[] = { "system", "a/b" };
	struct dmaheap_buf *buf = NULL;

	for (size_t i = 0; i < 129; i++)
		chain[i] = "system";
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 0, 1, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 129, 1, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, NULL, 1, 1, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(NULL, chain, 1, 1, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 1, 1, 0, NULL), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, bad, 2, 1, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 1, 0, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 1, 1, 4u, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 1, SIZE_MAX, 0, &buf),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 128, 1, 0, &buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
}

static void test_stats(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap other = { 0 };
	struct dmaheap_buf *a = NULL, *b = NULL, *c = NULL;
	struct dmaheap_stats st;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "other", &other), 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), -ENOENT);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 8192, 0, &b), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "other", 4096, 0, &c), 0);
	dmaheap_buf_free(a);
	assert_int_equal(dmaheap_alloc(f->ctx, "absent", 1, 0, &a), -ENOENT);

	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), 0);
	assert_int_equal(st.live_buffers, 1);
	assert_int_equal(st.live_bytes, 8192);
	assert_int_equal(st.peak_bytes, 12288);
	assert_int_equal(st.allocations, 2);
	assert_int_equal(st.failures, 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 2);
	assert_int_equal(st.live_bytes, 12288);
	assert_int_equal(st.peak_bytes, 16384);
	assert_int_equal(st.allocations, 3);
	assert_int_equal(st.failures, 1);
	dmaheap_buf_free(b);
	dmaheap_buf_free(c);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(st.peak_bytes, 16384);

	assert_int_equal(dmaheap_ctx_stats(NULL, NULL, &st), -EINVAL);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, NULL), -EINVAL);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "a/b", &st), -EINVAL);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "absent", &st), -ENOENT);
}

/* Listing or probing a heap gives it no figures; an allocation attempt,
 * even a failed one, does (issue 7, defect 8). */
static void test_stats_only_after_alloc_attempt(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap full = { .capacity = 4096 };
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_stats st;
	const char *heap = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "full", &full), 0);
	assert_int_equal(dmaheap_heap_list(f->ctx, &list), 2);
	dmaheap_heap_list_free(list);
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(dmaheap_has_heap(f->ctx, "full"), 1);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "system", &heap), 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), -ENOENT);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "full", &st), -ENOENT);
	assert_int_equal(dmaheap_alloc_fd(f->ctx, "full", 8192, 0), -ENOMEM);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "full", &st), 0);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.allocations, 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), -ENOENT);
}

#define THREADS 8
#define ROUNDS 200

static void *alloc_loop(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		struct dmaheap_buf *buf;
		void *p;
		int r = dmaheap_alloc(arg, "system", 4096, 0, &buf);

		if (r)
			return (void *)(intptr_t)r;
		r = dmaheap_buf_map(buf, &p);
		if (r == 0)
			r = dmaheap_buf_unmap(buf);
		dmaheap_buf_free(buf);
		if (r)
			return (void *)(intptr_t)r;
	}
	return NULL;
}

static void test_concurrent_alloc(void **state)
{
	struct fixture *f = *state;
	pthread_t t[THREADS];
	struct dmaheap_stats st;

	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, alloc_loop, f->ctx), 0);
	for (int i = 0; i < THREADS; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.allocations, THREADS * ROUNDS);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN),
			 NODE_OPEN_CALLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_alloc_rounds_and_names),
		FIXTURE_TEST(test_alloc_larger_page_size),
		FIXTURE_TEST(test_alloc_bad_arguments),
		FIXTURE_TEST(test_alloc_size_guards),
		FIXTURE_TEST(test_alloc_heap_errors),
		FIXTURE_TEST(test_alloc_capacity_and_fail_after),
		FIXTURE_TEST(test_alloc_retries_eintr),
		FIXTURE_TEST(test_alloc_ioctl_errors),
		FIXTURE_TEST(test_naming_failure_is_not_fatal),
		FIXTURE_TEST(test_naming_opt_outs),
		FIXTURE_TEST(test_long_heap_name_is_cut_for_label),
		FIXTURE_TEST(test_alloc_fd),
		FIXTURE_TEST(test_alloc_from_falls_back),
		FIXTURE_TEST(test_alloc_from_most_telling_error),
		FIXTURE_TEST(test_alloc_from_stops_on_hard_error),
		FIXTURE_TEST(test_alloc_from_bad_arguments),
		FIXTURE_TEST(test_stats),
		FIXTURE_TEST(test_stats_only_after_alloc_attempt),
		FIXTURE_TEST(test_concurrent_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
