/* SPDX-License-Identifier: MIT */
/* Raw-fd calls: dmaheap_alloc_fd_heap_flags() and dmaheap_fd_set_name(). */
#include <fcntl.h>
#include <unistd.h>

#include "testutil.h"

static int64_t calls(struct fixture *f, enum dmaheap_mock_call c)
{
	return dmaheap_mock_calls(f->mock, c);
}

/* The flags reach the kernel, which (like the mock) refuses non-zero. */
static void test_heap_flags_reach_kernel(void **state)
{
	struct fixture *f = *state;
	int fd;

	assert_int_equal(dmaheap_alloc_fd_heap_flags(f->ctx, "system", 4096, 0,
						     1),
			 -EINVAL);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	assert_int_equal(dmaheap_alloc_fd_heap_flags(f->ctx, "system", 4096, 0,
						     1ull << 40),
			 -EINVAL);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_ALLOC), 2);
	fd = dmaheap_alloc_fd_heap_flags(f->ctx, "system", 4096, 0, 0);
	assert_true(fd >= 0);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_ALLOC), 3);
	close(fd);
}

static void test_heap_flags_bad_args(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_alloc_fd_heap_flags(NULL, "system", 1, 0, 0),
			 -EINVAL);
	assert_int_equal(dmaheap_alloc_fd_heap_flags(f->ctx, "system", 0, 0, 0),
			 -EINVAL);
	assert_int_equal(dmaheap_alloc_fd_heap_flags(f->ctx, "nope", 1, 0, 0),
			 -ENOENT);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_ALLOC), 0);
}

/* udmabuf has no heap flags: refused before any system call. */
static void test_heap_flags_udmabuf(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_udmabuf dev = { 0 };
	int fd;

	assert_int_equal(dmaheap_mock_set_udmabuf(f->mock, &dev), 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc_fd_heap_flags(f->ctx, "udmabuf", 4096, 0,
						     1),
			 -EINVAL);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE), 0);
	fd = dmaheap_alloc_fd_heap_flags(f->ctx, "udmabuf", 4096, 0, 0);
	assert_true(fd >= 0);
	close(fd);
}

static void test_fd_set_name(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_buf_info info;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, DMAHEAP_ALLOC_NO_NAME);

	assert_true(fd >= 0);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, "frame-0"), 0);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, fd, &info), 0);
	assert_string_equal(info.name, "frame-0");
	/* Known to the context: the ioctl is the only call. */
	assert_int_equal(calls(f, DMAHEAP_MOCK_FSTATFS), 0);
	close(fd);
}

static void test_fd_set_name_errors(void **state)
{
	struct fixture *f = *state;
	char long_name[DMAHEAP_NAME_MAX + 2];
	int pipefd[2];
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);

	assert_true(fd >= 0);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(dmaheap_fd_set_name(NULL, fd, "x"), -EINVAL);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, NULL), -EINVAL);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, -1, "x"), -EBADF);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, long_name),
			 -ENAMETOOLONG);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
	long_name[DMAHEAP_NAME_MAX] = '\0';
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, long_name), 0);
	/* Not a dma-buf: checked, the ioctl never sent. */
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, pipefd[0], "x"), -EBADFD);
	assert_int_equal(calls(f, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME,
					     0, 1, EBUSY), 0);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, "x"), -EBUSY);
	close(fd);
}

/* An fd the context did not make: checked once, then remembered. */
static void test_fd_set_name_foreign_fd(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *other = fixture_ctx(f, 0);
	int fd = dmaheap_alloc_fd(other, "system", 4096, 0);

	assert_true(fd >= 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, "a"), 0);
	assert_int_equal(dmaheap_fd_set_name(f->ctx, fd, "b"), 0);
	assert_int_equal(calls(f, DMAHEAP_MOCK_FSTATFS), 1);
	close(fd);
	dmaheap_ctx_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_heap_flags_reach_kernel),
		FIXTURE_TEST(test_heap_flags_bad_args),
		FIXTURE_TEST(test_heap_flags_udmabuf),
		FIXTURE_TEST(test_fd_set_name),
		FIXTURE_TEST(test_fd_set_name_errors),
		FIXTURE_TEST(test_fd_set_name_foreign_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
