/* SPDX-License-Identifier: MIT */
/* Heap properties, aliases, usage-based allocation, the policy file. */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "testutil.h"

static void add_heap(struct fixture *f, const char *name)
{
	assert_int_equal(dmaheap_mock_add_heap(f->mock, name, NULL), 0);
}

static void expect_props(struct fixture *f, const char *heap,
			 unsigned int props, int source)
{
	unsigned int got = ~0u;

	assert_int_equal(dmaheap_heap_props(f->ctx, heap, &got), source);
	assert_int_equal(got, props);
}

static void test_props_sources(void **state)
{
	struct fixture *f = *state;
	unsigned int p;

	expect_props(f, "system", DMAHEAP_PROP_CACHED, DMAHEAP_PROPS_BUILTIN);
	expect_props(f, "reserved", DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED,
		     DMAHEAP_PROPS_BUILTIN);
	expect_props(f, "protected,secure-video", DMAHEAP_PROP_PROTECTED,
		     DMAHEAP_PROPS_BUILTIN);
	expect_props(f, "udmabuf", DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF,
		     DMAHEAP_PROPS_BUILTIN);
	expect_props(f, "linux,cma-uncached",
		     DMAHEAP_PROP_UNCACHED | DMAHEAP_PROP_CONTIGUOUS,
		     DMAHEAP_PROPS_NAME);
	expect_props(f, "vidbuf_cached", DMAHEAP_PROP_CACHED, DMAHEAP_PROPS_NAME);
	expect_props(f, "qcom,secure-display", DMAHEAP_PROP_PROTECTED,
		     DMAHEAP_PROPS_NAME);
	expect_props(f, "mystery", 0, DMAHEAP_PROPS_UNKNOWN);

	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "mystery",
						    DMAHEAP_PROP_UNCACHED), 0);
	expect_props(f, "mystery", DMAHEAP_PROP_UNCACHED, DMAHEAP_PROPS_API);
	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "system", 0), 0);
	expect_props(f, "system", 0, DMAHEAP_PROPS_API);

	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "x",
		DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UNCACHED), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "x", 1u << 20),
			 -EINVAL);
	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "a/b", 0), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_heap_props(NULL, "x", 0), -EINVAL);
	assert_int_equal(dmaheap_heap_props(f->ctx, "", &p), -EINVAL);
	assert_int_equal(dmaheap_heap_props(f->ctx, "x", NULL), -EINVAL);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 0);
}

static void test_list_carries_props(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;

	add_heap(f, "system-uncached");
	assert_int_equal(dmaheap_heap_list(f->ctx, &list), 2);
	assert_string_equal(list[0].name, "system");
	assert_int_equal(list[0].props, DMAHEAP_PROP_CACHED);
	assert_int_equal(list[0].props_source, DMAHEAP_PROPS_BUILTIN);
	assert_int_equal(list[1].props, DMAHEAP_PROP_UNCACHED);
	dmaheap_heap_list_free(list);
}

static void test_cma_alias_resolution(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_buf *buf = NULL;
	const char *heap = NULL;

	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), -ENOENT);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "linux,cma", &locked), 0);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), -EACCES);
	add_heap(f, "reserved");
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), 0);
	assert_string_equal(heap, "reserved");
	/* Linux 6.17+ names it default_cma_region, and keeps the old one. */
	add_heap(f, "default_cma_region");
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), 0);
	assert_string_equal(heap, "default_cma_region");
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "default_cma_region");
	assert_int_equal(dmaheap_buf_props(buf),
			 DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_has_heap(f->ctx, "cma"), 1);

	assert_int_equal(dmaheap_heap_resolve(f->ctx, "system", &heap), 0);
	assert_string_equal(heap, "system");
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", NULL), -EINVAL);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "../cma", &heap), -EINVAL);
}

