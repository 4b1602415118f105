/* SPDX-License-Identifier: MIT */
/*
 * A heap that appears after the context (Linux 7.3 builds the CMA heap as
 * a module): the guest boots without cma_heap.ko loaded (tests/vm/run.sh
 * --defer-module cma_heap leaves it in $DMAHEAP_DEFERRED_MODULES), a
 * context sees no CMA heap, the test loads the module, and the same
 * context then allocates by the heap's name, its legacy twin's and the
 * "cma" alias. Without a deferred cma_heap.ko (a kernel with the heap
 * built in) the program exits 77.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kutil.h"

#define MODULE_NAME "cma_heap.ko"
#define STABLE KT_HEAP_DIR "/default_cma_region"
#define LEGACY KT_HEAP_DIR "/reserved"
#define SIZE ((size_t)1 << 20)

static char module_path[PATH_MAX];

static bool node_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

static void load_module(void)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("open %s: %s", module_path, strerror(errno));
	/* No libc wrapper; no modprobe in every guest root either. */
	if (syscall(SYS_finit_module, fd, "", 0) != 0)
		fail_msg("finit_module %s: %s", module_path, strerror(errno));
	close(fd);
}

/* An allocation through @name succeeds, from one of @heaps. */
static void assert_alloc_from(struct dmaheap_ctx *ctx, const char *name,
			      const char *heap_a, const char *heap_b)
{
	struct dmaheap_buf *buf = NULL;
	const char *got;

	assert_ret(dmaheap_alloc(ctx, name, SIZE, 0, &buf), 0);
	got = dmaheap_buf_heap_name(buf);
	if (strcmp(got, heap_a) != 0 && (!heap_b || strcmp(got, heap_b) != 0))
		fail_msg("%s served from %s, not %s%s%s", name, got, heap_a,
			 heap_b ? " or " : "", heap_b ? heap_b : "");
	dmaheap_buf_free(buf);
}

static void test_late_cma_heap(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;

	(void)state;
	assert_false(node_exists(STABLE));
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_int_equal(dmaheap_has_heap(ctx, "default_cma_region"), 0);
	/* Twice each: a failure must not be remembered either. */
	for (int i = 0; i < 2; i++) {
		assert_ret(dmaheap_alloc(ctx, "default_cma_region", SIZE, 0, &buf),
			   -ENOENT);
		assert_ret(dmaheap_alloc(ctx, "cma", SIZE, 0, &buf), -ENOENT);
	}
	assert_null(buf);

	load_module();
	/* The twin is named after the area: "reserved" for the area of
	 * CONFIG_CMA_SIZE_MBYTES. */
	assert_true(node_exists(STABLE));
	assert_true(node_exists(LEGACY));

	assert_alloc_from(ctx, "default_cma_region", "default_cma_region", NULL);
	assert_alloc_from(ctx, "reserved", "reserved", NULL);
	assert_alloc_from(ctx, "cma", "default_cma_region", "reserved");
	dmaheap_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_cma_heap),
	};
	const char *dir = getenv("DMAHEAP_DEFERRED_MODULES");
	struct stat st;

	kt_require_system_heap();
	if (!dir)
		kt_skip("no deferred modules (run by tests/vm/run.sh --defer-module cma_heap)");
	snprintf(module_path, sizeof(module_path), "%s/" MODULE_NAME, dir);
	if (stat(module_path, &st) != 0)
		kt_skip("no cma_heap.ko deferred: this kernel has the CMA heap built in "
			"or not at all (boot cma-7.3)");
	return cmocka_run_group_tests_name("kernel-late-heap", tests, NULL, NULL);
}
