/* SPDX-License-Identifier: MIT */
/*
 * The mock's fault injection, driven through its system-call layer: what
 * an injected failure leaves behind must be what the kernel's failure of
 * the same call would leave.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/sys.h"
#include "testutil.h"
#include "core/uapi.h"

struct ifix {
	struct dmaheap_mock *mock;
	const struct dmaheap_sys *sys;
	int fds_before;
};

static int ifix_setup(void **state)
{
	struct ifix *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->fds_before = count_open_fds();
	assert_int_equal(dmaheap_mock_new(&x->mock), 0);
	assert_int_equal(dmaheap_mock_add_heap(x->mock, "system", NULL), 0);
	x->sys = dmaheap_mock_sys(x->mock);
	*state = x;
	return 0;
}

static int ifix_teardown(void **state)
{
	struct ifix *x = *state;
	struct dmaheap_mock_leaks leaks;
	char report[1024];
	int n = dmaheap_mock_leaks(x->mock, &leaks, report, sizeof(report));

	if (n != 0)
		fail_msg("mock reports %d leaks:\n%s", n, report);
	dmaheap_mock_free(x->mock);
	assert_int_equal(count_open_fds(), x->fds_before);
	free(x);
	return 0;
}

#define ITEST(fn) cmocka_unit_test_setup_teardown(fn, ifix_setup, ifix_teardown)

static int open_heap(struct ifix *x)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/system", dmaheap_mock_dir(x->mock));
	fd = x->sys->open(x->sys, path, O_RDONLY | O_CLOEXEC, 0);
	assert_true(fd >= 0);
	return fd;
}

static int alloc_buf(struct ifix *x, int heap_fd, uint64_t len)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	assert_int_equal(x->sys->ioctl(x->sys, heap_fd, DMA_HEAP_IOCTL_ALLOC,
				       &d), 0);
	return (int)d.fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Linux releases the fd even when close() reports an error. */
static void test_close_failure_releases_fd(void **state)
{
	static const int errs[] = { EINTR, EIO, ENOSPC, EDQUOT };
	struct ifix *x = *state;
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		int heap = open_heap(x), buf = alloc_buf(x, heap, 4096);

		assert_int_equal(dmaheap_mock_inject(x->mock,
				 DMAHEAP_MOCK_CLOSE, 0, 2, errs[i]), 0);
		assert_int_equal(x->sys->close(x->sys, buf), -errs[i]);
		assert_int_equal(x->sys->close(x->sys, heap), -errs[i]);
		assert_false(fd_open(buf));
		assert_false(fd_open(heap));
	}
	assert_int_equal(dmaheap_mock_calls(x->mock, DMAHEAP_MOCK_CLOSE), 8);
}

/* The real EBADF of a closed fd wins over an injected error. */
static void test_close_failure_of_closed_fd(void **state)
{
	struct ifix *x = *state;
	int heap = open_heap(x);

	assert_int_equal(x->sys->close(x->sys, heap), 0);
	assert_int_equal(dmaheap_mock_inject(x->mock, DMAHEAP_MOCK_CLOSE, 0,
					     1, EINTR), 0);
	assert_int_equal(x->sys->close(x->sys, heap), -EBADF);
}

/*
 * The kernel's munmap fails before it changes anything: the pages stay
 * mapped and tracked, and a second munmap releases them.
 */
static void test_munmap_failure_keeps_mapping(void **state)
{
	struct ifix *x = *state;
	struct dmaheap_mock_leaks leaks;
	int heap = open_heap(x), buf = alloc_buf(x, heap, 8192);
	volatile char *p;
	void *addr;

	assert_int_equal(x->sys->mmap(x->sys, 8192, PROT_READ | PROT_WRITE,
				      MAP_SHARED, buf, 0, &addr), 0);
	assert_int_equal(dmaheap_mock_inject(x->mock, DMAHEAP_MOCK_MUNMAP, 0,
					     1, ENOMEM), 0);
	assert_int_equal(x->sys->munmap(x->sys, addr, 8192), -ENOMEM);
	p = addr;
	p[8191] = 'x';
	assert_int_equal(p[8191], 'x');
	assert_int_equal(x->sys->close(x->sys, buf), 0);
	assert_int_equal(x->sys->close(x->sys, heap), 0);
	assert_int_equal(dmaheap_mock_leaks(x->mock, &leaks, NULL, 0), 1);
	assert_int_equal(leaks.mappings, 1);
	assert_int_equal(x->sys->munmap(x->sys, addr, 8192), 0);
}

/* The Nth call of any kind fails once; dmaheap_mock_injected() says where. */
static void test_inject_nth(void **state)
{
	struct ifix *x = *state;
	struct dma_heap_allocation_data d = {
		.len = 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	enum dmaheap_mock_call last = DMAHEAP_MOCK_CALL_COUNT;
	int heap;

	assert_int_equal(dmaheap_mock_injected(x->mock, &last), 0);
	assert_int_equal(last, DMAHEAP_MOCK_CALL_COUNT);
	assert_int_equal(dmaheap_mock_inject_nth(x->mock, 1, ENOMEM), 0);
	heap = open_heap(x);
	assert_int_equal(x->sys->ioctl(x->sys, heap, DMA_HEAP_IOCTL_ALLOC, &d),
			 -ENOMEM);
	assert_int_equal(d.fd, 0);
	assert_int_equal(dmaheap_mock_injected(x->mock, &last), 1);
	assert_int_equal(last, DMAHEAP_MOCK_IOCTL_ALLOC);
	/* Once only: the next calls pass. */
	assert_int_equal(x->sys->close(x->sys, alloc_buf(x, heap, 4096)), 0);
	assert_int_equal(dmaheap_mock_injected(x->mock, NULL), 1);
	assert_int_equal(dmaheap_mock_calls(x->mock, DMAHEAP_MOCK_IOCTL_ALLOC),
			 2);

	/* 0 cancels; both kinds of injection see every call. */
	assert_int_equal(dmaheap_mock_inject_nth(x->mock, 0, EIO), 0);
	assert_int_equal(dmaheap_mock_inject_nth(x->mock, 0, 0), 0);
	assert_int_equal(dmaheap_mock_inject(x->mock, DMAHEAP_MOCK_CLOSE, 1, 1,
					     EINTR), 0);
	assert_int_equal(dmaheap_mock_inject_nth(x->mock, 1, EIO), 0);
	assert_int_equal(x->sys->close(x->sys, alloc_buf(x, heap, 4096)), -EIO);
	assert_int_equal(x->sys->close(x->sys, heap), -EINTR);
	assert_false(fd_open(heap));
	assert_int_equal(dmaheap_mock_injected(x->mock, &last), 3);
	assert_int_equal(last, DMAHEAP_MOCK_CLOSE);

	dmaheap_mock_reset_calls(x->mock);
	assert_int_equal(dmaheap_mock_injected(x->mock, NULL), 0);
}

static void test_inject_nth_args(void **state)
{
	struct ifix *x = *state;

	assert_int_equal(dmaheap_mock_inject_nth(NULL, 0, EIO), -EINVAL);
	assert_int_equal(dmaheap_mock_inject_nth(x->mock, 0, -EIO), -EINVAL);
	assert_int_equal(dmaheap_mock_inject_nth(x->mock, 0, 4096), -EINVAL);
	assert_int_equal(dmaheap_mock_injected(NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ITEST(test_close_failure_releases_fd),
		ITEST(test_close_failure_of_closed_fd),
		ITEST(test_munmap_failure_keeps_mapping),
		ITEST(test_inject_nth),
		ITEST(test_inject_nth_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