static void test_set_alias(void **state)
{
	struct fixture *f = *state;
	const char *mine[] = { "my-cma", "system" };
	const char *bad[] = { "ok", "a/b" };
	const char *heap = NULL;

	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "cma", mine, 2), 0);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), 0);
	assert_string_equal(heap, "system");
	add_heap(f, "my-cma");
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), 0);
	assert_string_equal(heap, "my-cma");

	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "cma", NULL, 0), 0);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), -ENOENT);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "cma", NULL, 0), -ENOENT);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "udmabuf", mine, 2),
			 -EINVAL);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "x", bad, 2), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "x", NULL, 1), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, ".x", mine, 2), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_alias(NULL, "x", mine, 2), -EINVAL);
}

static void test_alias_list(void **state)
{
	struct fixture *f = *state;
	const char *fast[] = { "absent", "system" };
	struct dmaheap_alias_info *list = NULL;

	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "fast", fast, 2), 0);
	assert_int_equal(dmaheap_alias_list(f->ctx, &list), 2);
	assert_string_equal(list[0].alias, "cma");
	assert_string_equal(list[0].members,
			    "default_cma_region linux,cma reserved default-pool");
	assert_null(list[0].heap);
	assert_int_equal(list[0].error, -ENOENT);
	assert_string_equal(list[1].alias, "fast");
	assert_string_equal(list[1].members, "absent system");
	assert_string_equal(list[1].heap, "system");
	assert_int_equal(list[1].error, 0);
	dmaheap_alias_list_free(list);
	dmaheap_alias_list_free(NULL);
	assert_int_equal(dmaheap_alias_list(NULL, &list), -EINVAL);
	assert_int_equal(dmaheap_alias_list(f->ctx, NULL), -EINVAL);
}

static const char *usage_heap(struct fixture *f, unsigned int usage, int *err)
{
	static char name[64];
	struct dmaheap_buf *buf = NULL;

	*err = dmaheap_alloc_usage(f->ctx, usage, 4096, 0, &buf);
	if (*err)
		return NULL;
	snprintf(name, sizeof(name), "%s", dmaheap_buf_heap_name(buf));
	dmaheap_buf_free(buf);
	return name;
}

static void test_usage_default_and_device_only(void **state)
{
	struct fixture *f = *state;
	int err;

	assert_string_equal(usage_heap(f, 0, &err), "system");
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_CPU_READ_OFTEN, &err),
			    "system");
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_DEVICE_ONLY, &err),
			    "system");
	/* A heap that appears is used once the context is told to look. */
	add_heap(f, "system-uncached");
	assert_int_equal(dmaheap_ctx_rescan(f->ctx), 0);
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_DEVICE_ONLY, &err),
			    "system-uncached");
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_CPU_WRITE_OFTEN, &err),
			    "system");
}

static void test_usage_falls_back_when_full(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap tiny = { .capacity = 4096 };
	struct dmaheap_buf *a = NULL;
	int err;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "system-uncached",
					       &tiny), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
					     4096, 0, &a), 0);
	assert_string_equal(dmaheap_buf_heap_name(a), "system-uncached");
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_DEVICE_ONLY, &err),
			    "system");
	dmaheap_buf_free(a);
}

static void test_usage_uncached_never_cached(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap tiny = { .capacity = 4096 };
	const char *cached[] = { "system" };
	int err;

	/* Only the cached system heap: refuse rather than corrupt frames,
	 * even when a rule names it for uncached use. */
	assert_null(usage_heap(f, DMAHEAP_USAGE_UNCACHED |
				  DMAHEAP_USAGE_CPU_WRITE_OFTEN, &err));
	assert_int_equal(err, -ENOENT);
	/* An uncached heap that is full does not fall back to a cached one. */
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "system-uncached",
					       &tiny), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_UNCACHED,
					     8192, 0, &(struct dmaheap_buf *){ 0 }),
			 -ENOMEM);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, DMAHEAP_USAGE_UNCACHED,
					      cached, 1), 0);
	assert_null(usage_heap(f, DMAHEAP_USAGE_UNCACHED, &err));
	assert_int_equal(err, -ENOENT);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, DMAHEAP_USAGE_UNCACHED,
					      (const char *[]){ "system",
							"system-uncached" }, 2), 0);
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_UNCACHED, &err),
			    "system-uncached");
}

