/* SPDX-License-Identifier: MIT */
/*
 * CPU-access counters at their limit. White-box: four billion begins would
 * take hours, so the test sets a buffer's counter through the library's
 * private structure.
 */
#include <limits.h>

#include "testutil.h"
#include "core/core.h"

/* A begin that overflows fails before the kernel sees a START. */
static void test_begin_overflow_issues_no_start(void **state)
{
	static const unsigned int access[] = {
		DMAHEAP_ACCESS_READ, DMAHEAP_ACCESS_WRITE, DMAHEAP_ACCESS_RW,
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
		struct dmaheap_mock_buf_info info;
		struct dmaheap_buf *buf = NULL;

		assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf),
				 0);
		if (access[i] & DMAHEAP_ACCESS_READ)
			buf->reads = UINT_MAX;
		else
			buf->writes = UINT_MAX;
		dmaheap_mock_reset_calls(f->mock);
		assert_int_equal(dmaheap_buf_begin_cpu_access(buf, access[i]),
				 -EOVERFLOW);
		assert_int_equal(dmaheap_mock_calls(f->mock,
						    DMAHEAP_MOCK_IOCTL_SYNC), 0);
		assert_int_equal(dmaheap_mock_buf_info(f->mock, buf->fd, &info),
				 0);
		assert_int_equal(info.sync_reads, 0);
		assert_int_equal(info.sync_writes, 0);
		/* The counters are as they were: nothing to end. */
		assert_int_equal(buf->reads + buf->writes, UINT_MAX);
		buf->reads = 0;
		buf->writes = 0;
		dmaheap_buf_free(buf);
	}
}

/* A START the kernel refuses leaves no count behind. */
static void test_failed_start_counts_nothing(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     0, 1, EIO), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW),
			 -EIO);
	assert_int_equal(buf->reads, 0);
	assert_int_equal(buf->writes, 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EINVAL);
	dmaheap_buf_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_begin_overflow_issues_no_start),
		FIXTURE_TEST(test_failed_start_counts_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
