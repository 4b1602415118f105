/* SPDX-License-Identifier: MIT */
/*
 * What each operation costs the library itself: system calls (the mock's
 * counters), heap allocations and lock acquisitions (counting.h), and the
 * error paths only an allocation failure reaches. Counts, never timings.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "counting.h"
#include "testutil.h"
#include "core/core.h"

#define SKIP_UNLESS_COUNTING()                                              \
	do {                                                                \
		if (!counting_available()) {                                \
			print_message("no allocation counting here "       \
				      "(sanitizer or valgrind)\n");         \
			skip();                                             \
		}                                                           \
	} while (0)

/* A failure after the kernel handed out the buffer is a failure, and the
 * buffer is closed (issue 7, defect 8). */
static void test_stats_failure_after_kernel(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats st;
	int r;

	SKIP_UNLESS_COUNTING();
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	counting_start(1);
	r = dmaheap_alloc(f->ctx, "system", 4096, 0, &buf);
	counting_stop();
	assert_int_equal(r, -ENOMEM);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), 0);
	assert_int_equal(st.allocations, 0);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(st.peak_bytes, 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.allocations, 0);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.peak_bytes, 0);
}

/* Every allocation the library makes in dmaheap_alloc() failing in turn:
 * a clean -ENOMEM, nothing leaked (the teardown checks), stats honest. */
static void test_alloc_survives_each_malloc_failure(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_stats st;
	long n;

	SKIP_UNLESS_COUNTING();
	counting_start(0);
	{
		struct dmaheap_buf *buf = NULL;

		assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf),
				 -ENOENT);
		assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf),
				 0);
		dmaheap_buf_free(buf);
	}
	n = counting_stop().allocs;
	for (long i = 1; i <= n; i++) {
		struct dmaheap_ctx *ctx = fixture_ctx(f, 0);
		struct dmaheap_buf *buf = NULL;
		int r;

		counting_start(i);
		r = dmaheap_alloc(ctx, "cma", 4096, 0, &buf);
		if (r == -ENOENT)
			r = dmaheap_alloc(ctx, "system", 4096, 0, &buf);
		counting_stop();
		assert_true(r == 0 || r == -ENOMEM);
		dmaheap_buf_free(buf);
		assert_int_equal(dmaheap_ctx_stats(ctx, NULL, &st), 0);
		assert_int_equal(st.live_buffers, 0);
		assert_int_equal(st.allocations, r == 0);
		dmaheap_ctx_free(ctx);
	}
}

/* System calls of any kind the mock saw since the last reset. */
static int64_t syscalls(struct fixture *f)
{
	int64_t n = 0;

	for (int c = 0; c < DMAHEAP_MOCK_CALL_COUNT; c++)
		n += dmaheap_mock_calls(f->mock, c);
	return n;
}

#define ROUNDS 50

/* Allocation from a heap already open: one ALLOC and one SET_NAME, then
 * one close; no lock, and no malloc: the object freed last is reused. */
static void test_plain_alloc_costs(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct counts c;

	SKIP_UNLESS_COUNTING();
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_mock_reset_calls(f->mock);
	counting_start(0);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf),
				 0);
		dmaheap_buf_free(buf);
	}
	c = counting_stop();
	assert_int_equal(c.allocs, 0);
	assert_int_equal(c.locks, 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC),
			 ROUNDS);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME),
			 ROUNDS);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_CLOSE), ROUNDS);
	assert_int_equal(syscalls(f), 3 * ROUNDS);

	/* Without naming: the SET_NAME goes. */
	dmaheap_mock_reset_calls(f->mock);
	counting_start(0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096,
				       DMAHEAP_ALLOC_NO_NAME, &buf), 0);
	dmaheap_buf_free(buf);
	c = counting_stop();
	assert_int_equal(c.allocs, 0);
	assert_int_equal(c.locks, 0);
	assert_int_equal(syscalls(f), 2);
}

/* Through an alias, the first allocation finds the member; later ones do
 * no alias work: no open, no lock, no allocation. */
static void test_alias_remembered(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct counts c;

	SKIP_UNLESS_COUNTING();
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "reserved");
	dmaheap_buf_free(buf);
	/* default_cma_region and linux,cma failed, reserved opened. */
	assert_true(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN) >= 3);
	dmaheap_mock_reset_calls(f->mock);
	counting_start(0);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
		dmaheap_buf_free(buf);
	}
	c = counting_stop();
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 0);
	assert_int_equal(syscalls(f), 3 * ROUNDS);
	assert_int_equal(c.allocs, 0);
	assert_int_equal(c.locks, 0);
}

