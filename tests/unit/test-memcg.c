/* SPDX-License-Identifier: MIT */
/*
 * Memory-cgroup charging of the system heap (dma_heap.mem_accounting):
 * detection, and the guard that refuses what the cgroup cannot hold
 * before the kernel's OOM killer is asked, against the mock's cgroup
 * files.
 */
#include "testutil.h"

#define MIB ((size_t)1 << 20)
#define PARAM "/sys/module/dma_heap/parameters/mem_accounting"
#define CG "/sys/fs/cgroup"

/* The last WARNING-or-worse message, and how many there were. */
struct logcap {
	char last[512];
	int warnings;
};

static void capture(void *userdata, int priority, const char *msg)
{
	struct logcap *c = userdata;

	if (priority > DMAHEAP_LOG_WARNING)
		return;
	c->warnings++;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

static void set_file(struct fixture *f, const char *path, const char *text)
{
	assert_int_equal(dmaheap_mock_set_kernel_file(f->mock, path, text), 0);
}

/* Charging on, the caller in /app/job under /app; limits in bytes, NULL
 * for none ("max"). */
static void set_cgroups(struct fixture *f, const char *job_max,
			const char *job_cur, const char *app_max,
			const char *app_cur)
{
	set_file(f, PARAM, "Y\n");
	set_file(f, "/proc/self/cgroup", "0::/app/job\n");
	set_file(f, CG "/app/job/memory.max", job_max ? job_max : "max\n");
	set_file(f, CG "/app/job/memory.current", job_cur);
	set_file(f, CG "/app/memory.max", app_max ? app_max : "max\n");
	set_file(f, CG "/app/memory.current", app_cur);
}

static unsigned int listed_props(struct dmaheap_ctx *ctx, const char *heap)
{
	struct dmaheap_heap_info *list = NULL;
	unsigned int props = 0;
	int n = dmaheap_heap_list(ctx, &list);

	assert_true(n >= 1);
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, heap) == 0)
			props = list[i].props;
	dmaheap_heap_list_free(list);
	return props;
}

/* ------------------------------------------------------------------------ */

static void test_reported_when_on(void **state)
{
	struct fixture *f = *state;

	set_file(f, PARAM, "Y\n");
	assert_int_equal(listed_props(f->ctx, "system"),
			 DMAHEAP_PROP_CACHED | DMAHEAP_PROP_MEMCG);
}

static void test_not_reported_when_off(void **state)
{
	struct fixture *f = *state;
	unsigned int props = 0;

	set_file(f, PARAM, "N\n");
	assert_int_equal(listed_props(f->ctx, "system"), DMAHEAP_PROP_CACHED);
	/* Nor from the name alone. */
	assert_int_equal(dmaheap_heap_props(f->ctx, "system", &props),
			 DMAHEAP_PROPS_BUILTIN);
	assert_int_equal(props, DMAHEAP_PROP_CACHED);
}

/* Kernels before 7.0 have no parameter: no charging. */
static void test_not_reported_without_param(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(listed_props(f->ctx, "system"), DMAHEAP_PROP_CACHED);
}

/* Only the system heaps are charged; a CMA heap is not. */
static void test_only_system_heaps(void **state)
{
	struct fixture *f = *state;

	set_file(f, PARAM, "Y\n");
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "system_cc_shared", NULL), 0);
	assert_false(listed_props(f->ctx, "reserved") & DMAHEAP_PROP_MEMCG);
	assert_true(listed_props(f->ctx, "system_cc_shared") & DMAHEAP_PROP_MEMCG);
}

static void test_not_declarable(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "mine",
						    DMAHEAP_PROP_MEMCG),
			 -EINVAL);
}

