/* SPDX-License-Identifier: MIT */
/* Contexts: options, defaults, logging, reference counting, strerror. */
#include "testutil.h"

static void test_new_defaults(void **state)
{
	struct dmaheap_ctx *ctx = NULL;

	(void)state;
	unsetenv("DMAHEAP_DIR");
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	assert_string_equal(dmaheap_ctx_heap_dir(ctx), "/dev/dma_heap");
	dmaheap_ctx_free(ctx);
}

static void test_new_null(void **state)
{
	(void)state;
	assert_int_equal(dmaheap_ctx_new(NULL), -EINVAL);
	assert_int_equal(dmaheap_ctx_new_with(NULL, NULL), -EINVAL);
	assert_null(dmaheap_ctx_heap_dir(NULL));
	dmaheap_ctx_free(NULL);
}

static void test_env_dir(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	(void)state;
	setenv("DMAHEAP_DIR", "/tmp/heaps-from-env", 1);
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	assert_string_equal(dmaheap_ctx_heap_dir(ctx), "/tmp/heaps-from-env");
	dmaheap_ctx_free(ctx);

	o.flags = DMAHEAP_CTX_NO_ENV;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_string_equal(dmaheap_ctx_heap_dir(ctx), "/dev/dma_heap");
	dmaheap_ctx_free(ctx);

	o.flags = 0;
	o.heap_dir = "/explicit";
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_string_equal(dmaheap_ctx_heap_dir(ctx), "/explicit");
	dmaheap_ctx_free(ctx);
	unsetenv("DMAHEAP_DIR");
}

static void test_bad_options(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	char *long_dir;
	int before = count_open_fds();

	(void)state;
	o.struct_size = sizeof(o) - 1;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -EINVAL);
	o.struct_size = sizeof(o);
	o.flags = 1u << 31;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -EINVAL);
	o.flags = 0;
	o.heap_dir = "";
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -EINVAL);
	long_dir = malloc(PATH_MAX + 1);
	assert_non_null(long_dir);
	memset(long_dir, 'a', PATH_MAX);
	long_dir[0] = '/';
	long_dir[PATH_MAX] = '\0';
	o.heap_dir = long_dir;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -EINVAL);
	free(long_dir);
	assert_null(ctx);
	assert_int_equal(count_open_fds(), before);
}

/*
 * struct dmaheap_options as 0.1 released it (include/dmaheap.h at the
 * DMAHEAP_0.1 symbols): what a program built then passes. The fields
 * were all there by 0.1, so today's struct has the same size; a field
 * added later goes after log_priority and gets its default for this one.
 */
struct options_0_1 {
	size_t struct_size;
	unsigned int flags;
	const char *heap_dir;
	const char *udmabuf_dev;
	const char *policy_file;
	const struct dmaheap_sys *sys;
	dmaheap_log_fn log_fn;
	void *log_userdata;
	int log_priority;
};

/* A caller built against a newer header: fields this library lacks. */
struct options_newer {
	struct dmaheap_options known;
	uint64_t unknown[3];
};