static void test_usage_contiguous_never_scattered(void **state)
{
	struct fixture *f = *state;
	const char *rule[] = { "system", "reserved" };
	int err;

	assert_null(usage_heap(f, DMAHEAP_USAGE_CONTIGUOUS, &err));
	assert_int_equal(err, -ENOENT);
	/* Even a rule naming the system heap cannot make it contiguous. */
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, DMAHEAP_USAGE_CONTIGUOUS,
					      rule, 2), 0);
	assert_null(usage_heap(f, DMAHEAP_USAGE_CONTIGUOUS, &err));
	assert_int_equal(err, -ENOENT);
	add_heap(f, "reserved");
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_CONTIGUOUS |
				       DMAHEAP_USAGE_CPU_READ_OFTEN, &err),
			    "reserved");
}

static void test_usage_protected(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap prot = { .unmappable = 1 };
	const char *rule[] = { "protected,secure-video", "system" };
	struct dmaheap_buf *buf = NULL;
	void *p;
	int err;

	assert_null(usage_heap(f, DMAHEAP_USAGE_PROTECTED, &err));
	assert_int_equal(err, -ENOENT);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "protected,secure-video",
					       &prot), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_PROTECTED |
					     DMAHEAP_USAGE_DEVICE_ONLY, 4096, 0,
					     &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "protected,secure-video");
	assert_int_equal(dmaheap_buf_props(buf), DMAHEAP_PROP_PROTECTED);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_buf_map(buf, &p), -EPERM);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ),
			 -EPERM);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MMAP), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	dmaheap_buf_free(buf);
	/* Unprotected requests never get protected memory, even when a rule
	 * lists it first. */
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, 0, rule, 2), 0);
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_DEVICE_ONLY, &err),
			    "system");
}

static void test_usage_bad_bits(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_heap_info *plan = NULL;
	const unsigned int bad[] = {
		DMAHEAP_USAGE_DEVICE_ONLY | DMAHEAP_USAGE_CPU_READ_OFTEN,
		DMAHEAP_USAGE_PROTECTED | DMAHEAP_USAGE_CPU_WRITE_OFTEN,
		DMAHEAP_USAGE_PROTECTED | DMAHEAP_USAGE_CPU_RARELY,
		1u << 13,
	};
	const char *heaps[] = { "system" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dmaheap_alloc_usage(f->ctx, bad[i], 4096, 0,
						     &buf), -EINVAL);
		assert_int_equal(dmaheap_usage_plan(f->ctx, bad[i], &plan),
				 -EINVAL);
		assert_int_equal(dmaheap_ctx_add_rule(f->ctx, bad[i], heaps, 1),
				 -EINVAL);
	}
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, 0, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, 1, 8, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, SIZE_MAX, 0, &buf),
			 -EOVERFLOW);
	assert_int_equal(dmaheap_alloc_usage(NULL, 0, 1, 0, &buf), -EINVAL);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, 1, 0, NULL), -EINVAL);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, 0, heaps, 0), -EINVAL);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, 0, NULL, 1), -EINVAL);
	assert_null(buf);
}

