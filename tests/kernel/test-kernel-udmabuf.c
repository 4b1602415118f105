/* SPDX-License-Identifier: MIT */
/*
 * The udmabuf pseudo-heap and the usage policy on a real kernel: the
 * 6.12 test kernel has /dev/udmabuf and the system heap, and no CMA,
 * uncached or protected heap, so the policy's refusals are real too.
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kutil.h"
#include "kvgem.h"

#define LIMIT_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"
#define MIB (1024u * 1024u)


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

static void test_listed(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;
	int n = dmaheap_heap_list(f->ctx, &list), found = 0;

	assert_true(n >= 2);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i].name, "udmabuf") != 0)
			continue;
		found++;
		assert_ret(list[i].error, 0);
		assert_int_equal(list[i].props,
				 DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF);
		assert_int_equal(list[i].props_source, DMAHEAP_PROPS_BUILTIN);
	}
	dmaheap_heap_list_free(list);
	assert_int_equal(found, 1);
	assert_int_equal(dmaheap_has_heap(f->ctx, "udmabuf"), 1);
}

/* Size, fd flags, fdinfo, zeroed memory and CPU access of one buffer. */
static void check_buffer(struct dmaheap_buf *buf, size_t want)
{
	int fd = dmaheap_buf_fd(buf);
	char info[64];
	uint8_t *p;

	assert_int_equal(dmaheap_buf_size(buf), want);
	assert_int_equal(kt_fd_size(fd), (int64_t)want);
	assert_int_equal(kt_cloexec(fd), 1);
	assert_int_equal(kt_accmode(fd), O_RDWR);
	assert_ret(kt_fdinfo(fd, "exp_name", info, sizeof(info)), 0);
	assert_string_equal(info, "udmabuf");
	assert_ret(kt_fdinfo(fd, "name", info, sizeof(info)), 0);
	assert_string_equal(info, "udmabuf");
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_find_not(p, want, 0), want);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(p, want, 7);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(kt_check_pattern(p, want, 7), want);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

static void test_alloc_sizes(void **state)
{
	struct kt_fixture *f = *state;
	const size_t sizes[] = { 1, MIB, 8 * MIB };

	for (size_t i = 0; i < 3; i++) {
		struct dmaheap_buf *buf = NULL;
		size_t page = kt_page_size();

		assert_ret(dmaheap_alloc(f->ctx, "udmabuf", sizes[i], 0, &buf), 0);
		check_buffer(buf, (sizes[i] + page - 1) / page * page);
		assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
		dmaheap_buf_free(buf);
	}
}

static void test_name_sync_file_dup_import(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL, *imp = NULL;
	char info[64];
	int sync_fd = -1, dup_fd;

	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	assert_ret(dmaheap_buf_set_name(buf, "udmabuf-frame"), 0);
	assert_ret(kt_fdinfo(dmaheap_buf_fd(buf), "name", info, sizeof(info)), 0);
	assert_string_equal(info, "udmabuf-frame");
	assert_ret(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_RW,
						&sync_fd), 0);
	assert_int_equal(kt_poll_now(sync_fd, POLLIN) & POLLIN, POLLIN);
	assert_ret(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_WRITE,
						sync_fd), 0);
	close(sync_fd);
	dup_fd = dmaheap_buf_dup_fd(buf);
	assert_true(dup_fd >= 0);
	assert_ret(dmaheap_import(f->ctx, dup_fd, &imp), 0);
	assert_int_equal(dmaheap_buf_size(imp), MIB);
	close(dup_fd);
	dmaheap_buf_free(imp);
	dmaheap_buf_free(buf);
}