/* Works on the mock: the caller's sys, heap_dir and flags were read. */
static void assert_ctx_works(struct dmaheap_ctx *ctx)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(ctx, "system", 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

static void test_options_struct_sizes(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options now = DMAHEAP_OPTIONS_INIT;
	struct options_0_1 old;
	struct options_newer newer;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(f->mock, &now);
	now.flags = DMAHEAP_CTX_NO_POLICY_FILE;
	memcpy(&old, &now, sizeof(old));
	old.struct_size = sizeof(old);
	assert_int_equal(dmaheap_ctx_new_with((const void *)&old, &ctx), 0);
	assert_ctx_works(ctx);
	old.struct_size = sizeof(old) - 1;
	assert_int_equal(dmaheap_ctx_new_with((const void *)&old, &ctx),
			 -EINVAL);
	old.struct_size = 0;
	assert_int_equal(dmaheap_ctx_new_with((const void *)&old, &ctx),
			 -EINVAL);

	/* Newer: accepted while what it adds is zero, else -E2BIG. */
	memset(&newer, 0, sizeof(newer));
	newer.known = now;
	newer.known.struct_size = sizeof(newer);
	assert_int_equal(dmaheap_ctx_new_with(&newer.known, &ctx), 0);
	assert_ctx_works(ctx);
	newer.unknown[2] = 1;
	assert_int_equal(dmaheap_ctx_new_with(&newer.known, &ctx), -E2BIG);
	newer.unknown[2] = 0;
	newer.unknown[0] = ~0ull;
	newer.known.struct_size = offsetof(struct options_newer, unknown[1]);
	assert_int_equal(dmaheap_ctx_new_with(&newer.known, &ctx), -E2BIG);
	/* Its tail ends at struct_size: bytes beyond are not read. */
	newer.unknown[0] = 0;
	newer.unknown[1] = 7;
	assert_int_equal(dmaheap_ctx_new_with(&newer.known, &ctx), 0);
	assert_ctx_works(ctx);
}

/* Over a page is no struct at all: refused without reading it. */
static void test_options_struct_size_cap(void **state)
{
	struct fixture *f = *state;
	static union {
		struct dmaheap_options o;
		unsigned char bytes[8192];
	} huge;
	struct dmaheap_ctx *ctx = NULL;

	memset(&huge, 0, sizeof(huge));
	dmaheap_mock_options(f->mock, &huge.o);
	huge.o.struct_size = 4096;
	assert_int_equal(dmaheap_ctx_new_with(&huge.o, &ctx), 0);
	assert_ctx_works(ctx);
	huge.o.struct_size = 4097;
	assert_int_equal(dmaheap_ctx_new_with(&huge.o, &ctx), -E2BIG);
	huge.o.struct_size = SIZE_MAX;
	assert_int_equal(dmaheap_ctx_new_with(&huge.o, &ctx), -E2BIG);
}

/* struct dmaheap_pool_options: 0.2's layout is its first. */
struct pool_options_newer {
	struct dmaheap_pool_options known;
	uint32_t unknown[5];
};

static void test_pool_options_struct_sizes(void **state)
{
	struct fixture *f = *state;
	struct pool_options_newer newer;

	memset(&newer, 0, sizeof(newer));
	newer.known = (struct dmaheap_pool_options)DMAHEAP_POOL_OPTIONS_INIT;
	newer.known.struct_size = sizeof(newer.known) - 1;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &newer.known), -EINVAL);
	newer.known.struct_size = sizeof(newer);
	newer.unknown[4] = 1;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &newer.known), -E2BIG);
	newer.unknown[4] = 0;
	newer.known.max_buffers = 3;
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &newer.known), 0);
	newer.known.struct_size = sizeof(newer.known);
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, &newer.known), 0);
	assert_int_equal(dmaheap_ctx_set_pool(f->ctx, NULL), 0);
}

static void test_ctx_creation_touches_nothing(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *ctx;

	/* Lazy: without a policy file to read, no call reaches the mock
	 * but meminfo, which is not a counted system call. */
	ctx = fixture_ctx(f, DMAHEAP_CTX_NO_POLICY_FILE);
	for (int c = 0; c < DMAHEAP_MOCK_CALL_COUNT; c++)
		assert_int_equal(dmaheap_mock_calls(f->mock, c), 0);
	dmaheap_ctx_free(ctx);
}

struct log_capture {
	int calls;
	int last_priority;
	char last[512];
};

static void capture_log(void *userdata, int priority, const char *msg)
{
	struct log_capture *c = userdata;

	c->calls++;
	c->last_priority = priority;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

static void test_log_callback(void **state)
{
	struct fixture *f = *state;
	struct log_capture c = { 0 };
	struct dmaheap_ctx *ctx = fixture_logging_ctx(f, capture_log, &c,
						     DMAHEAP_LOG_DEBUG);
	struct dmaheap_buf *buf;

	assert_int_equal(dmaheap_alloc(ctx, "absent", 4096, 0, &buf), -ENOENT);
	assert_true(c.calls > 0);
	assert_non_null(strstr(c.last, "absent"));
	dmaheap_ctx_free(ctx);
}

static void test_log_priority_filter(void **state)
{
	struct fixture *f = *state;
	struct log_capture c = { 0 };
	struct dmaheap_ctx *ctx = fixture_logging_ctx(f, capture_log, &c,
						     DMAHEAP_LOG_ERR);
	struct dmaheap_buf *buf;

	/* A missing heap is logged at INFO and DEBUG: filtered out. */
	assert_int_equal(dmaheap_alloc(ctx, "absent", 4096, 0, &buf), -ENOENT);
	assert_int_equal(c.calls, 0);
	dmaheap_ctx_free(ctx);
}

/* Heaps skipped in a search are DEBUG: a HAL forwarding INFO must not be
 * flooded. A request nothing can ever serve is a WARNING that names the
 * value and the knob (issue 7, defect 11). */
static void test_search_skips_are_debug(void **state)
{
	struct fixture *f = *state;
	struct log_capture c = { 0 };
	struct dmaheap_ctx *ctx = fixture_logging_ctx(f, capture_log, &c,
						     DMAHEAP_LOG_INFO);
	struct dmaheap_mock_heap full = { .capacity = 4096 };
	const char *heaps[] = { "absent", "full", "system" };
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "full", &full), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dmaheap_alloc_from(ctx, heaps, 3, 8192, 0, &buf),
				 2);
		dmaheap_buf_free(buf);
		assert_int_equal(dmaheap_alloc_usage(ctx, DMAHEAP_USAGE_CONTIGUOUS,
						     4096, 0, &buf), -ENOENT);
		assert_int_equal(dmaheap_alloc(ctx, "cma", 4096, 0, &buf),
				 -ENOENT);
	}
	assert_int_equal(c.calls, 0);

	assert_int_equal(dmaheap_ctx_add_rule(ctx, DMAHEAP_USAGE_UNCACHED,
					      (const char *[]){ "system" }, 1), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(dmaheap_alloc_usage(ctx, DMAHEAP_USAGE_UNCACHED,
						     4096, 0, &buf), -ENOENT);
	/* Once per policy generation, not once per frame. */
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.last_priority, DMAHEAP_LOG_WARNING);
	assert_non_null(strstr(c.last, "0x40"));
	assert_non_null(strstr(c.last, "dmaheap_ctx_set_heap_props"));
	dmaheap_ctx_free(ctx);
}