/* The heap a thread found last is remembered as a hint only: the same
 * caller buffer holding another name, an alias, or a name that became an
 * alias finds what the name means now. */
static void test_last_heap_hint(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	const char *mine[] = { "other" };
	char name[32];
	int fd;
	struct {
		const char *name, *heap;
	} steps[] = {
		{ "system", "system" }, { "other", "other" },
		{ "system", "system" }, { "cma", "reserved" },
		{ "system", "system" }, { "systen", NULL },
		{ "syste", NULL },	{ "system", "system" },
	};

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "other", NULL), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		strcpy(name, steps[i].name);
		if (!steps[i].heap) {
			assert_int_equal(dmaheap_alloc(f->ctx, name, 4096, 0,
						       &buf), -ENOENT);
			continue;
		}
		assert_int_equal(dmaheap_alloc(f->ctx, name, 4096, 0, &buf), 0);
		assert_string_equal(dmaheap_buf_heap_name(buf), steps[i].heap);
		dmaheap_buf_free(buf);
	}
	/* "system" becomes an alias: the next allocation follows it. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "system", mine, 1), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, name, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "other");
	dmaheap_buf_free(buf);
	fd = dmaheap_alloc_fd(f->ctx, name, 4096, 0);
	assert_true(fd >= 0);
	close(fd);
}

/* What an alias resolved to holds until a rescan, a policy change or an
 * explicit probe; then the new member is found. */
static void test_alias_invalidation(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	const char *heap = NULL;
	const char *mine[] = { "fast", "system" };

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "linux,cma", NULL), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "reserved");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_ctx_rescan(f->ctx), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "linux,cma");
	dmaheap_buf_free(buf);
	/* An explicit probe looks afresh and allocations follow it. */
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "default_cma_region",
					       NULL), 0);
	assert_int_equal(dmaheap_heap_resolve(f->ctx, "cma", &heap), 0);
	assert_string_equal(heap, "default_cma_region");
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "default_cma_region");
	dmaheap_buf_free(buf);
	/* A policy change: "cma" is now another alias, "system" an alias. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "cma", mine, 2), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_ctx_rescan(NULL), -EINVAL);
}

/* An alias none of whose members opens: the answer is remembered too. */
static void test_alias_absence_remembered(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_buf *buf = NULL;
	int64_t first, once;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", &locked), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), -EACCES);
	/* Each member tried: at least one open() each. */
	first = dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN);
	assert_true(first >= 4);
	dmaheap_mock_reset_calls(f->mock);
	for (int i = 0; i < ROUNDS; i++)
		assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf),
				 -EACCES);
	assert_int_equal(syscalls(f), 0);
	/* A plain name that failed is looked for again each time. */
	assert_int_equal(dmaheap_alloc(f->ctx, "absent", 4096, 0, &buf),
			 -ENOENT);
	once = dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN);
	assert_true(once > 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "absent", 4096, 0, &buf),
			 -ENOENT);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN),
			 2 * once);
	assert_int_equal(dmaheap_ctx_rescan(f->ctx), 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_alloc(f->ctx, "cma", 4096, 0, &buf), -EACCES);
	/* Nothing of a failed open is kept: all four again. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), first);
}

/* A heap that appears after the context (a heap module loaded): the
 * same context finds it by its name and through an alias none of whose
 * members existed before, and once found, allocations from it cost what
 * any other heap's do: no open, no lock, no malloc (the buffer object is
 * the one freed before), three calls each. */
static void test_late_heap_found(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	const char *names[] = { "default_cma_region", "cma" };
	struct counts c;

	for (int i = 0; i < 2; i++)
		assert_int_equal(dmaheap_alloc(f->ctx, names[i], 4096, 0, &buf),
				 -ENOENT);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "default_cma_region",
					       NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(dmaheap_alloc(f->ctx, names[i], 4096, 0, &buf),
				 0);
		assert_string_equal(dmaheap_buf_heap_name(buf),
				    "default_cma_region");
		dmaheap_buf_free(buf);
	}
	/* Both names in turn, ROUNDS in all: as many buffers as the other
	 * tests here make, so the mock's own upkeep stays out of the count. */
	SKIP_UNLESS_COUNTING();
	dmaheap_mock_reset_calls(f->mock);
	counting_start(0);
	for (int j = 0; j < ROUNDS; j++) {
		assert_int_equal(dmaheap_alloc(f->ctx, names[j % 2], 4096, 0,
					       &buf), 0);
		dmaheap_buf_free(buf);
	}
	c = counting_stop();
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 0);
	assert_int_equal(syscalls(f), 3 * ROUNDS);
	assert_int_equal(c.allocs, 0);
	assert_int_equal(c.locks, 0);
}