static void test_refused_over_limit(void **state)
{
	struct fixture *f = *state;
	struct logcap c = { .warnings = 0 };
	struct dmaheap_ctx *ctx =
		fixture_logging_ctx(f, capture, &c, DMAHEAP_LOG_DEBUG);
	struct dmaheap_buf *buf = NULL;

	/* 16 MiB limit, 4 MiB in use: 12 MiB free. */
	set_cgroups(f, "16777216\n", "4194304\n", NULL, "4194304\n");
	assert_int_equal(dmaheap_alloc(ctx, "system", 32 * MIB, 0, &buf), -ENOMEM);
	assert_null(buf);
	/* The kernel was never asked. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 0);
	assert_int_equal(c.warnings, 1);
	assert_non_null(strstr(c.last, "/app/job"));
	assert_non_null(strstr(c.last, "16777216"));
	assert_non_null(strstr(c.last, CG "/app/job/memory.max"));
	assert_int_equal(dmaheap_alloc_fd(ctx, "system", 13 * MIB, 0), -ENOMEM);
	dmaheap_ctx_free(ctx);
}

static void test_allowed_under_limit(void **state)
{
	struct fixture *f = *state;
	struct logcap c = { .warnings = 0 };
	struct dmaheap_ctx *ctx =
		fixture_logging_ctx(f, capture, &c, DMAHEAP_LOG_DEBUG);
	struct dmaheap_buf *buf = NULL;

	set_cgroups(f, "16777216\n", "4194304\n", NULL, "4194304\n");
	assert_int_equal(dmaheap_alloc(ctx, "system", 4 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	/* Exactly what is free is allowed. */
	assert_int_equal(dmaheap_alloc(ctx, "system", 12 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(c.warnings, 0);
	dmaheap_ctx_free(ctx);
}

/* The tightest level decides, wherever it is. */
static void test_ancestor_limit(void **state)
{
	struct fixture *f = *state;
	struct logcap c = { .warnings = 0 };
	struct dmaheap_ctx *ctx =
		fixture_logging_ctx(f, capture, &c, DMAHEAP_LOG_DEBUG);
	struct dmaheap_buf *buf = NULL;

	set_cgroups(f, NULL, "0\n", "8388608\n", "6291456\n");
	assert_int_equal(dmaheap_alloc(ctx, "system", 3 * MIB, 0, &buf), -ENOMEM);
	assert_non_null(strstr(c.last, CG "/app/memory.max"));
	assert_int_equal(dmaheap_alloc(ctx, "system", 2 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

/* In a cgroup namespace (a container) the process sees itself at "/",
 * and its own limit at the mount's root. */
static void test_namespace_root(void **state)
{
	struct fixture *f = *state;
	struct logcap c = { .warnings = 0 };
	struct dmaheap_ctx *ctx =
		fixture_logging_ctx(f, capture, &c, DMAHEAP_LOG_DEBUG);
	struct dmaheap_buf *buf = NULL;

	set_file(f, PARAM, "Y\n");
	set_file(f, "/proc/self/cgroup", "0::/\n");
	/* The host's root: no limit file, nothing to check. */
	assert_int_equal(dmaheap_alloc(ctx, "system", 32 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	set_file(f, CG "/memory.max", "16777216\n");
	set_file(f, CG "/memory.current", "0\n");
	assert_int_equal(dmaheap_alloc(ctx, "system", 32 * MIB, 0, &buf), -ENOMEM);
	assert_non_null(strstr(c.last, "raise " CG "/memory.max"));
	dmaheap_ctx_free(ctx);
}

/* Over the limit already: nothing more of the guarded size fits. */
static void test_over_limit_already(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	set_cgroups(f, "16777216\n", "20000000\n", NULL, "0\n");
	assert_int_equal(dmaheap_alloc(f->ctx, "system", MIB, 0, &buf), -ENOMEM);
}

/* Small buffers read no file: the hot path stays as it was. */
static void test_small_not_checked(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int64_t opens;

	set_cgroups(f, "16777216\n", "16777216\n", NULL, "0\n");
	/* Opens the heap (and reads the parameter) once. */
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	opens = dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", MIB - 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), opens);
}

/* Charging off: no check even far over the cgroup's limit. */
static void test_off_not_checked(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	set_cgroups(f, "16777216\n", "16777216\n", NULL, "0\n");
	set_file(f, PARAM, "N\n");
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 32 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
}

/* Unreadable or odd files: the library does not guess; the kernel decides. */
static void test_unreadable_lets_through(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	set_file(f, PARAM, "Y\n");
	/* No /proc/self/cgroup. */
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 32 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	/* cgroup v1 only: no "0::" line. */
	set_file(f, "/proc/self/cgroup", "1:memory:/app\n");
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 32 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	/* Garbage in memory.max. */
	set_file(f, "/proc/self/cgroup", "0::/app\n");
	set_file(f, CG "/app/memory.max", "lots\n");
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 32 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	/* A level without memory.max is passed over, the next one counts. */
	set_file(f, "/proc/self/cgroup", "0::/app/job\n");
	set_file(f, CG "/app/memory.max", "1048576\n");
	set_file(f, CG "/app/memory.current", "0\n");
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 32 * MIB, 0, &buf), -ENOMEM);
}

/* A failed read of the cgroup file is no refusal either. */
static void test_read_fault_lets_through(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;

	set_cgroups(f, "16777216\n", "16777216\n", NULL, "0\n");
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_READ, 0, 1, EIO), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 32 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
}

/* A fallback chain moves on from a refused heap, as from a full one. */
static void test_chain_moves_on(void **state)
{
	struct fixture *f = *state;
	const char *chain[] = { "system", "reserved" };
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	set_cgroups(f, "16777216\n", "0\n", NULL, "0\n");
	assert_int_equal(dmaheap_alloc_from(f->ctx, chain, 2, 32 * MIB, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "reserved");
	dmaheap_buf_free(buf);
}

/* The mock's own contract: only its cgroup paths, read-only. */
static void test_mock_cgroup_files(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dmaheap_mock_set_kernel_file(f->mock, "/etc/passwd", "x"),
			 -EINVAL);
	assert_int_equal(dmaheap_mock_set_kernel_file(NULL, PARAM, "Y\n"), -EINVAL);
	set_file(f, PARAM, "Y\n");
	set_file(f, PARAM, NULL);
	assert_int_equal(listed_props(f->ctx, "system"), DMAHEAP_PROP_CACHED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_reported_when_on),
		FIXTURE_TEST(test_not_reported_when_off),
		FIXTURE_TEST(test_not_reported_without_param),
		FIXTURE_TEST(test_only_system_heaps),
		FIXTURE_TEST(test_not_declarable),
		FIXTURE_TEST(test_refused_over_limit),
		FIXTURE_TEST(test_allowed_under_limit),
		FIXTURE_TEST(test_ancestor_limit),
		FIXTURE_TEST(test_namespace_root),
		FIXTURE_TEST(test_over_limit_already),
		FIXTURE_TEST(test_small_not_checked),
		FIXTURE_TEST(test_off_not_checked),
		FIXTURE_TEST(test_unreadable_lets_through),
		FIXTURE_TEST(test_read_fault_lets_through),
		FIXTURE_TEST(test_chain_moves_on),
		FIXTURE_TEST(test_mock_cgroup_files),
	};

	return cmocka_run_group_tests_name("memcg", tests, NULL, NULL);
}
