/* SPDX-License-Identifier: MIT */
/*
 * The udmabuf pseudo-heap and the usage policy on a real kernel: the
 * test kernels have /dev/udmabuf and the system heap; whether they have a
 * CMA, uncached or protected heap is asked of the kernel, so the policy's
 * refusals are checked wherever the kernel lacks such a heap.
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77. Each
 * program gets a VM of its own, so changing the module's size limit here
 * cannot disturb another test program.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kutil.h"
#include "kvgem.h"

#define LIMIT_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"
#define MIB (1024u * 1024u)
#define SMALL_LIMIT_MB 8u
/* A limit a test can go over without the library's RAM guard answering
 * first: 6.12's default; 7.x raised the default to INT_MAX MiB. */
#define TESTABLE_LIMIT_MB 64u
/* Over TESTABLE_LIMIT_MB, well within the guest's 2 GiB. */
#define FALLBACK_MIB 100u

static unsigned int read_limit_mb(void)
{
	FILE *fp = fopen(LIMIT_PARAM, "re");
	unsigned int mb = 0;

	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%u", &mb), 1);
	fclose(fp);
	return mb;
}

/* Root in the VM may change the module parameter; returns success. */
static bool write_limit_mb(unsigned int mb)
{
	FILE *fp = fopen(LIMIT_PARAM, "we");
	bool ok;

	if (!fp)
		return false;
	ok = fprintf(fp, "%u\n", mb) > 0;
	return fclose(fp) == 0 && ok;
}

/* A context with the built-in policy only: no environment, no policy file
 * of the host, so the policy's answers are the library's own. */
static struct dmaheap_ctx *builtin_ctx(const char *heap_dir)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	o.heap_dir = heap_dir;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	return ctx;
}

static void assert_fdinfo_str(int fd, const char *key, const char *want)
{
	char got[64];

	assert_ret(kt_fdinfo(fd, key, got, sizeof(got)), 0);
	assert_string_equal(got, want);
}

/* What the target of /proc/self/fd/@fd starts with; asserts on failure. */
static bool fd_link_starts(int fd, const char *prefix)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	return strncmp(target, prefix, strlen(prefix)) == 0;
}

/* ------------------------------------------------------------------------ */
/* Discovery and allocation                                                  */
/* ------------------------------------------------------------------------ */

static void test_listed(void **state)
{
	struct kt_fixture *f = *state;

	kt_assert_listed_once(f->ctx, "udmabuf",
			      DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF);
	assert_ret(dmaheap_has_heap(f->ctx, "udmabuf"), 1);
}

/* What the kernel shows of a fresh udmabuf buffer's fd. */
static void check_fd_facts(int fd, size_t size)
{
	char want[32];

	assert_int_equal(kt_fd_size(fd), (int64_t)size);
	assert_int_equal(kt_cloexec(fd), 1);
	assert_int_equal(kt_accmode(fd), O_RDWR);
	snprintf(want, sizeof(want), "%zu", size);
	assert_fdinfo_str(fd, "size", want);
	assert_fdinfo_str(fd, "exp_name", "udmabuf");
	/* Auto-named after the pseudo-heap. */
	assert_fdinfo_str(fd, "name", "udmabuf");
}

/* Zeroed memfd pages, then each bracket direction with its own pattern. */
static void check_cpu_access(struct dmaheap_buf *buf, size_t size)
{
	uint8_t *p = NULL;

	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_find_not(p, size, 0), size);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(p, size, 7);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(kt_check_pattern(p, size, 7), size);
	kt_fill_pattern(p, size, 8);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(p, size, 8), size);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

static void test_alloc_sizes(void **state)
{
	struct kt_fixture *f = *state;
	const size_t sizes[] = { 1, MIB, 8 * MIB };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dmaheap_buf *buf = NULL;
		size_t want = kt_page_round(sizes[i]);

		assert_ret(dmaheap_alloc(f->ctx, "udmabuf", sizes[i], 0, &buf),
			   0);
		assert_int_equal(dmaheap_buf_size(buf), want);
		assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
		assert_int_equal(dmaheap_buf_props(buf),
				 DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF);
		check_fd_facts(dmaheap_buf_fd(buf), want);
		check_cpu_access(buf, want);
		dmaheap_buf_free(buf);
	}
}