/* The usage plan is computed once per policy generation: later
 * allocations take no lock and allocate nothing (the buffer object is
 * the one freed before). */
static void test_usage_plan_once(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct counts c;

	SKIP_UNLESS_COUNTING();
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
					     4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_mock_reset_calls(f->mock);
	counting_start(0);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(dmaheap_alloc_usage(f->ctx,
						     DMAHEAP_USAGE_DEVICE_ONLY,
						     4096, 0, &buf), 0);
		assert_string_equal(dmaheap_buf_heap_name(buf), "system");
		dmaheap_buf_free(buf);
	}
	c = counting_stop();
	assert_int_equal(c.allocs, 0);
	assert_int_equal(c.locks, 0);
	/* system-uncached, first in the built-in rule, is absent: the plan
	 * remembers it, as it remembers that system is open. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN), 0);
	assert_int_equal(syscalls(f), 3 * ROUNDS);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "system-uncached",
					       NULL), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
					     4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_ctx_rescan(f->ctx), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
					     4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system-uncached");
	dmaheap_buf_free(buf);
}

/* Policy changes reach the plan at once. */
static void test_usage_plan_follows_policy(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_heap_info *plan = NULL;
	const char *two[] = { "a1", "a2" };

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "vid", NULL), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, 0,
					      (const char *[]){ "vid" }, 1), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "vid");
	dmaheap_buf_free(buf);
	assert_int_equal(dmaheap_ctx_set_heap_props(f->ctx, "vid",
						    DMAHEAP_PROP_PROTECTED), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx, 0, 4096, 0, &buf), -ENOENT);
	/* Aliases expand in order, each heap once. */
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "a1",
					       (const char *[]){ "x", "y" }, 2), 0);
	assert_int_equal(dmaheap_ctx_set_alias(f->ctx, "a2",
					       (const char *[]){ "y", "x", "z" },
					       3), 0);
	assert_int_equal(dmaheap_ctx_add_rule(f->ctx, 0, two, 2), 0);
	assert_int_equal(dmaheap_usage_plan(f->ctx, 0, &plan), 3);
	assert_string_equal(plan[0].name, "x");
	assert_string_equal(plan[1].name, "y");
	assert_string_equal(plan[2].name, "z");
	dmaheap_heap_list_free(plan);
}

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

/* ThreadSanitizer cannot see what membarrier orders: the library makes
 * every plan reader use a locked instruction there, and no membarrier. */
#define SKIP_UNDER_TSAN()                                                   \
	do {                                                                \
		if (UNDER_TSAN) {                                           \
			print_message("no membarrier under "                \
				      "ThreadSanitizer\n");                 \
			skip();                                             \
		}                                                           \
	} while (0)

struct debug_log {
	char text[4096];
};

static void capture_debug(void *userdata, int priority, const char *msg)
{
	struct debug_log *l = userdata;
	size_t used = strlen(l->text);

	(void)priority;
	snprintf(l->text + used, sizeof(l->text) - used, "%s\n", msg);
}

static int64_t membarriers(struct fixture *f)
{
	return dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MEMBARRIER);
}

static void alloc_usage_free(struct dmaheap_ctx *ctx)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc_usage(ctx, 0, 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
}

/* Once the process is registered for membarrier, plan readers count
 * without a locked instruction: one registration with the first plan,
 * no system call while plans stay, one barrier per replacement. */
static void test_usage_plan_membarrier(void **state)
{
	struct fixture *f = *state;

	SKIP_UNDER_TSAN();
	alloc_usage_free(f->ctx);
	assert_int_equal(membarriers(f), 1);
	for (int i = 0; i < ROUNDS; i++)
		alloc_usage_free(f->ctx);
	assert_int_equal(membarriers(f), 1);
	for (int i = 2; i <= 4; i++) {
		assert_int_equal(dmaheap_ctx_rescan(f->ctx), 0);
		alloc_usage_free(f->ctx);
		assert_int_equal(membarriers(f), i);
	}
}

