/* SPDX-License-Identifier: MIT */
/* CPU-access brackets and sync files. */
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <pthread.h>
#include <unistd.h>

#include "testutil.h"

static struct dmaheap_buf *alloc_page(struct fixture *f)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	return buf;
}

static struct dmaheap_mock_buf_info info_of(struct fixture *f,
					    struct dmaheap_buf *buf)
{
	struct dmaheap_mock_buf_info info;

	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	return info;
}

static void test_begin_end_each_direction(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	const unsigned int dirs[] = { DMAHEAP_ACCESS_READ, DMAHEAP_ACCESS_WRITE,
				      DMAHEAP_ACCESS_RW };

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(dmaheap_buf_begin_cpu_access(buf, dirs[i]), 0);
		assert_int_equal(info_of(f, buf).sync_reads,
				 !!(dirs[i] & DMAHEAP_ACCESS_READ));
		assert_int_equal(info_of(f, buf).sync_writes,
				 !!(dirs[i] & DMAHEAP_ACCESS_WRITE));
		assert_int_equal(dmaheap_buf_end_cpu_access(buf, dirs[i]), 0);
		assert_int_equal(info_of(f, buf).sync_reads, 0);
		assert_int_equal(info_of(f, buf).sync_writes, 0);
	}
	dmaheap_buf_free(buf);
}

static void test_end_without_begin(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);

	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW),
			 -EINVAL);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 1);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	dmaheap_buf_free(buf);
}

static void test_nested_begins(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);

	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	dmaheap_buf_free(buf);
}

static void test_bad_access(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	const unsigned int bad[] = { 0, 4, 5, ~0u };
	int fd;

	dmaheap_mock_reset_calls(f->mock);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(dmaheap_buf_begin_cpu_access(buf, bad[i]), -EINVAL);
		assert_int_equal(dmaheap_buf_end_cpu_access(buf, bad[i]), -EINVAL);
		assert_int_equal(dmaheap_sync_start(f->ctx, 0, bad[i]), -EINVAL);
		assert_int_equal(dmaheap_sync_end(f->ctx, 0, bad[i]), -EINVAL);
		assert_int_equal(dmaheap_buf_export_sync_file(buf, bad[i], &fd),
				 -EINVAL);
		assert_int_equal(dmaheap_buf_import_sync_file(buf, bad[i], 0),
				 -EINVAL);
	}
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	dmaheap_buf_free(buf);
}

static void test_retries(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);

	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     0, 5, EINTR), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 6);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     0, 16, EAGAIN), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 23);

	/* EAGAIN is bounded: 17 in a row is returned. */
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     0, 17, EAGAIN), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EAGAIN);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 17);
	/* A failed begin opened nothing. */
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	dmaheap_buf_free(buf);
}

static void test_kernel_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     0, 1, ENOMEM), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -ENOMEM);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     0, 1, EIO), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), -EIO);
	/* Counted as ended regardless. */
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	dmaheap_buf_free(buf);
}

static void test_fd_level_sync(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	int memfd = memfd_create("plain", MFD_CLOEXEC);
	int fd = dmaheap_buf_fd(buf);
	struct dmaheap_ctx *ctx;

	assert_int_equal(dmaheap_sync_start(f->ctx, fd, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(info_of(f, buf).sync_writes, 1);
	assert_int_equal(dmaheap_sync_end(f->ctx, fd, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(info_of(f, buf).sync_writes, 0);
	/* NULL context: the real kernel. A memfd is no dma-buf; no fd -1. */
	assert_true(memfd >= 0);
	assert_int_equal(dmaheap_sync_start(NULL, memfd, DMAHEAP_ACCESS_READ),
			 -EBADFD);
	assert_int_equal(dmaheap_sync_end(NULL, -1, DMAHEAP_ACCESS_READ), -EBADF);
	assert_int_equal(dmaheap_sync_end(NULL, 1000000, DMAHEAP_ACCESS_READ),
			 -EBADF);
	/* Through the mock: refused before any SYNC reaches a non-dma-buf
	 * (a heap node would take it for an ALLOC). */
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_sync_start(f->ctx, memfd, DMAHEAP_ACCESS_RW),
			 -EBADFD);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	/* f->ctx now knows fd; a context that does not checks it. */
	ctx = fixture_ctx(f, 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_FSTATFS, 0, 1,
					     EIO), 0);
	assert_int_equal(dmaheap_sync_start(ctx, fd, DMAHEAP_ACCESS_RW), -EIO);
	assert_int_equal(info_of(f, buf).sync_reads, 0);
	dmaheap_ctx_free(ctx);
	close(memfd);
	dmaheap_buf_free(buf);
}

static void test_sync_files(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	struct pollfd pfd = { .events = POLLIN };
	int sync_fd = -1, pipefd[2];

	assert_int_equal(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_READ,
						      &sync_fd), 0);
	assert_true(sync_fd >= 0);
	assert_int_equal(fcntl(sync_fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	pfd.fd = sync_fd;
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_WRITE,
						      sync_fd), 0);
	assert_int_equal(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_READ,
						      NULL), -EINVAL);
	assert_int_equal(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_READ,
						      -1), -EBADF);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_int_equal(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_READ,
						      pipefd[0]), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sync_fd);
	dmaheap_buf_free(buf);
}

static void test_sync_files_unsupported(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap old = { .no_sync_file = 1 };
	struct dmaheap_buf *buf = NULL;
	int sync_fd = -1;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "old", &old), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "old", 4096, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_RW,
						      &sync_fd), -ENOTTY);
	assert_int_equal(sync_fd, -1);
	assert_int_equal(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_RW, 0),
			 -ENOTTY);
	dmaheap_buf_free(buf);
}

static void *bracket_loop(void *arg)
{
	for (int i = 0; i < 500; i++) {
		int r = dmaheap_buf_begin_cpu_access(arg, DMAHEAP_ACCESS_RW);

		if (r == 0)
			r = dmaheap_buf_end_cpu_access(arg, DMAHEAP_ACCESS_RW);
		if (r)
			return (void *)(intptr_t)r;
	}
	return NULL;
}

static void test_concurrent_brackets(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bracket_loop, buf), 0);
	for (int i = 0; i < 4; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	dmaheap_buf_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_begin_end_each_direction),
		FIXTURE_TEST(test_end_without_begin),
		FIXTURE_TEST(test_nested_begins),
		FIXTURE_TEST(test_bad_access),
		FIXTURE_TEST(test_retries),
		FIXTURE_TEST(test_kernel_errors),
		FIXTURE_TEST(test_fd_level_sync),
		FIXTURE_TEST(test_sync_files),
		FIXTURE_TEST(test_sync_files_unsupported),
		FIXTURE_TEST(test_concurrent_brackets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
