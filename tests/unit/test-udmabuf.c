/* SPDX-License-Identifier: MIT */
/* The udmabuf pseudo-heap, through the library, against the mock. */
#include <fcntl.h>
#include <unistd.h>

#include "testutil.h"

static void set_udmabuf(struct fixture *f, enum dmaheap_mock_node node,
			unsigned int limit_mb, int no_sysfs)
{
	struct dmaheap_mock_udmabuf props = {
		.node = node,
		.size_limit_mb = limit_mb,
		.no_sysfs = no_sysfs,
	};

	assert_int_equal(dmaheap_mock_set_udmabuf(f->mock, &props), 0);
}

static void test_listed_with_heaps(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;

	assert_int_equal(dmaheap_heap_list(f->ctx, &list), 1);
	dmaheap_heap_list_free(list);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 0, 0);
	assert_int_equal(dmaheap_heap_list(f->ctx, &list), 2);
	assert_string_equal(list[1].name, "udmabuf");
	assert_int_equal(list[1].error, 0);
	assert_int_equal(list[1].props, DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF);
	dmaheap_heap_list_free(list);
	assert_int_equal(dmaheap_has_heap(f->ctx, "udmabuf"), 1);
}

static void test_listed_without_heap_dir(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(f->mock, &o);
	o.heap_dir = "/nonexistent/dma_heap";
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_int_equal(dmaheap_heap_list(ctx, &list), -ENOENT);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_NO_ACCESS, 0, 0);
	/* Listed when present, with why it cannot be opened. */
	assert_int_equal(dmaheap_heap_list(ctx, &list), 1);
	assert_string_equal(list[0].name, "udmabuf");
	assert_int_equal(list[0].error, -EACCES);
	dmaheap_heap_list_free(list);
	assert_int_equal(dmaheap_alloc(ctx, "udmabuf", 1, 0,
				       &(struct dmaheap_buf *){ NULL }), -EACCES);
	dmaheap_ctx_free(ctx);
}

struct last_lines {
	int n;
	char text[4][512];
};

static void keep_line(void *userdata, int priority, const char *msg)
{
	struct last_lines *l = userdata;

	(void)priority;
	snprintf(l->text[l->n++ % 4], sizeof(l->text[0]), "%s", msg);
}

/* udmabuf never lives in the heap directory: a miss names its device. */
static void test_missing_device_named(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct last_lines l = { 0 };
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	const char *dev;

	dmaheap_mock_options(f->mock, &o);
	o.heap_dir = "/nonexistent/heaps";
	o.log_fn = keep_line;
	o.log_userdata = &l;
	o.log_priority = DMAHEAP_LOG_DEBUG;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	dev = dmaheap_ctx_udmabuf_dev(ctx);
	assert_int_equal(dmaheap_alloc(ctx, "udmabuf", 4096, 0, &buf), -ENOENT);
	assert_int_equal(l.n, 1);
	assert_null(strstr(l.text[0], "/nonexistent/heaps"));
	assert_non_null(strstr(l.text[0], dev));
	assert_non_null(strstr(l.text[0], "CONFIG_UDMABUF"));
	assert_non_null(strstr(l.text[0], "DMAHEAP_UDMABUF_DEV"));
	dmaheap_ctx_free(ctx);
}

static void test_alloc(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_buf_info info;
	struct dmaheap_buf *buf = NULL;
	unsigned char *p;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 0, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 5000, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), 8192);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	assert_int_equal(dmaheap_buf_props(buf),
			 DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF);
	assert_int_equal(fcntl(dmaheap_buf_fd(buf), F_GETFD) & FD_CLOEXEC,
			 FD_CLOEXEC);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	assert_string_equal(info.heap, "udmabuf");
	assert_string_equal(info.name, "udmabuf");
	assert_int_equal(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(p[8191], 0);
	p[8191] = 0x42;
	assert_int_equal(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	/* One memfd made and sealed, one CREATE, the memfd closed after. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MEMFD_CREATE), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_FTRUNCATE), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock,
					    DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE), 1);
}

static void test_size_limit(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 8, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", (8u << 20) + 1, 0, &buf),
			 -EFBIG);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MEMFD_CREATE), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 8u << 20, 0, &buf), 0);
	dmaheap_buf_free(buf);

	/* Without the parameter file the device itself refuses, and the
	 * library says why: over the limit, whatever the kernel's errno. */
	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 8, 1);
	ctx = fixture_ctx(f, 0);
	assert_int_equal(dmaheap_alloc(ctx, "udmabuf", 9u << 20, 0, &buf),
			 -EFBIG);
	assert_int_equal(dmaheap_alloc_from(ctx, (const char *[]){ "udmabuf",
					    "system" }, 2, 9u << 20, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

/* Root raises size_limit_mb while a context holds udmabuf open. */
static void test_limit_raised_later(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 8, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 16u << 20, 0, &buf),
			 -EFBIG);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 32, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 16u << 20, 0, &buf),
			 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	dmaheap_buf_free(buf);
	/* Over the new limit is still refused before asking the kernel. */
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 33u << 20, 0, &buf),
			 -EFBIG);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MEMFD_CREATE),
			 0);
}