/* Without membarrier (old kernel, seccomp), readers use locked
 * instructions and replacements make no system call for them. */
static void test_usage_plan_no_membarrier(void **state)
{
	struct fixture *f = *state;
	struct debug_log l = { "" };
	struct dmaheap_ctx *ctx = fixture_logging_ctx(f, capture_debug, &l,
						      DMAHEAP_LOG_DEBUG);

	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MEMBARRIER,
					     0, 1, ENOSYS), 0);
	alloc_usage_free(ctx);
	assert_int_equal(membarriers(f), UNDER_TSAN ? 0 : 1);
	if (!UNDER_TSAN)
		assert_non_null(strstr(l.text, "usage plans: membarrier: "));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dmaheap_ctx_rescan(ctx), 0);
		alloc_usage_free(ctx);
	}
	assert_int_equal(membarriers(f), UNDER_TSAN ? 0 : 1);
	dmaheap_ctx_free(ctx);
}

/* A barrier refused after the registration: the replaced plans wait,
 * allocations go on, and the next replacement's barrier frees them (the
 * teardown and the sanitizers see any leak). */
static void test_usage_plan_barrier_refused(void **state)
{
	struct fixture *f = *state;
	struct debug_log l = { "" };
	struct dmaheap_ctx *ctx;

	SKIP_UNDER_TSAN();
	ctx = fixture_logging_ctx(f, capture_debug, &l,
				  DMAHEAP_LOG_DEBUG);
	alloc_usage_free(ctx);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MEMBARRIER,
					     0, 1, EPERM), 0);
	assert_int_equal(dmaheap_ctx_rescan(ctx), 0);
	alloc_usage_free(ctx);
	assert_int_equal(membarriers(f), 2);
	assert_non_null(strstr(l.text, "replaced plans kept"));
	assert_int_equal(dmaheap_ctx_rescan(ctx), 0);
	alloc_usage_free(ctx);
	assert_int_equal(membarriers(f), 3);
	dmaheap_ctx_free(ctx);
}

/* Raw sync on an fd the context made or already checked: exactly one
 * system call, the SYNC itself. */
static void test_raw_sync_one_syscall(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *other = fixture_ctx(f, 0);
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
	int foreign = dmaheap_alloc_fd(other, "system", 4096, 0);

	assert_true(fd >= 0 && foreign >= 0);
	dmaheap_mock_reset_calls(f->mock);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(dmaheap_sync_start(f->ctx, fd,
						    DMAHEAP_ACCESS_RW), 0);
		assert_int_equal(dmaheap_sync_end(f->ctx, fd,
						  DMAHEAP_ACCESS_RW), 0);
	}
	assert_int_equal(syscalls(f), 2 * ROUNDS);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC),
			 2 * ROUNDS);
	/* An fd of unknown origin is checked once, then known. */
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_sync_start(f->ctx, foreign,
					    DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(syscalls(f), 2);
	assert_int_equal(dmaheap_sync_end(f->ctx, foreign, DMAHEAP_ACCESS_READ),
			 0);
	assert_int_equal(syscalls(f), 3);
	/* A NULL context checks every time (the real kernel: not counted). */
	close(foreign);
	close(fd);
	dmaheap_ctx_free(other);
}

/* The fd number of a closed dma-buf, reused by the library for a heap
 * node, is never synced: the SYNC would be an ALLOC. */
static void test_raw_sync_heap_fd_reuse(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap other = { 0 };
	int fds[3], reused = 0;

	for (int i = 0; i < 3; i++) {
		fds[i] = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
		assert_true(fds[i] >= 0);
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	/* The node takes one of the numbers just freed (the lowest free,
	 * after whatever the mock uses on the way). */
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "other", &other), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "other"), 0);
	dmaheap_mock_reset_calls(f->mock);
	for (int i = 0; i < 3; i++) {
		if (fcntl(fds[i], F_GETFD) < 0)
			continue;
		reused++;
		assert_int_equal(dmaheap_sync_start(f->ctx, fds[i],
						    DMAHEAP_ACCESS_READ),
				 -EBADFD);
	}
	assert_int_equal(reused, 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 0);
}

/* A buffer object's fd, known once synced raw, is forgotten when the
 * library closes it; one handed out by dmaheap_buf_release_fd() is known
 * at once. */
