/* SPDX-License-Identifier: MIT */
/*
 * Device usages on the real kernel: the library's IOMMU verdict is the one
 * this machine's /proc/device-tree and /sys/class/iommu give, and a device
 * usage is served from a heap that meets it (contiguous where a device has
 * no IOMMU), by the heaps this kernel has.
 */
#include <dirent.h>
#include <sys/mman.h>

#include "kutil.h"

#define SOC_DEVICES (DMAHEAP_USAGE_CAMERA_WRITE | \
		     DMAHEAP_USAGE_DISPLAY_SCANOUT | \
		     DMAHEAP_USAGE_VIDEO_DECODE | DMAHEAP_USAGE_VIDEO_ENCODE)

/* Whether @path is a directory with an entry, read here, not by the
 * library. */
static bool has_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = strcmp(e->d_name, ".") != 0 &&
			strcmp(e->d_name, "..") != 0;
	closedir(d);
	return found;
}

static bool soc_without_iommu(void)
{
	return has_entries("/proc/device-tree") &&
	       !has_entries("/sys/class/iommu");
}

static void test_probe_reads_this_machine(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	unsigned int got = 0;
	unsigned int want = soc_without_iommu() ? DMAHEAP_USAGE_CONTIGUOUS : 0;

	(void)state;
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	print_message("device tree: %s, IOMMU: %s\n",
		      has_entries("/proc/device-tree") ? "yes" : "no",
		      has_entries("/sys/class/iommu") ? "yes" : "no");
	for (unsigned int bit = DMAHEAP_USAGE_CAMERA_WRITE;
	     bit <= DMAHEAP_USAGE_GPU_RENDER; bit <<= 1) {
		assert_int_equal(dmaheap_usage_requirements(ctx, bit, &got), 0);
		assert_int_equal(got, bit | ((bit & SOC_DEVICES) ? want : 0));
	}
	dmaheap_ctx_free(ctx);
}

/* Each device usage either gets memory that meets what it comes to, or
 * -ENOENT when no heap here does; never scattered memory for a device
 * without an IOMMU. */
static void test_device_usages_allocate(void **state)
{
	struct dmaheap_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	for (unsigned int bit = DMAHEAP_USAGE_CAMERA_WRITE;
	     bit <= DMAHEAP_USAGE_GPU_RENDER; bit <<= 1) {
		unsigned int usage = bit | DMAHEAP_USAGE_CPU_WRITE_OFTEN, want;
		struct dmaheap_buf *buf = NULL;
		void *p = NULL;
		int r;

		assert_int_equal(dmaheap_usage_requirements(ctx, usage, &want),
				 0);
		r = dmaheap_alloc_usage(ctx, usage, 1 << 20, 0, &buf);
		print_message("usage 0x%x: %s%s\n", usage,
			      r == 0 ? "heap " : dmaheap_strerror(r),
			      r == 0 ? dmaheap_buf_heap_name(buf) : "");
		if (want & DMAHEAP_USAGE_CONTIGUOUS) {
			assert_true(r == 0 || r == -ENOENT);
			if (r == 0)
				assert_true(dmaheap_buf_props(buf) &
					    DMAHEAP_PROP_CONTIGUOUS);
		} else {
			/* The system heap serves every other device. */
			assert_int_equal(r, 0);
		}
		if (r == 0) {
			assert_int_equal(dmaheap_buf_map(buf, &p), 0);
			assert_int_equal(dmaheap_buf_begin_cpu_access(buf,
				DMAHEAP_ACCESS_WRITE), 0);
			memset(p, 0x5a, dmaheap_buf_size(buf));
			assert_int_equal(dmaheap_buf_end_cpu_access(buf,
				DMAHEAP_ACCESS_WRITE), 0);
			dmaheap_buf_unmap(buf);
		}
		dmaheap_buf_free(buf);
	}
	dmaheap_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_reads_this_machine),
		cmocka_unit_test(test_device_usages_allocate),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
