/* SPDX-License-Identifier: MIT */
/* Heap discovery: names, opening and caching nodes, listing. */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static void test_bad_names_touch_nothing(void **state)
{
	struct fixture *f = *state;
	char long_name[NAME_MAX + 2];
	const char *bad[] = { "", ".", "..", ".hidden", "a/b", "../etc",
			      "/abs", "system/", long_name };

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(dmaheap_heap_open(f->ctx, NULL), -EINVAL);
	assert_int_equal(dmaheap_has_heap(f->ctx, NULL), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dmaheap_heap_open(f->ctx, bad[i]), -EINVAL);
		assert_int_equal(dmaheap_has_heap(f->ctx, bad[i]), -EINVAL);
	}
	assert_int_equal(dmaheap_heap_open(NULL, "system"), -EINVAL);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 0);
}

static void test_longest_name_is_valid(void **state)
{
	struct fixture *f = *state;
	char name[NAME_MAX + 1];

	memset(name, 'y', NAME_MAX);
	name[NAME_MAX] = '\0';
	assert_int_equal(dmaheap_heap_open(f->ctx, name), -ENOENT);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, name, NULL), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, name), 0);
}

static void test_node_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap props = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "locked", &props), 0);
	props.node = DMAHEAP_MOCK_NODE_REGULAR;
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "file", &props), 0);
	props.node = DMAHEAP_MOCK_NODE_NO_DEVICE;
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "nodev", &props), 0);

	assert_int_equal(dmaheap_heap_open(f->ctx, "absent"), -ENOENT);
	assert_int_equal(dmaheap_heap_open(f->ctx, "locked"), -EACCES);
	assert_int_equal(dmaheap_heap_open(f->ctx, "file"), -ENOTTY);
	assert_int_equal(dmaheap_heap_open(f->ctx, "nodev"), -ENODEV);
	assert_int_equal(dmaheap_has_heap(f->ctx, "locked"), 0);
	assert_int_equal(dmaheap_has_heap(f->ctx, "system"), 1);
}

static void test_open_is_cached(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(dmaheap_has_heap(f->ctx, "system"), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN),
			 NODE_OPEN_CALLS);
}

static void test_late_heap_is_found(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_heap_open(f->ctx, "late"), -ENOENT);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "late", NULL), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "late"), 0);
}

static void test_open_failures_injected(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_OPEN, 0, 1,
					     EMFILE), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), -EMFILE);
	/* fstat failing after a successful open must close the fd. */
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_FSTAT, 0, 1,
					     EIO), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), -EIO);
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
}

static void *open_system(void *arg)
{
	return (void *)(intptr_t)dmaheap_heap_open(arg, "system");
}

static void test_open_once_across_threads(void **state)
{
	struct fixture *f = *state;
	pthread_t t[8];

	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, open_system,
						f->ctx), 0);
	for (int i = 0; i < 8; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_int_equal((intptr_t)r, 0);
	}
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN),
			 NODE_OPEN_CALLS);
}

static void test_list_sorted_with_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_heap_info *list = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "zeta", NULL), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "linux,cma", &locked), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, ".hidden", NULL), 0);
	assert_int_equal(dmaheap_heap_list(f->ctx, &list), 3);
	assert_string_equal(list[0].name, "linux,cma");
	assert_int_equal(list[0].error, -EACCES);
	assert_string_equal(list[1].name, "system");
	assert_int_equal(list[1].error, 0);
	assert_string_equal(list[2].name, "zeta");
	assert_int_equal(list[2].error, 0);
	dmaheap_heap_list_free(list);
	dmaheap_heap_list_free(NULL);
}

static void test_list_empty_and_missing(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	assert_int_equal(dmaheap_mock_remove_heap(f->mock, "system"), 0);
	assert_int_equal(dmaheap_heap_list(f->ctx, &list), 0);
	assert_non_null(list);
	dmaheap_heap_list_free(list);
	list = NULL;

	/* Neither heaps nor udmabuf, whatever this machine has (a real
	 * /dev/udmabuf would be listed). */
	o.heap_dir = "/nonexistent/dma_heap";
	o.udmabuf_dev = "/nonexistent/udmabuf";
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_int_equal(dmaheap_heap_list(ctx, &list), -ENOENT);
	assert_null(list);
	dmaheap_ctx_free(ctx);

	assert_int_equal(dmaheap_heap_list(NULL, &list), -EINVAL);
	assert_int_equal(dmaheap_heap_list(f->ctx, NULL), -EINVAL);
}

static void test_list_readdir_failure(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_READDIR, 0,
					     1, ENOMEM), 0);
	assert_int_equal(dmaheap_heap_list(f->ctx, &list), -ENOMEM);
	assert_null(list);
}

/* The real kernel layer on a directory of look-alikes, no mock. */
static void test_real_dir_lookalikes(void **state)
{
	char dir[] = "/tmp/dmaheap-test-XXXXXX";
	char path[PATH_MAX];
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_heap_info *list = NULL;
	int before = count_open_fds(), fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/system", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	o.heap_dir = dir;
	o.udmabuf_dev = "/nonexistent/udmabuf"; /* not this machine's */
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_int_equal(dmaheap_heap_list(ctx, &list), 2);
	assert_string_equal(list[0].name, "fifo");
	assert_int_equal(list[0].error, -ENOTTY); /* and no hang */
	assert_string_equal(list[1].name, "system");
	assert_int_equal(list[1].error, -ENOTTY);
	dmaheap_heap_list_free(list);
	dmaheap_ctx_free(ctx);
	unlink(path);
	snprintf(path, sizeof(path), "%s/system", dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(count_open_fds(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_bad_names_touch_nothing),
		FIXTURE_TEST(test_longest_name_is_valid),
		FIXTURE_TEST(test_node_errors),
		FIXTURE_TEST(test_open_is_cached),
		FIXTURE_TEST(test_late_heap_is_found),
		FIXTURE_TEST(test_open_failures_injected),
		FIXTURE_TEST(test_open_once_across_threads),
		FIXTURE_TEST(test_list_sorted_with_errors),
		FIXTURE_TEST(test_list_empty_and_missing),
		FIXTURE_TEST(test_list_readdir_failure),
		cmocka_unit_test(test_real_dir_lookalikes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
