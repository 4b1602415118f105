/* SPDX-License-Identifier: MIT */
/*
 * What each operation costs the library itself: system calls (the mock's
 * counters), heap allocations and lock acquisitions (counting.h), and the
 * error paths only an allocation failure reaches. Counts, never timings.
 */
#include "counting.h"
#include "testutil.h"

#define SKIP_UNLESS_COUNTING()                                              \
	do {                                                                \
		if (!counting_available()) {                                \
			print_message("no allocation counting here "       \
				      "(sanitizer or valgrind)\n");         \
			skip();                                             \
		}                                                           \
	} while (0)

/* A failure after the kernel handed out the buffer is a failure, and the
 * buffer is closed (issue 7, defect 8). */
static void test_stats_failure_after_kernel(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats st;
	int r;

	SKIP_UNLESS_COUNTING();
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	counting_start(1);
	r = dmaheap_alloc(f->ctx, "system", 4096, 0, &buf);
	counting_stop();
	assert_int_equal(r, -ENOMEM);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), 0);
	assert_int_equal(st.allocations, 0);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(st.peak_bytes, 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.allocations, 0);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.peak_bytes, 0);
}

/* Every allocation the library makes in dmaheap_alloc() failing in turn:
 * a clean -ENOMEM, nothing leaked (the teardown checks), stats honest. */
static void test_alloc_survives_each_malloc_failure(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_stats st;
	long n;

	SKIP_UNLESS_COUNTING();
	counting_start(0);
	{
		struct dmaheap_buf *buf = NULL;

		assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf),
				 -ENOENT);
		assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf),
				 0);
		dmaheap_buf_free(buf);
	}
	n = counting_stop().allocs;
	for (long i = 1; i <= n; i++) {
		struct dmaheap_ctx *ctx = fixture_ctx(f, 0);
		struct dmaheap_buf *buf = NULL;
		int r;

		counting_start(i);
		r = dmaheap_alloc(ctx, "cma", 4096, 0, &buf);
		if (r == -ENOENT)
			r = dmaheap_alloc(ctx, "system", 4096, 0, &buf);
		counting_stop();
		assert_true(r == 0 || r == -ENOMEM);
		dmaheap_buf_free(buf);
		assert_int_equal(dmaheap_ctx_stats(ctx, NULL, &st), 0);
		assert_int_equal(st.live_buffers, 0);
		assert_int_equal(st.allocations, r == 0);
		dmaheap_ctx_free(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_stats_failure_after_kernel),
		FIXTURE_TEST(test_alloc_survives_each_malloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