static void test_raw_sync_buffer_fds(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int fd, memfd;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	fd = dmaheap_buf_fd(buf);
	assert_int_equal(dmaheap_sync_start(f->ctx, fd, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(dmaheap_sync_end(f->ctx, fd, DMAHEAP_ACCESS_READ), 0);
	dmaheap_buf_free(buf);
	memfd = memfd_create("plain", MFD_CLOEXEC);
	assert_int_equal(memfd, fd);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_sync_start(f->ctx, memfd, DMAHEAP_ACCESS_READ),
			 -EBADFD);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	close(memfd);

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	fd = dmaheap_buf_release_fd(buf);
	assert_true(fd >= 0);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_sync_start(f->ctx, fd, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_sync_end(f->ctx, fd, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(syscalls(f), 2);
	close(fd);
}

struct holder {
	struct dmaheap_ctx *ctx;
	pthread_barrier_t *all_live;
	struct dmaheap_buf *buf;
	int r;
};

/* One live 4 KiB buffer until every holder has one. */
static void *hold_one(void *arg)
{
	struct holder *h = arg;

	h->r = dmaheap_alloc(h->ctx, "system", 4096, 0, &h->buf);
	pthread_barrier_wait(h->all_live);
	pthread_barrier_wait(h->all_live);
	return NULL;
}

/* @n threads alive at once, each holding one buffer while @check runs;
 * its verdict is asserted once they are gone. */
static void hold_in_threads(struct dmaheap_ctx *ctx, int n,
			    bool (*check)(struct dmaheap_ctx *ctx, int n))
{
	bool ok;
	struct holder h[40];
	pthread_t t[40];
	pthread_barrier_t all_live;

	assert_true(n <= 40);
	assert_int_equal(pthread_barrier_init(&all_live, NULL, n + 1), 0);
	for (int i = 0; i < n; i++) {
		h[i] = (struct holder){ .ctx = ctx, .all_live = &all_live };
		assert_int_equal(pthread_create(&t[i], NULL, hold_one, &h[i]),
				 0);
	}
	pthread_barrier_wait(&all_live);
	for (int i = 0; i < n; i++)
		assert_int_equal(h[i].r, 0);
	ok = check(ctx, n);
	pthread_barrier_wait(&all_live);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		dmaheap_buf_free(h[i].buf);
	}
	pthread_barrier_destroy(&all_live);
	assert_true(ok);
}

static bool one_buffer_per_shard(struct dmaheap_ctx *ctx, int n)
{
	int holding = 0;

	for (int i = 0; i < DMAHEAP_SHARDS; i++) {
		int64_t live = atomic_load(&ctx->total.shard[i].s.live_bytes);

		if (live != 0 && live != 4096)
			print_message("shard %d: %lld bytes live\n", i,
				      (long long)live);
		holding += live == 4096;
	}
	return holding == n;
}

/* Threads alive at once never share a shard, whatever their ids hash to:
 * each owns the one it writes, so its updates need no locked
 * instruction (core/tally.c). */
static void test_threads_own_their_shards(void **state)
{
	struct fixture *f = *state;

	hold_in_threads(f->ctx, 16, one_buffer_per_shard);
}

static bool stats_exact(struct dmaheap_ctx *ctx, int n)
{
	struct dmaheap_stats heap, all;
	uint64_t bytes = 4096 * (uint64_t)n;

	return dmaheap_ctx_stats(ctx, "system", &heap) == 0 &&
	       dmaheap_ctx_stats(ctx, NULL, &all) == 0 &&
	       heap.live_buffers == (uint64_t)n && heap.live_bytes == bytes &&
	       heap.peak_bytes == bytes && heap.allocations == (uint64_t)n &&
	       all.live_bytes == bytes && all.peak_bytes == bytes;
}

/* More threads than shards to own: the rest share one, and the figures
 * stay exact. */
static void test_threads_beyond_owned_shards(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_stats st;

	hold_in_threads(f->ctx, 40, stats_exact);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, "system", &st), 0);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(st.peak_bytes, 4096 * 40);
	assert_int_equal(st.allocations, 40);
}

/* A known fd that was closed is forgotten when the SYNC says so. */
static void test_raw_sync_forgets_closed(void **state)
{
	struct fixture *f = *state;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
	int memfd;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(dmaheap_sync_start(f->ctx, fd, DMAHEAP_ACCESS_READ),
			 -EBADF);
	memfd = memfd_create("plain", MFD_CLOEXEC);
	assert_int_equal(memfd, fd);
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_sync_start(f->ctx, memfd, DMAHEAP_ACCESS_READ),
			 -EBADFD);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 0);
	close(memfd);
}