static void test_rules_and_plan(void **state)
{
	struct fixture *f = *state;
	const char *camera[] = { "vidbuf_cached", "cma", "mystery" };
	struct dmaheap_heap_info *plan = NULL;
	int err;

	add_heap(f, "vidbuf_cached");
	add_heap(f, "linux,cma");
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx,
					      DMAHEAP_USAGE_CPU_READ_OFTEN,
					      camera, 3), 0);
	/* Aliases expand to all members; unknown heaps stay in when no
	 * requirement asks anything of them. */
	assert_int_equal(dmaheap_usage_plan(f->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
					    &plan), 6);
	assert_string_equal(plan[0].name, "vidbuf_cached");
	assert_int_equal(plan[0].error, 0);
	assert_int_equal(plan[0].props, DMAHEAP_PROP_CACHED);
	assert_string_equal(plan[1].name, "default_cma_region");
	assert_int_equal(plan[1].error, -ENOENT);
	assert_string_equal(plan[2].name, "linux,cma");
	assert_string_equal(plan[5].name, "mystery");
	dmaheap_heap_list_free(plan);
	assert_string_equal(usage_heap(f, DMAHEAP_USAGE_CPU_READ_OFTEN |
				       DMAHEAP_USAGE_CPU_WRITE_OFTEN, &err),
			    "vidbuf_cached");
	/* A contiguous request under the same rule keeps only CMA heaps. */
	assert_int_equal(dmaheap_usage_plan(f->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN |
					    DMAHEAP_USAGE_CONTIGUOUS, &plan), 4);
	assert_string_equal(plan[0].name, "default_cma_region");
	dmaheap_heap_list_free(plan);
	/* Nothing qualifies: an empty plan, still to be freed. */
	assert_int_equal(dmaheap_usage_plan(f->ctx, DMAHEAP_USAGE_PROTECTED,
					    &plan), 3);
	dmaheap_heap_list_free(plan);
	assert_int_equal(dmaheap_usage_plan(f->ctx, DMAHEAP_USAGE_UNCACHED |
					    DMAHEAP_USAGE_CONTIGUOUS, &plan), 0);
	assert_non_null(plan);
	dmaheap_heap_list_free(plan);
}

/* Every candidate of the plan meets @usage's requirements, and a
 * successful allocation came from one of them (issue 7, defect 1). */
static void expect_plan_holds(struct fixture *f, struct dmaheap_ctx *ctx,
			      unsigned int usage, unsigned int need)
{
	struct dmaheap_heap_info *plan = NULL;
	struct dmaheap_buf *buf = NULL;
	int n = dmaheap_usage_plan(ctx, usage, &plan);
	bool listed = false;
	int r;

	(void)f;
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(plan[i].props & need, need);
	r = dmaheap_alloc_usage(ctx, usage, 4096, 0, &buf);
	if (r == 0) {
		assert_int_equal(dmaheap_buf_props(buf) & need, need);
		for (int i = 0; i < n; i++)
			listed |= strcmp(plan[i].name,
					 dmaheap_buf_heap_name(buf)) == 0;
		assert_true(listed);
	}
	dmaheap_buf_free(buf);
	dmaheap_heap_list_free(plan);
}