/* The memfd behind a buffer is closed at once: the dma-buf pins its
 * pages, and a memfd left open per buffer would double the fds used. */
static void test_no_memfd_left(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct kt_fdset before;
	int fds[4], n, bfd;

	kt_fdset_take(&before);
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	bfd = dmaheap_buf_fd(buf);
	/* The device node, cached by the context, and the buffer. */
	n = kt_fdset_new(&before, fds, 4);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		if (fds[i] == bfd)
			continue;
		assert_true(fd_link_starts(fds[i], "/dev/udmabuf"));
	}
	assert_false(fd_link_starts(bfd, "/memfd:"));
	dmaheap_buf_free(buf);
	/* Later buffers reuse the cached device fd. */
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	assert_int_equal(kt_fdset_new(&before, fds, 4), 2);
	dmaheap_buf_free(buf);
	assert_int_equal(kt_fdset_new(&before, fds, 4), 1);
}

static void test_name_and_sync_file(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int sync_fd = -1;

	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	assert_ret(dmaheap_buf_set_name(buf, "udmabuf-frame"), 0);
	assert_fdinfo_str(dmaheap_buf_fd(buf), "name", "udmabuf-frame");
	/* No device has touched it: the fences are already signalled. */
	assert_ret(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_RW,
						&sync_fd), 0);
	assert_int_equal(kt_cloexec(sync_fd), 1);
	assert_int_equal(kt_poll_now(sync_fd, POLLIN) & POLLIN, POLLIN);
	assert_ret(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_WRITE,
						sync_fd), 0);
	assert_int_equal(kt_poll_now(dmaheap_buf_fd(buf), POLLOUT) & POLLOUT,
			 POLLOUT);
	close(sync_fd);
	dmaheap_buf_free(buf);
}