struct churn {
	struct dmaheap_ctx *ctx;
	atomic_bool stop;
	atomic_int errors;
};

/* Allocates through every path that remembers something. */
static void *churn_alloc(void *arg)
{
	struct churn *c = arg;
	const char *names[] = { "cma", "system", "flip" };

	for (int i = 0; i < 400; i++) {
		struct dmaheap_buf *buf = NULL;
		struct dmaheap_stats st;
		int r = dmaheap_alloc(c->ctx, names[i % 3], 4096, 0, &buf);

		dmaheap_buf_free(buf);
		buf = NULL;
		if (r && r != -ENOENT)
			atomic_fetch_add(&c->errors, 1);
		r = dmaheap_alloc_usage(c->ctx, i & 1 ? DMAHEAP_USAGE_DEVICE_ONLY
						      : 0, 4096, 0, &buf);
		dmaheap_buf_free(buf);
		if (r)
			atomic_fetch_add(&c->errors, 1);
		if (dmaheap_ctx_stats(c->ctx, NULL, &st) ||
		    st.peak_bytes < st.live_bytes)
			atomic_fetch_add(&c->errors, 1);
	}
	return NULL;
}

/* Changes what is remembered while the others allocate. */
static void *churn_policy(void *arg)
{
	struct churn *c = arg;
	const char *a[] = { "system" }, *b[] = { "absent", "reserved" };
	unsigned int i = 0;

	while (!atomic_load(&c->stop)) {
		struct dmaheap_heap_info *list = NULL;
		const char *heap;

		dmaheap_ctx_set_alias(c->ctx, "flip", i & 1 ? a : b, 1 + !(i & 1));
		dmaheap_ctx_rescan(c->ctx);
		dmaheap_ctx_set_heap_props(c->ctx, "reserved", i & 2 ?
					   DMAHEAP_PROP_CACHED :
					   DMAHEAP_PROP_CACHED | DMAHEAP_PROP_CONTIGUOUS);
		dmaheap_heap_resolve(c->ctx, "cma", &heap);
		if (dmaheap_usage_plan(c->ctx, 0, &list) >= 0)
			dmaheap_heap_list_free(list);
		i++;
	}
	return NULL;
}

/* The lock-free paths under concurrent policy changes: no error, exact
 * figures at the end (run under TSan by the sanitizer build). */
static void test_remembered_paths_concurrent(void **state)
{
	struct fixture *f = *state;
	struct churn c = { .ctx = f->ctx };
	struct dmaheap_stats st;
	pthread_t t[4], p;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	assert_int_equal(pthread_create(&p, NULL, churn_policy, &c), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn_alloc, &c), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	atomic_store(&c.stop, true);
	assert_int_equal(pthread_join(p, NULL), 0);
	assert_int_equal(atomic_load(&c.errors), 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_true(st.allocations >= 4 * 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_stats_failure_after_kernel),
		FIXTURE_TEST(test_alloc_survives_each_malloc_failure),
		FIXTURE_TEST(test_plain_alloc_costs),
		FIXTURE_TEST(test_alias_remembered),
		FIXTURE_TEST(test_last_heap_hint),
		FIXTURE_TEST(test_alias_invalidation),
		FIXTURE_TEST(test_alias_absence_remembered),
		FIXTURE_TEST(test_late_heap_found),
		FIXTURE_TEST(test_usage_plan_once),
		FIXTURE_TEST(test_usage_plan_follows_policy),
		FIXTURE_TEST(test_usage_plan_membarrier),
		FIXTURE_TEST(test_usage_plan_no_membarrier),
		FIXTURE_TEST(test_usage_plan_barrier_refused),
		FIXTURE_TEST(test_raw_sync_one_syscall),
		FIXTURE_TEST(test_raw_sync_heap_fd_reuse),
		FIXTURE_TEST(test_raw_sync_forgets_closed),
		FIXTURE_TEST(test_raw_sync_buffer_fds),
		FIXTURE_TEST(test_remembered_paths_concurrent),
		FIXTURE_TEST(test_threads_own_their_shards),
		FIXTURE_TEST(test_threads_beyond_owned_shards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