static void test_nested_alias_refused(void **state)
{
	struct fixture *f = *state;
	const char *to_fast[] = { "fast-uncached" };
	const char *to_system[] = { "system" };
	const char *self[] = { "system", "mine" };
	const char *heap = NULL;

	/* Either order of definition would make an alias of an alias. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "display", to_fast, 1), 0);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "fast-uncached",
					       to_system, 1), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "other", to_system, 1), 0);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "outer",
					       (const char *[]){ "other" }, 1),
			 -EINVAL);
	/* The built-in "cma" alias's members are taken too. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "reserved", to_system, 1),
			 -EINVAL);
	/* An alias may name the heap it hides, and be redefined. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "mine", self, 2), 0);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "mine", &heap), 0);
	assert_string_equal(heap, "system");
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "display", to_system, 1), 0);
	/* Once removed, a name may become an alias. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "display", NULL, 0), 0);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "fast-uncached",
					       to_system, 1), 0);
}

/* Thousands of aliases, half removed: the indexes behind aliases and their
 * members forget exactly what was removed, whatever collided with it. */
static void test_many_aliases_removed(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_alias_info *list = NULL;
	char alias[32], member[32];
	const char *m[] = { member };
	const char *sys[] = { "system" };

	for (int i = 0; i < 3000; i++) {
		snprintf(alias, sizeof(alias), "a%d", i);
		snprintf(member, sizeof(member), "m%d", i);
		assert_int_equal(dmaheap_ctx_set_alias(f->ctx, alias, m, 1), 0);
	}
	for (int i = 0; i < 3000; i += 2) {
		snprintf(alias, sizeof(alias), "a%d", i);
		assert_int_equal(dmaheap_ctx_set_alias(f->ctx, alias, NULL, 0), 0);
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(alias, sizeof(alias), "a%d", i);
		snprintf(member, sizeof(member), "m%d", i);
		/* A member of a live alias may not become one; a member of
		 * a removed one may. */
		assert_int_equal(dmaheap_ctx_set_alias(f->ctx, member, sys, 1),
				 i % 2 ? -EINVAL : 0);
		assert_int_equal(dmaheap_ctx_set_alias(f->ctx, alias, NULL, 0),
				 i % 2 ? 0 : -ENOENT);
	}
	/* Left: "cma" and the 1500 aliases m0, m2, ... of a0, a2, ... */
	assert_int_equal(dmaheap_alias_list(f->ctx, &list), 1501);
	dmaheap_alias_list_free(list);
}

static void test_nested_alias_keeps_requirements(void **state)
{
	struct fixture *f = *state;
	const char *display[] = { "display" };
	const char *secure[] = { "secure-fake" };

	/* Whatever the set_alias calls answer, an UNCACHED or PROTECTED
	 * request never gets cached, unprotected "system" memory, and the
	 * plan shows what allocation does. */
	dmaheap_ctx_set_alias(f->ctx, "display",
			      (const char *[]){ "fast-uncached" }, 1);
	dmaheap_ctx_set_alias(f->ctx, "fast-uncached",
			      (const char *[]){ "system" }, 1);
	dmaheap_ctx_set_alias(f->ctx, "secure-fake",
			      (const char *[]){ "system" }, 1);
	dmaheap_ctx_set_alias(f->ctx, "vault",
			      (const char *[]){ "secure-fake" }, 1);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, DMAHEAP_USAGE_UNCACHED,
					      display, 1), 0);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, DMAHEAP_USAGE_PROTECTED,
					      secure, 1), 0);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, DMAHEAP_USAGE_PROTECTED |
					      DMAHEAP_USAGE_DEVICE_ONLY,
					      (const char *[]){ "vault" }, 1), 0);
	expect_plan_holds(f, f->ctx, DMAHEAP_USAGE_UNCACHED,
			  DMAHEAP_PROP_UNCACHED);
	expect_plan_holds(f, f->ctx, DMAHEAP_USAGE_PROTECTED,
			  DMAHEAP_PROP_PROTECTED);
	expect_plan_holds(f, f->ctx, DMAHEAP_USAGE_PROTECTED |
			  DMAHEAP_USAGE_DEVICE_ONLY, DMAHEAP_PROP_PROTECTED);
}

/* Writes @text to a temporary file; returns its path (static buffer). */
static const char *policy_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/dmaheap-policy-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

struct log_capture {
	char last[512];
};

static void capture(void *userdata, int priority, const char *msg)
{
	struct log_capture *c = userdata;

	(void)priority;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

static int ctx_with_policy(struct fixture *f, const char *text,
			   struct dmaheap_ctx **ctx, struct log_capture *log)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	const char *path = policy_file(text);
	int r;

	dmaheap_mock_options(f->mock, &o);
	o.policy_file = path;
	o.log_fn = capture;
	o.log_userdata = log;
	r = dmaheap_ctx_new_with(&o, ctx);
	unlink(path);
	return r;
}