/* A usage only a heap the user may not open could serve: one WARNING
 * naming the node and the udev knob, again after a rescan. */
static void test_denied_usage_warns_once(void **state)
{
	struct fixture *f = *state;
	struct log_capture c = { 0 };
	struct dmaheap_ctx *ctx = fixture_logging_ctx(f, capture_log, &c,
						     DMAHEAP_LOG_INFO);
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_buf *buf = NULL;
	const unsigned int usage = DMAHEAP_USAGE_PROTECTED |
				   DMAHEAP_USAGE_DEVICE_ONLY;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "protected,trusted-ui",
					       &locked), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(dmaheap_alloc_usage(ctx, usage, 4096, 0, &buf),
				 -EACCES);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.last_priority, DMAHEAP_LOG_WARNING);
	assert_non_null(strstr(c.last, "/protected,trusted-ui"));
	assert_non_null(strstr(c.last, "SUBSYSTEM==\"dma_heap\""));
	assert_int_equal(dmaheap_ctx_rescan(ctx), 0);
	assert_int_equal(dmaheap_alloc_usage(ctx, usage, 4096, 0, &buf), -EACCES);
	assert_int_equal(c.calls, 2);
	dmaheap_ctx_free(ctx);
}

static void test_silent_by_default(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf;

	/* No callback: nothing to observe but that nothing crashes and the
	 * error still comes back. */
	assert_int_equal(dmaheap_alloc(f->ctx, "absent", 4096, 0, &buf),
			 -ENOENT);
}

static void test_buffer_outlives_ctx_handle(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *ctx = fixture_ctx(f, 0);
	struct dmaheap_buf *buf = NULL;
	void *p;

	assert_int_equal(dmaheap_alloc(ctx, "system", 4096, 0, &buf), 0);
	dmaheap_ctx_free(ctx);
	/* The buffer holds its own reference: still fully usable. */
	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	memset(p, 1, 4096);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
}

static void test_rejects_foreign_sys_abi(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	unsigned int fake[64] = { 0xdead };

	(void)f;
	o.sys = (const struct dmaheap_sys *)(void *)fake;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -EINVAL);
	assert_null(ctx);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(dmaheap_strerror(0), "Success");
	assert_string_equal(dmaheap_strerror(-EACCES),
			    dmaheap_strerror(EACCES));
	assert_non_null(strstr(dmaheap_strerror(-EBADFD), "dma-buf"));
	assert_string_equal(dmaheap_strerror(-123456), "Unknown error");
	assert_string_equal(dmaheap_strerror(INT32_MIN), "Unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_defaults),
		cmocka_unit_test(test_new_null),
		cmocka_unit_test(test_env_dir),
		cmocka_unit_test(test_bad_options),
		FIXTURE_TEST(test_options_struct_sizes),
		FIXTURE_TEST(test_options_struct_size_cap),
		FIXTURE_TEST(test_pool_options_struct_sizes),
		FIXTURE_TEST(test_ctx_creation_touches_nothing),
		FIXTURE_TEST(test_log_callback),
		FIXTURE_TEST(test_log_priority_filter),
		FIXTURE_TEST(test_search_skips_are_debug),
		FIXTURE_TEST(test_denied_usage_warns_once),
		FIXTURE_TEST(test_silent_by_default),
		FIXTURE_TEST(test_buffer_outlives_ctx_handle),
		FIXTURE_TEST(test_rejects_foreign_sys_abi),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