/* Root lowers it: the kernel's EINVAL becomes -EFBIG, chains move on. */
static void test_limit_lowered_later(void **state)
{
	struct fixture *f = *state;
	const char *chain[] = { "udmabuf", "system" };
	struct dmaheap_buf *buf = NULL;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 32, 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), 0);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 8, 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 16u << 20, 0, &buf),
			 -EFBIG);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 2, 16u << 20, 0,
					    &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_alloc_usage(f->ctx,
					     DMAHEAP_USAGE_CPU_READ_OFTEN,
					     16u << 20, 0, &buf), 0);
	dmaheap_buf_free(buf);
	/* The new limit is remembered: refused without asking again. */
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 16u << 20, 0, &buf),
			 -EFBIG);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MEMFD_CREATE),
			 0);
}

/* Within the limit, no extra system call; an EINVAL there stays one. */
static void test_limit_ordinary_path(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 8, 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 1u << 20, 0, &buf),
			 0);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READ), 0);
	/* An EINVAL for a size the module allows is not a size problem. */
	assert_int_equal(dmaheap_mock_inject(f->mock,
					     DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE,
					     0, 1, EINVAL), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 1u << 20, 0, &buf),
			 -EINVAL);
}

static void test_fallback_past_limit(void **state)
{
	struct fixture *f = *state;
	const char *chain[] = { "udmabuf", "system" };
	const char *only[] = { "udmabuf", "absent" };
	struct dmaheap_buf *buf = NULL;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 1, 0);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 2, 2u << 20, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 2, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_alloc_from(f->ctx, only, 2, 2u << 20, 0, &buf),
			 -EFBIG);
}

static void test_udmabuf_only_machine(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	/* No heap at all, as for a console user under systemd. */
	assert_int_equal(dmaheap_mock_remove_heap(f->mock, "system"), 0);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 0, 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
					     4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_UNCACHED, 4096,
					     0, &buf), -ENOENT);
}

static void test_failures_leak_nothing(void **state)
{
	struct fixture *f = *state;
	const struct {
		enum dmaheap_mock_call call;
		unsigned int skip;
		int err;
	} faults[] = {
		{ DMAHEAP_MOCK_MEMFD_CREATE, 0, EMFILE },
		{ DMAHEAP_MOCK_FTRUNCATE, 0, ENOSPC },
		{ DMAHEAP_MOCK_FCNTL, 0, EPERM },	/* F_ADD_SEALS */
		{ DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE, 0, ENOMEM },
	};
	struct dmaheap_buf *buf = NULL;
	int before;

	set_udmabuf(f, DMAHEAP_MOCK_NODE_HEAP, 0, 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), 0);
	before = count_open_fds();
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		assert_int_equal(dmaheap_mock_inject(f->mock, faults[i].call,
						     faults[i].skip, 1,
						     faults[i].err), 0);
		assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 4096, 0, &buf),
				 -faults[i].err);
		assert_null(buf);
		assert_int_equal(count_open_fds(), before);
	}
	/* EINTR from CREATE is retried. */
	assert_int_equal(dmaheap_mock_inject(f->mock,
					     DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE,
					     0, 2, EINTR), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "udmabuf", 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
}

static void test_device_kinds(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), -ENOENT);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_REGULAR, 0, 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), -ENOTTY);
	set_udmabuf(f, DMAHEAP_MOCK_NODE_NO_DEVICE, 0, 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), -ENODEV);
}

static void test_device_path(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	assert_null(dmaheap_ctx_udmabuf_dev(NULL));
	assert_string_equal(dmaheap_ctx_udmabuf_dev(f->ctx),
			    dmaheap_mock_udmabuf_path(f->mock));
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	setenv("DMAHEAP_UDMABUF_DEV", "/tmp/from-env", 1);
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_string_equal(dmaheap_ctx_udmabuf_dev(ctx), "/dev/udmabuf");
	dmaheap_ctx_free(ctx);
	o.flags = DMAHEAP_CTX_NO_POLICY_FILE;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_string_equal(dmaheap_ctx_udmabuf_dev(ctx), "/tmp/from-env");
	dmaheap_ctx_free(ctx);
	unsetenv("DMAHEAP_UDMABUF_DEV");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_listed_with_heaps),
		FIXTURE_TEST(test_listed_without_heap_dir),
		FIXTURE_TEST(test_alloc),
		FIXTURE_TEST(test_size_limit),
		FIXTURE_TEST(test_limit_raised_later),
		FIXTURE_TEST(test_limit_lowered_later),
		FIXTURE_TEST(test_limit_ordinary_path),
		FIXTURE_TEST(test_fallback_past_limit),
		FIXTURE_TEST(test_udmabuf_only_machine),
		FIXTURE_TEST(test_failures_leak_nothing),
		FIXTURE_TEST(test_device_kinds),
		FIXTURE_TEST(test_device_path),
		FIXTURE_TEST(test_missing_device_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