static void test_policy_file(void **state)
{
	struct fixture *f = *state;
	struct log_capture log = { { 0 } };
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	const char *heap;
	unsigned int props;

	add_heap(f, "carveout0");
	add_heap(f, "display");
	assert_int_equal(ctx_with_policy(f,
		"# integrator policy\n"
		"\n"
		"heap carveout0 = contiguous uncached   # the reserved region\n"
		"alias cma = carveout0\n"
		"rule device-only contiguous = cma\n"
		"rule cpu-read-often = display system\n", &ctx, &log), 0);
	assert_int_equal(dmaheap_heap_props(ctx, "carveout0", &props),
			 DMAHEAP_PROPS_CONFIG);
	assert_int_equal(props, DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_UNCACHED);
	assert_int_equal(dmaheap_heap_resolve(ctx, "cma", &heap), 0);
	assert_string_equal(heap, "carveout0");
	assert_int_equal(dmaheap_alloc_usage(ctx, DMAHEAP_USAGE_DEVICE_ONLY |
					     DMAHEAP_USAGE_CONTIGUOUS |
					     DMAHEAP_USAGE_UNCACHED, 4096, 0,
					     &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "carveout0");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_alloc_usage(ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
					     4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "display");
	dmaheap_buf_free(buf);
	/* The built-in rules still apply below the file's. */
	assert_int_equal(dmaheap_alloc_usage(ctx, 0, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

static void test_policy_file_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct log_capture log = { { 0 } };
	struct dmaheap_ctx *ctx = NULL;
	const char *bad[] = {
		"frobnicate x = y\n",
		"rule cpu-often = system\n",
		"rule device-only cpu-read-often = system\n",
		"rule = system\n",
		"rule default system\n",
		"rule default =\n",
		"heap x = shiny\n",
		"heap x = cached uncached\n",
		"heap a/b = cached\n",
		"alias udmabuf = system\n",
		"alias cma = ../x\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log.last[0] = '\0';
		assert_int_equal(ctx_with_policy(f, bad[i], &ctx, &log), -EINVAL);
		assert_non_null(strstr(log.last, ":1: "));
	}
	assert_int_equal(ctx_with_policy(f, "# fine\nheap x = cached\nwhat\n",
					 &ctx, &log), -EINVAL);
	assert_non_null(strstr(log.last, ":3: "));
	assert_null(ctx);

	dmaheap_mock_options(f->mock, &o);
	o.policy_file = "/nonexistent/policy.conf";
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -ENOENT);
	o.policy_file = NULL;
	setenv("DMAHEAP_POLICY", "/nonexistent/env-policy.conf", 1);
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), -ENOENT);
	o.flags = DMAHEAP_CTX_NO_ENV;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	dmaheap_ctx_free(ctx);
	unsetenv("DMAHEAP_POLICY");
}

static void test_policy_file_nested_alias(void **state)
{
	struct fixture *f = *state;
	struct log_capture log = { { 0 } };
	struct dmaheap_ctx *ctx = NULL;
	const char *orders[] = {
		"alias display = fast-uncached\n"
		"alias fast-uncached = system\n"
		"rule uncached = display\n",
		"alias fast-uncached = system\n"
		"alias display = fast-uncached\n"
		"rule uncached = display\n",
	};

	for (size_t i = 0; i < 2; i++) {
		log.last[0] = '\0';
		ctx = NULL;
		if (ctx_with_policy(f, orders[i], &ctx, &log) == 0) {
			/* Accepted: then the guarantee must hold anyway. */
			expect_plan_holds(f, ctx, DMAHEAP_USAGE_UNCACHED,
					  DMAHEAP_PROP_UNCACHED);
			dmaheap_ctx_free(ctx);
			fail_msg("nested alias accepted (order %zu)", i);
		}
		assert_null(ctx);
		assert_non_null(strstr(log.last, ":2: "));
		assert_non_null(strstr(log.last, "alias"));
	}
}