static void test_size_limit(void **state)
{
	struct kt_fixture *f = *state;
	unsigned int mb = read_limit_mb();
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx = NULL;

	/* Refused by the library from the module's own figure. */
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", (size_t)(mb + 1) * MIB, 0,
				 &buf), -EFBIG);
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", (size_t)mb * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	if (!write_limit_mb(8)) {
		print_message("cannot write %s; limit change not tested\n",
			      LIMIT_PARAM);
		return;
	}
	/* A context reads the limit when it first opens udmabuf. */
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "udmabuf", 9 * MIB, 0, &buf), -EFBIG);
	assert_ret(dmaheap_alloc(ctx, "udmabuf", 8 * MIB, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	assert_true(write_limit_mb(mb));
}

static void test_vgem_roundtrip(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	uint32_t handle = 0;
	int vgem = kt_open_vgem(), fd = -1;
	uint8_t *p, *q;

	if (vgem < 0)
		skip();
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", MIB, 0, &buf), 0);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(p, MIB, 31);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(drmPrimeFDToHandle(vgem, dmaheap_buf_fd(buf), &handle), 0);
	assert_int_equal(drmPrimeHandleToFD(vgem, handle, DRM_CLOEXEC | DRM_RDWR,
					    &fd), 0);
	assert_true(kt_same_file(fd, dmaheap_buf_fd(buf)));
	q = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(q != MAP_FAILED);
	assert_ret(dmaheap_sync_start(NULL, fd, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(q, MIB, 31), MIB);
	assert_ret(dmaheap_sync_end(NULL, fd, DMAHEAP_ACCESS_READ), 0);
	munmap(q, MIB);
	close(fd);
	kt_gem_close(vgem, handle);
	close(vgem);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
}

static void test_fallback_chains(void **state)
{
	struct kt_fixture *f = *state;
	const char *absent_first[] = { "absent", "udmabuf" };
	const char *udmabuf_first[] = { "udmabuf", "system" };
	size_t over = (size_t)(read_limit_mb() + 1) * MIB;
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc_from(f->ctx, absent_first, 2, MIB, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	dmaheap_buf_free(buf);
	/* Over udmabuf's limit is a reason to move on, as a full heap is. */
	assert_ret(dmaheap_alloc_from(f->ctx, udmabuf_first, 2, over, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
}

static void expect_usage(struct dmaheap_ctx *ctx, unsigned int usage,
			 const char *heap, int err)
{
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc_usage(ctx, usage, 64 * 1024, 0, &buf), err);
	if (heap)
		assert_string_equal(dmaheap_buf_heap_name(buf), heap);
	dmaheap_buf_free(buf);
}

static void test_policy_here(void **state)
{
	struct kt_fixture *f = *state;
	const char *heap = NULL;

	expect_usage(f->ctx, 0, "system", 0);
	expect_usage(f->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN, "system", 0);
	expect_usage(f->ctx, DMAHEAP_USAGE_DEVICE_ONLY, "system", 0);
	/* Nothing here is uncached, contiguous or protected: refused. */
	expect_usage(f->ctx, DMAHEAP_USAGE_UNCACHED, NULL, -ENOENT);
	expect_usage(f->ctx, DMAHEAP_USAGE_CONTIGUOUS, NULL, -ENOENT);
	expect_usage(f->ctx, DMAHEAP_USAGE_PROTECTED, NULL, -ENOENT);
	assert_ret(dmaheap_heap_resolve(f->ctx, "cma", &heap), -ENOENT);
}

/* A machine with udmabuf and no heap directory at all. */
static void test_udmabuf_only(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx = NULL;

	(void)f;
	o.heap_dir = "/nonexistent/dma_heap";
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_int_equal(dmaheap_heap_list(ctx, &list), 1);
	assert_string_equal(list[0].name, "udmabuf");
	assert_ret(list[0].error, 0);
	dmaheap_heap_list_free(list);
	expect_usage(ctx, DMAHEAP_USAGE_CPU_READ_OFTEN, "udmabuf", 0);
	expect_usage(ctx, DMAHEAP_USAGE_DEVICE_ONLY, "udmabuf", 0);
	dmaheap_ctx_free(ctx);
}

#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, kt_fixture_setup, kt_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_listed),
		T(test_alloc_sizes),
		T(test_name_sync_file_dup_import),
		T(test_size_limit),
		T(test_vgem_roundtrip),
		T(test_fallback_chains),
		T(test_policy_here),
		T(test_udmabuf_only),
	};

	kt_require_system_heap();
	if (access("/dev/udmabuf", F_OK) != 0)
		kt_skip("no /dev/udmabuf (CONFIG_UDMABUF)");
	return cmocka_run_group_tests_name("kernel-udmabuf", tests, NULL, NULL);
}
