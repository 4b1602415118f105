/* SPDX-License-Identifier: MIT */
/* dmaheap_strerror(): the C library's texts, the library's own where it
 * gives an errno its meaning, from any number of threads. */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <unistd.h>

#include "testutil.h"

/* Ordinary errnos read as the C library says. */
static void test_ordinary_errnos(void **state)
{
	static const int errs[] = {
		EPROTO, EPIPE, EISDIR, ENOENT, EACCES, EPERM, EINVAL, EMFILE,
		EAGAIN, EINTR, ELOOP, ENAMETOOLONG, ECONNRESET, ESPIPE,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *want = strerror(errs[i]);

		assert_string_equal(dmaheap_strerror(-errs[i]), want);
		/* Plain (positive) errno values too. */
		assert_string_equal(dmaheap_strerror(errs[i]), want);
	}
	assert_string_equal(dmaheap_strerror(0), strerror(0));
	/* Not about heaps: a policy file or an import can be the subject. */
	assert_null(strstr(dmaheap_strerror(-ENOENT), "heap"));
	assert_null(strstr(dmaheap_strerror(-EACCES), "heap"));
	assert_null(strstr(dmaheap_strerror(-EACCES), "udev"));
}

/* Where the library gives the errno its meaning, it says so. */
static void test_library_meanings(void **state)
{
	(void)state;
	assert_non_null(strstr(dmaheap_strerror(-EBADFD), "dma-buf"));
	assert_non_null(strstr(dmaheap_strerror(-ENOMEM), "heap"));
	assert_non_null(strstr(dmaheap_strerror(-EFBIG), "limit"));
	assert_non_null(strstr(dmaheap_strerror(-EFBIG), "policy file"));
	assert_non_null(strstr(dmaheap_strerror(-ENOTTY), "not a heap"));
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_non_null(dmaheap_strerror(INT_MIN));
	assert_non_null(dmaheap_strerror(INT_MAX));
	assert_non_null(strstr(dmaheap_strerror(-99999), "nknown"));
}

static void *compare_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		int e = 1 + i % 133;

		if (strcmp(dmaheap_strerror(-e), dmaheap_strerror(e)) != 0)
			return (void *)1;
	}
	return NULL;
}

/* Each thread reads its own text, never one another thread overwrote. */
static void test_threads(void **state)
{
	pthread_t t[8];

	(void)state;
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, compare_loop, NULL),
				 0);
	for (size_t i = 0; i < 8; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
}

static void capture(void *userdata, int priority, const char *msg)
{
	char *last = userdata;

	if (priority <= DMAHEAP_LOG_WARNING)
		snprintf(last, 512, "%s", msg);
}

/*
 * -EACCES from mapping an import is about the fd's access mode, not about
 * heap nodes: the log says so, as the errno's text cannot.
 */
static void test_map_eacces_explained(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	char last[512] = "", path[64];
	void *addr;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0), wo;

	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wo = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(wo >= 0);
	close(fd);
	ctx = fixture_logging_ctx(f, capture, last, DMAHEAP_LOG_INFO);
	assert_int_equal(dmaheap_import(ctx, wo, &buf), 0);
	assert_int_equal(dmaheap_buf_map(buf, &addr), -EACCES);
	assert_non_null(strstr(last, "O_WRONLY"));
	assert_null(strstr(last, "udev"));
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	close(wo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_errnos),
		cmocka_unit_test(test_library_meanings),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_threads),
		FIXTURE_TEST(test_map_eacces_explained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
