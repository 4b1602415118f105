/* SPDX-License-Identifier: MIT */
/* Raw fds by policy: a buffer gives up its fd; the stats stay true. */
#include <fcntl.h>
#include <unistd.h>

#include "testutil.h"

static void test_release_fd_usage(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats st;
	int fd;

	assert_int_equal(dmaheap_alloc_usage(f->ctx,
			DMAHEAP_USAGE_CPU_WRITE_OFTEN, 8192, 0, &buf), 0);
	fd = dmaheap_buf_release_fd(buf);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(lseek(fd, 0, SEEK_END), 8192);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), 0);
	assert_int_equal(st.allocations, 1);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(st.peak_bytes, 8192);
	/* The caller owns the fd; the context can go first. */
	dmaheap_ctx_free(f->ctx);
	f->ctx = NULL;
	assert_int_equal(close(fd), 0);
}

static void test_release_fd_from_list(void **state)
{
	struct fixture *f = *state;
	const char *const heaps[] = { "absent", "system" };
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats st;
	int fd;

	assert_int_equal(dmaheap_alloc_from(f->ctx, heaps, 2, 4096, 0, &buf),
			 1);
	fd = dmaheap_buf_release_fd(buf);
	assert_true(fd >= 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.allocations, 1);
	close(fd);
}

static void test_release_fd_busy(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	void *p;

	assert_int_equal(dmaheap_buf_release_fd(NULL), -EINVAL);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	assert_int_equal(dmaheap_buf_release_fd(buf), -EBUSY);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf,
						      DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(dmaheap_buf_release_fd(buf), -EBUSY);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 0);
	/* Untouched by the refusals: still a live buffer. */
	assert_int_equal(dmaheap_buf_size(buf), 4096);
	dmaheap_buf_free(buf);
}

/* An import has no heap and no stats; its fd is the library's duplicate. */
static void test_release_fd_import(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL, *imp = NULL;
	int fd;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	assert_int_equal(dmaheap_import(f->ctx, dmaheap_buf_fd(buf), &imp), 0);
	fd = dmaheap_buf_release_fd(imp);
	assert_true(fd >= 0 && fd != dmaheap_buf_fd(buf));
	close(fd);
	dmaheap_buf_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_release_fd_usage),
		FIXTURE_TEST(test_release_fd_from_list),
		FIXTURE_TEST(test_release_fd_busy),
		FIXTURE_TEST(test_release_fd_import),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