static void test_dup_and_import(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL, *own = NULL, *dup = NULL;
	int dup_fd;

	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	kt_fill_buf(buf, 11);
	dup_fd = dmaheap_buf_dup_fd(buf);
	assert_true(dup_fd >= 0);
	assert_int_equal(kt_cloexec(dup_fd), 1);
	assert_true(kt_same_file(dup_fd, dmaheap_buf_fd(buf)));
	/* The buffer's own fd and the duplicate: one memory, three views. */
	assert_ret(dmaheap_import(f->ctx, dmaheap_buf_fd(buf), &own), 0);
	assert_ret(dmaheap_import(f->ctx, dup_fd, &dup), 0);
	close(dup_fd);
	assert_int_equal(dmaheap_buf_size(own), MIB);
	assert_null(dmaheap_buf_heap_name(own));
	assert_int_equal(dmaheap_buf_props(own), 0);
	kt_assert_buf_pattern(own, 11);
	kt_fill_buf(dup, 12);
	kt_assert_buf_pattern(buf, 12);
	dmaheap_buf_free(own);
	dmaheap_buf_free(dup);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* The module's size limit                                                   */
/* ------------------------------------------------------------------------ */

/* The last message at priority ERR a context logged. */
struct log_capture {
	char last_err[256];
};

static void capture_log(void *userdata, int priority, const char *msg)
{
	struct log_capture *c = userdata;

	if (priority == DMAHEAP_LOG_ERR)
		snprintf(c->last_err, sizeof(c->last_err), "%s", msg);
}

/* The limit the program started with; restored by the teardown even when
 * the test fails halfway. 0: nothing to restore. */
static unsigned int saved_limit_mb;

static int restore_limit_teardown(void **state)
{
	if (saved_limit_mb && !write_limit_mb(saved_limit_mb))
		fail_msg("cannot restore %s to %u", LIMIT_PARAM, saved_limit_mb);
	saved_limit_mb = 0;
	return kt_fixture_teardown(state);
}

/*
 * The module's limit as the kernel has it, if a buffer just over it fits
 * in the guest's RAM; otherwise (7.x's INT_MAX MiB default) lowered to
 * TESTABLE_LIMIT_MB for this test, and restored by the teardown. Skips if
 * root cannot write it.
 */
static unsigned int testable_limit_mb(void)
{
	unsigned int mb = read_limit_mb();

	if ((uint64_t)(mb + 1ull) * MIB < kt_ram_bytes() / 4)
		return mb;
	print_message("size_limit_mb is %u: lowered to %u for this test\n", mb,
		      TESTABLE_LIMIT_MB);
	if (!write_limit_mb(TESTABLE_LIMIT_MB)) {
		print_message("cannot write %s: %s\n", LIMIT_PARAM,
			      strerror(errno));
		skip();
	}
	saved_limit_mb = mb;
	assert_int_equal(read_limit_mb(), TESTABLE_LIMIT_MB);
	return TESTABLE_LIMIT_MB;
}

/* Over the limit the kernel itself says EINVAL: -EFBIG shows the library
 * refused first, from the module's own figure, and said why. */
static void test_size_limit(void **state)
{
	struct log_capture log = { { 0 } };
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	unsigned int mb = testable_limit_mb();
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx = NULL;
	char want[32];

	(void)state;
	o.log_fn = capture_log;
	o.log_userdata = &log;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "udmabuf", (size_t)(mb + 1) * MIB, 0,
				 &buf), -EFBIG);
	snprintf(want, sizeof(want), "%u MiB", mb);
	if (!strstr(log.last_err, want))
		fail_msg("log '%s' does not name the limit (%s)", log.last_err,
			 want);
	assert_ret(dmaheap_alloc_fd(ctx, "udmabuf", (size_t)(mb + 1) * MIB, 0),
		   -EFBIG);
	/* Exactly the limit is allowed. */
	assert_ret(dmaheap_alloc(ctx, "udmabuf", (size_t)mb * MIB, 0, &buf), 0);
	assert_int_equal(kt_fd_size(dmaheap_buf_fd(buf)), (int64_t)mb * MIB);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

/*
 * Root changes the limit at run time: a new context sees what root set,
 * and so does one that opened udmabuf before. Lowered, the kernel's own
 * EINVAL reads as -EFBIG and a chain moves on to system; raised again, the
 * old context allocates what it refused before.
 */