static void test_buf_props_edges(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);

	assert_int_equal(dmaheap_buf_props(NULL), 0);
	assert_true(fd >= 0);
	assert_int_equal(dmaheap_import(f->ctx, fd, &buf), 0);
	assert_int_equal(dmaheap_buf_props(buf), 0);
	dmaheap_buf_free(buf);
	close(fd);
}

/* Every usage bit has a word, and each word gives its bit back. */
static void test_usage_names_round_trip(void **state)
{
	unsigned int bit, got, named = 0;
	const char *w;

	(void)state;
	assert_string_equal(dmaheap_usage_name(0), "default");
	got = ~0u;
	assert_int_equal(dmaheap_usage_from_name("default", &got), 0);
	assert_int_equal(got, 0);
	for (bit = 1; bit <= DMAHEAP_USAGE_GPU_RENDER; bit <<= 1) {
		w = dmaheap_usage_name(bit);
		assert_non_null(w);
		assert_int_equal(dmaheap_usage_from_name(w, &got), 0);
		assert_int_equal(got, bit);
		named |= bit;
	}
	assert_int_equal(named, (DMAHEAP_USAGE_GPU_RENDER << 1) - 1);
	assert_string_equal(dmaheap_usage_name(DMAHEAP_USAGE_CAMERA_WRITE),
			    "camera-write");
	assert_string_equal(dmaheap_usage_name(DMAHEAP_USAGE_CPU_READ_OFTEN),
			    "cpu-read-often");
	assert_string_equal(dmaheap_usage_name(DMAHEAP_USAGE_GPU_RENDER),
			    "gpu-render");
}

static void test_usage_names_refused(void **state)
{
	unsigned int got = 7;

	(void)state;
	assert_null(dmaheap_usage_name(DMAHEAP_USAGE_GPU_RENDER << 1));
	assert_null(dmaheap_usage_name(1u << 31));
	assert_null(dmaheap_usage_name(DMAHEAP_USAGE_CPU_READ_OFTEN |
				       DMAHEAP_USAGE_CONTIGUOUS));
	assert_int_equal(dmaheap_usage_from_name(NULL, &got), -EINVAL);
	assert_int_equal(dmaheap_usage_from_name("contiguous", NULL), -EINVAL);
	assert_int_equal(dmaheap_usage_from_name("", &got), -EINVAL);
	assert_int_equal(dmaheap_usage_from_name("Contiguous", &got), -EINVAL);
	assert_int_equal(dmaheap_usage_from_name("camera", &got), -EINVAL);
	assert_int_equal(dmaheap_usage_from_name("contiguous ", &got), -EINVAL);
	assert_int_equal(got, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_names_round_trip),
		cmocka_unit_test(test_usage_names_refused),
		FIXTURE_TEST(test_props_sources),
		FIXTURE_TEST(test_list_carries_props),
		FIXTURE_TEST(test_cma_alias_resolution),
		FIXTURE_TEST(test_set_alias),
		FIXTURE_TEST(test_alias_list),
		FIXTURE_TEST(test_usage_default_and_device_only),
		FIXTURE_TEST(test_usage_falls_back_when_full),
		FIXTURE_TEST(test_usage_uncached_never_cached),
		FIXTURE_TEST(test_usage_contiguous_never_scattered),
		FIXTURE_TEST(test_usage_protected),
		FIXTURE_TEST(test_usage_bad_bits),
		FIXTURE_TEST(test_rules_and_plan),
		FIXTURE_TEST(test_policy_file),
		FIXTURE_TEST(test_policy_file_errors),
		FIXTURE_TEST(test_buf_props_edges),
		FIXTURE_TEST(test_nested_alias_refused),
		FIXTURE_TEST(test_many_aliases_removed),
		FIXTURE_TEST(test_nested_alias_keeps_requirements),
		FIXTURE_TEST(test_policy_file_nested_alias),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
