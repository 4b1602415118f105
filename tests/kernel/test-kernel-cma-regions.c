/* SPDX-License-Identifier: MIT */
/*
 * One heap per reusable CMA region (Linux 6.19+): booted with a device
 * tree that has reusable shared-dma-pool regions in reserved-memory
 * (tests/vm/run.sh --dtb cma-regions), each region is a heap named after
 * its node, a region of its own for the library, listed as contiguous
 * and as large as the device tree made it, and its buffers come from its
 * own CMA area, not from the default one. Without such regions
 * the program exits 77.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "kutil.h"

#define DT_RESERVED "/proc/device-tree/reserved-memory"
#define MAX_REGIONS 8
#define MIB ((size_t)1 << 20)

static char regions[MAX_REGIONS][NAME_MAX + 1];
static int nregions;

static bool has_file(const char *node, const char *name, const char *want)
{
	char path[PATH_MAX], text[256] = "";
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", DT_RESERVED, node, name);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	/* A compatible list is NUL-separated strings. */
	for (size_t i = 0; want && i < n; i += strlen(text + i) + 1)
		if (strcmp(text + i, want) == 0)
			return true;
	return !want;
}

/* The reusable shared-dma-pool nodes of the device tree. */
static void find_regions(void)
{
	DIR *d = opendir(DT_RESERVED);
	struct dirent *de;

	while (d && (de = readdir(d)) && nregions < MAX_REGIONS) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > NAME_MAX ||
		    !has_file(de->d_name, "reusable", NULL) ||
		    !has_file(de->d_name, "compatible", "shared-dma-pool"))
			continue;
		snprintf(regions[nregions++], NAME_MAX + 1, "%s", de->d_name);
	}
	if (d)
		closedir(d);
}

/* The big-endian cells of a device-tree property, up to @max. */
static int dt_cells(const char *path, uint32_t *cells, int max)
{
	unsigned char raw[64];
	FILE *fp = fopen(path, "re");
	size_t n;

	if (!fp)
		fail_msg("cannot read %s", path);
	n = fread(raw, 1, sizeof(raw), fp);
	fclose(fp);
	for (size_t i = 0; i + 4 <= n && (int)(i / 4) < max; i += 4)
		cells[i / 4] = (uint32_t)raw[i] << 24 | (uint32_t)raw[i + 1] << 16 |
			       (uint32_t)raw[i + 2] << 8 | raw[i + 3];
	return (int)(n / 4);
}

/* A region's size as its node's reg says (address cells, then size
 * cells, as reserved-memory's #address-cells and #size-cells count). */
static uint64_t dt_region_size(const char *node)
{
	char path[PATH_MAX];
	uint32_t ac, sc, reg[8];
	uint64_t size = 0;

	dt_cells(DT_RESERVED "/#address-cells", &ac, 1);
	dt_cells(DT_RESERVED "/#size-cells", &sc, 1);
	snprintf(path, sizeof(path), "%s/%s/reg", DT_RESERVED, node);
	if (dt_cells(path, reg, 8) < (int)(ac + sc) || sc > 2)
		fail_msg("%s: not one address and size", path);
	for (uint32_t i = 0; i < sc; i++)
		size = size << 32 | reg[ac + i];
	return size;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

static unsigned long allocated(const char *area)
{
	char path[PATH_MAX];
	unsigned long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/kernel/mm/cma/%s/alloc_pages_success",
		 area);
	fp = fopen(path, "re");
	if (!fp)
		fail_msg("no CMA area %s in /sys/kernel/mm/cma", area);
	assert_int_equal(fscanf(fp, "%lu", &v), 1);
	fclose(fp);
	return v;
}

/* @name is in dmaheap_heap_list() once, can be opened and is listed as
 * contiguous. */
static void assert_listed(struct dmaheap_ctx *ctx, const char *name)
{
	struct dmaheap_heap_info *list = NULL;
	int n = dmaheap_heap_list(ctx, &list), found = 0;

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i].name, name) != 0)
			continue;
		found++;
		assert_ret(list[i].error, 0);
		assert_true(list[i].props & DMAHEAP_PROP_CONTIGUOUS);
	}
	dmaheap_heap_list_free(list);
	assert_int_equal(found, 1);
}

static void test_one_heap_per_region(void **state)
{
	struct kt_fixture *f = *state;
	char region[NAME_MAX + 1], def[NAME_MAX + 1];

	assert_non_null(kt_cma_area(def, sizeof(def)));
	for (int i = 0; i < nregions; i++) {
		if (!kt_heap_present(regions[i]))
			fail_msg("no heap for region %s", regions[i]);
		assert_listed(f->ctx, regions[i]);
		assert_ret(dmaheap_heap_region(f->ctx, regions[i], region,
					       sizeof(region)), 0);
		assert_string_equal(region, regions[i]);
		assert_true(strcmp(region, def) != 0);
	}
	/* The default area stays the default. */
	assert_ret(dmaheap_heap_region(f->ctx, "default_cma_region", region,
				       sizeof(region)), 0);
	assert_string_equal(region, def);
}

/* Each region's heap reports the size the device tree gave the region;
 * the default area's two names report one size, that of the area. */
static void test_region_sizes(void **state)
{
	struct kt_fixture *f = *state;
	uint64_t size = 0, twin = 0;

	for (int i = 0; i < nregions; i++) {
		assert_ret(dmaheap_heap_region_size(f->ctx, regions[i], &size), 0);
		assert_int_equal(size, dt_region_size(regions[i]));
	}
	assert_ret(dmaheap_heap_region_size(f->ctx, "default_cma_region", &size),
		   0);
	assert_true(size > 0);
	if (kt_heap_present("reserved")) {
		assert_ret(dmaheap_heap_region_size(f->ctx, "reserved", &twin), 0);
		assert_int_equal(twin, size);
	}
	assert_ret(dmaheap_heap_region_size(f->ctx, "system", &size), -ENODATA);
}

/* A buffer of a region's heap is counted by that area, and by no other. */
static void test_buffers_from_own_area(void **state)
{
	struct kt_fixture *f = *state;
	size_t pages = MIB / kt_page_size();
	char def[NAME_MAX + 1];

	assert_non_null(kt_cma_area(def, sizeof(def)));
	for (int i = 0; i < nregions; i++) {
		unsigned long mine = allocated(regions[i]), other = allocated(def);
		struct dmaheap_buf *buf = NULL;

		assert_ret(dmaheap_alloc(f->ctx, regions[i], MIB, 0, &buf), 0);
		assert_string_equal(dmaheap_buf_heap_name(buf), regions[i]);
		assert_true(allocated(regions[i]) >= mine + pages);
		assert_int_equal(allocated(def), other);
		dmaheap_buf_free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_heap_per_region,
						kt_fixture_setup,
						kt_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_region_sizes,
						kt_fixture_setup,
						kt_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_buffers_from_own_area,
						kt_fixture_setup,
						kt_fixture_teardown),
	};

	kt_require_system_heap();
	if (!kernel_at_least(6, 19))
		kt_skip("one heap per CMA region needs Linux 6.19+: "
			"DMAHEAP_VM_KERNEL=arm64-7.3");
	find_regions();
	if (nregions == 0)
		kt_skip("no reusable shared-dma-pool region in the device tree: "
			"tests/vm/run.sh --kernel arm64-7.3 --dtb cma-regions");
	return cmocka_run_group_tests_name("kernel-cma-regions", tests, NULL, NULL);
}