static void test_size_limit_changed(void **state)
{
	const char *chain[] = { "udmabuf", "system" };
	unsigned int mb = read_limit_mb();
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx = NULL, *old = NULL;

	(void)state;
	if (mb <= SMALL_LIMIT_MB + 1) {
		print_message("size_limit_mb is %u: too small to lower\n", mb);
		skip();
	}
	assert_ret(dmaheap_ctx_new(&old), 0);
	assert_ret(dmaheap_heap_open(old, "udmabuf"), 0);
	if (!write_limit_mb(SMALL_LIMIT_MB)) {
		print_message("cannot write %s: %s\n", LIMIT_PARAM,
			      strerror(errno));
		dmaheap_ctx_free(old);
		skip();
	}
	saved_limit_mb = mb;
	assert_int_equal(read_limit_mb(), SMALL_LIMIT_MB);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "udmabuf", (SMALL_LIMIT_MB + 1) * MIB, 0,
				 &buf), -EFBIG);
	assert_ret(dmaheap_alloc(ctx, "udmabuf", SMALL_LIMIT_MB * MIB, 0, &buf),
		   0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	/* The context made before the change: the kernel refuses first. */
	assert_ret(dmaheap_alloc(old, "udmabuf", (SMALL_LIMIT_MB + 1) * MIB, 0,
				 &buf), -EFBIG);
	assert_ret(dmaheap_alloc_from(old, chain, 2, (SMALL_LIMIT_MB + 1) * MIB,
				      0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	/* Raised again: what was refused is served. */
	assert_true(write_limit_mb(mb));
	assert_ret(dmaheap_alloc(old, "udmabuf", (SMALL_LIMIT_MB + 1) * MIB, 0,
				 &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(old);
}

static void test_fallback_chains(void **state)
{
	struct kt_fixture *f = *state;
	const char *absent_first[] = { "absent", "udmabuf" };
	const char *udmabuf_first[] = { "udmabuf", "system" };
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc_from(f->ctx, absent_first, 2, MIB, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	dmaheap_buf_free(buf);
	if (testable_limit_mb() >= FALLBACK_MIB) {
		print_message("size_limit_mb >= %u: over-limit fallback not tested\n",
			      FALLBACK_MIB);
		return;
	}
	/* Over udmabuf's limit is a reason to move on, as a full heap is. */
	assert_ret(dmaheap_alloc_from(f->ctx, udmabuf_first, 2,
				      FALLBACK_MIB * MIB, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	assert_int_equal(dmaheap_buf_size(buf), FALLBACK_MIB * MIB);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* vgem                                                                      */
/* ------------------------------------------------------------------------ */

/* Writes a pattern through a mapping of @fd, bracketed by SYNC WRITE. */
static void fill_fd(int fd, size_t size, uint32_t seed)
{
	uint8_t *q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	assert_true(q != MAP_FAILED);
	assert_ret(dmaheap_sync_start(NULL, fd, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(q, size, seed);
	assert_ret(dmaheap_sync_end(NULL, fd, DMAHEAP_ACCESS_WRITE), 0);
	munmap(q, size);
}

static void test_vgem_roundtrip(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int vgem = kt_open_vgem(), fd = -1;
	uint32_t handle = 0;

	if (vgem < 0) {
		print_message("no vgem node among /dev/dri/card*\n");
		skip();
	}
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	kt_fill_buf(buf, 31);
	assert_int_equal(drmPrimeFDToHandle(vgem, dmaheap_buf_fd(buf), &handle),
			 0);
	assert_true(handle != 0);
	/* vgem keeps the dma-buf it imported (it cannot map an import
	 * itself: DRM refuses MAP_DUMB on one) and hands it back. */
	assert_int_equal(drmPrimeHandleToFD(vgem, handle,
					    DRM_CLOEXEC | DRM_RDWR, &fd), 0);
	assert_true(kt_same_file(fd, dmaheap_buf_fd(buf)));
	assert_int_equal(kt_fd_size(fd), MIB);
	kt_assert_fd_pattern(fd, MIB, 31);
	/* And the other way: written through vgem's fd, read by the library. */
	fill_fd(fd, MIB, 32);
	kt_assert_buf_pattern(buf, 32);
	close(fd);
	kt_gem_close(vgem, handle);
	close(vgem);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* Usage policy                                                              */
/* ------------------------------------------------------------------------ */

static void expect_usage(struct dmaheap_ctx *ctx, unsigned int usage,
			 const char *heap, int err)
{
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc_usage(ctx, usage, 64 * 1024, 0, &buf), err);
	if (heap)
		assert_string_equal(dmaheap_buf_heap_name(buf), heap);
	dmaheap_buf_free(buf);
}

/* A heap of the kernel named @a, else @b (which may be NULL). */
static const char *here_or(const char *a, const char *b)
{
	return kt_heap_present(a) ? a : b;
}

/* True if the kernel has any of the protected heaps of the built-in rule. */
static bool protected_heap_here(void)
{
	return kt_heap_present("protected,secure-video") ||
	       kt_heap_present("protected,trusted-ui") ||
	       kt_heap_present("protected,secure-video-record");
}

/* What the built-in policy picks follows from the heaps the kernel has
 * (asked of the kernel, not of the library); a requirement no heap here
 * meets is refused, never served by the cached heaps that are here. */
static void test_policy_here(void **state)
{
	struct dmaheap_ctx *ctx = builtin_ctx(NULL);
	const char *uncached = here_or("system-uncached", NULL);
	char cma_buf[NAME_MAX + 1];
	const char *cma = kt_cma_heap(cma_buf, sizeof(cma_buf));
	const char *heap = NULL;

	(void)state;
	print_message("CMA heap here: %s; system-uncached: %s\n",
		      cma ? cma : "none", uncached ? "yes" : "no");
	expect_usage(ctx, 0, "system", 0);
	expect_usage(ctx, DMAHEAP_USAGE_CPU_READ_OFTEN, "system", 0);
	expect_usage(ctx, DMAHEAP_USAGE_DEVICE_ONLY,
		     here_or("system-uncached", "system"), 0);
	expect_usage(ctx, DMAHEAP_USAGE_UNCACHED, uncached,
		     uncached ? 0 : -ENOENT);
	expect_usage(ctx, DMAHEAP_USAGE_CONTIGUOUS, cma, cma ? 0 : -ENOENT);
	if (cma) {
		assert_ret(dmaheap_heap_resolve(ctx, "cma", &heap), 0);
		assert_string_equal(heap, cma);
	} else {
		assert_ret(dmaheap_heap_resolve(ctx, "cma", &heap), -ENOENT);
	}
	/* Protected heaps (6.18+) need a TEE to allocate; only their
	 * absence has a certain answer. */
	if (!protected_heap_here())
		expect_usage(ctx, DMAHEAP_USAGE_PROTECTED, NULL, -ENOENT);
	dmaheap_ctx_free(ctx);
}

/* A machine with udmabuf and no heap: the default rule's second heap. */
static void test_udmabuf_only(void **state)
{
	char dir[] = "/tmp/kudm-heaps-XXXXXX";
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx;

	(void)state;
	assert_non_null(mkdtemp(dir));
	ctx = builtin_ctx(dir);
	assert_int_equal(dmaheap_heap_list(ctx, &list), 1);
	assert_string_equal(list[0].name, "udmabuf");
	assert_ret(list[0].error, 0);
	dmaheap_heap_list_free(list);
	expect_usage(ctx, DMAHEAP_USAGE_CPU_READ_OFTEN, "udmabuf", 0);
	expect_usage(ctx, DMAHEAP_USAGE_DEVICE_ONLY, "udmabuf", 0);
	expect_usage(ctx, DMAHEAP_USAGE_UNCACHED, NULL, -ENOENT);
	dmaheap_ctx_free(ctx);
	assert_int_equal(rmdir(dir), 0);
}

/* No heap directory at all still lists (and serves) the pseudo-heap. */
static void test_no_heap_dir(void **state)
{
	struct dmaheap_ctx *ctx = builtin_ctx("/nonexistent/dma_heap");
	struct dmaheap_heap_info *list = NULL;

	(void)state;
	assert_int_equal(dmaheap_heap_list(ctx, &list), 1);
	assert_string_equal(list[0].name, "udmabuf");
	assert_ret(list[0].error, 0);
	assert_int_equal(list[0].props,
			 DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF);
	dmaheap_heap_list_free(list);
	expect_usage(ctx, 0, "udmabuf", 0);
	dmaheap_ctx_free(ctx);
}

#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, kt_fixture_setup, kt_fixture_teardown)
/* A test that may change the module's size limit. */
#define T_LIMIT(fn) \
	cmocka_unit_test_setup_teardown(fn, kt_fixture_setup, \
					restore_limit_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_listed),
		T(test_alloc_sizes),
		T(test_no_memfd_left),
		T(test_name_and_sync_file),
		T(test_dup_and_import),
		T_LIMIT(test_size_limit),
		T_LIMIT(test_size_limit_changed),
		T_LIMIT(test_fallback_chains),
		T(test_vgem_roundtrip),
		T(test_policy_here),
		T(test_udmabuf_only),
		T(test_no_heap_dir),
	};

	kt_require_system_heap();
	if (access("/dev/udmabuf", F_OK) != 0)
		kt_skip("no /dev/udmabuf (CONFIG_UDMABUF)");
	return cmocka_run_group_tests_name("kernel-udmabuf", tests, NULL, NULL);
}
