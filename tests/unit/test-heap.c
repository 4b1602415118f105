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

/* Every line a context logs, with its priority. */
struct log_lines {
	int n;
	int priority[16];
	char text[16][512];
};

static void keep_line(void *userdata, int priority, const char *msg)
{
	struct log_lines *l = userdata;

	if (l->n == 16)
		fail_msg("more than 16 log lines; the last: %s", msg);
	l->priority[l->n] = priority;
	snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", msg);
}

static int count_at(const struct log_lines *l, int priority)
{
	int n = 0;

	for (int i = 0; i < l->n; i++)
		n += l->priority[i] == priority;
	return n;
}

static struct dmaheap_ctx *logging_ctx(struct fixture *f, const char *dir,
				       struct log_lines *l)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(f->mock, &o);
	if (dir)
		o.heap_dir = dir;
	o.log_fn = keep_line;
	o.log_userdata = l;
	o.log_priority = DMAHEAP_LOG_DEBUG;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	return ctx;
}

/* No heap directory at all: one WARNING naming it, the kernel option and
 * the knob, once per context; then a DEBUG line per miss, never two. */
static void test_missing_dir_warns_once(void **state)
{
	struct fixture *f = *state;
	struct log_lines l = { 0 };
	struct dmaheap_ctx *ctx = logging_ctx(f, "/nonexistent/dma_heap", &l);
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(ctx, "system", 4096, 0, &buf), -ENOENT);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.priority[0], DMAHEAP_LOG_WARNING);
	assert_non_null(strstr(l.text[0], "/nonexistent/dma_heap"));
	assert_non_null(strstr(l.text[0], "CONFIG_DMABUF_HEAPS"));
	assert_non_null(strstr(l.text[0], "DMAHEAP_DIR"));
	assert_int_equal(dmaheap_heap_open(ctx, "cma-reserved"), -ENOENT);
	assert_int_equal(dmaheap_alloc(ctx, "system", 4096, 0, &buf), -ENOENT);
	assert_int_equal(count_at(&l, DMAHEAP_LOG_WARNING), 1);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.text[2], "/nonexistent/dma_heap/system: "
			    "No such file or directory");
	dmaheap_ctx_free(ctx);

	/* A listing says it too, once, and still fails with -ENOENT. */
	memset(&l, 0, sizeof(l));
	ctx = logging_ctx(f, "/nonexistent/dma_heap", &l);
	for (int i = 0; i < 2; i++)
		assert_int_equal(dmaheap_heap_list(ctx,
				 &(struct dmaheap_heap_info *){ NULL }),
				 -ENOENT);
	assert_int_equal(count_at(&l, DMAHEAP_LOG_WARNING), 1);
	assert_non_null(strstr(l.text[0], "heap directory "
					  "/nonexistent/dma_heap: No such"));
	dmaheap_ctx_free(ctx);
}

/* A heap absent from a directory that exists: one DEBUG line, naming the
 * node, and no warning (a fallback search may go on). */
static void test_missing_heap_logged_once(void **state)
{
	struct fixture *f = *state;
	struct log_lines l = { 0 };
	struct dmaheap_ctx *ctx = logging_ctx(f, NULL, &l);
	struct dmaheap_buf *buf = NULL;
	char want[PATH_MAX];

	assert_int_equal(dmaheap_alloc(ctx, "absent", 4096, 0, &buf), -ENOENT);
	snprintf(want, sizeof(want), "%s/absent: No such file or directory",
		 dmaheap_mock_dir(f->mock));
	assert_int_equal(l.n, 1);
	assert_int_equal(l.priority[0], DMAHEAP_LOG_DEBUG);
	assert_string_equal(l.text[0], want);
	assert_int_equal(dmaheap_heap_open(ctx, "absent"), -ENOENT);
	assert_int_equal(l.n, 2);
	dmaheap_ctx_free(ctx);
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
		FIXTURE_TEST(test_missing_dir_warns_once),
		FIXTURE_TEST(test_missing_heap_logged_once),
		cmocka_unit_test(test_real_dir_lookalikes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
