/* SPDX-License-Identifier: MIT */
/* dmaheap_heap_region(): which CMA area a heap name stands for, against the
 * mock's /sys/kernel/mm/cma and /proc/device-tree. */
#include <unistd.h>

#include "testutil.h"

#define AREA(name) "/sys/kernel/mm/cma/" name "/alloc_pages_success"
#define DT "/proc/device-tree/reserved-memory/"

static void set_file(struct fixture *f, const char *path, const char *text)
{
	assert_int_equal(dmaheap_mock_set_kernel_file(f->mock, path, text), 0);
}

static int region(struct fixture *f, const char *heap, char *buf, size_t len)
{
	memset(buf, 0, len);
	return dmaheap_heap_region(f->ctx, heap, buf, len);
}

/* x86 with cma= or CONFIG_CMA_SIZE_MBYTES: one area, "reserved". */
static void test_stable_and_legacy_name(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	set_file(f, AREA("reserved"), "0\n");
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "reserved");
	assert_int_equal(region(f, "reserved", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "reserved");
}

/* "reserved" is the default even beside other areas. */
static void test_reserved_among_others(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	set_file(f, AREA("memory@42000000"), "0\n");
	set_file(f, AREA("reserved"), "0\n");
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "reserved");
	assert_int_equal(region(f, "memory@42000000", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "memory@42000000");
}

/* A device tree says which region is the default. */
static void test_device_tree_default(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	set_file(f, AREA("linux,cma"), "0\n");
	set_file(f, AREA("video@50000000"), "0\n");
	/* Two areas, none marked: not known. */
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)),
			 -ENODATA);
	set_file(f, DT "video@50000000/reusable", "");
	set_file(f, DT "linux,cma/reusable", "");
	set_file(f, DT "linux,cma/linux,cma-default", "");
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "linux,cma");
}

/* One area under another name: the only one is the default. */
static void test_only_area(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	set_file(f, AREA("default-pool"), "0\n");
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "default-pool");
}

static void test_no_region(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	/* No CMA sysfs at all. */
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)),
			 -ENODATA);
	assert_int_equal(region(f, "reserved", buf, sizeof(buf)), -ENODATA);
	set_file(f, AREA("reserved"), "0\n");
	/* Not a CMA heap. */
	assert_int_equal(region(f, "system", buf, sizeof(buf)), -ENODATA);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	char buf[9];

	set_file(f, AREA("reserved"), "0\n");
	assert_int_equal(dmaheap_heap_region(NULL, "reserved", buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region(f->ctx, NULL, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region(f->ctx, "../x", buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region(f->ctx, "reserved", NULL, 8),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region(f->ctx, "reserved", buf, 0),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region(f->ctx, "reserved", buf, 8), -ERANGE);
	assert_int_equal(dmaheap_heap_region(f->ctx, "default_cma_region", buf, 8),
			 -ERANGE);
	/* Exactly the name and its NUL fit. */
	assert_int_equal(dmaheap_heap_region(f->ctx, "reserved", buf, 9), 0);
	assert_string_equal(buf, "reserved");
}

/* A failing readdir is no answer, not a wrong one. */
static void test_readdir_fails(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	set_file(f, AREA("reserved"), "0\n");
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_READDIR, 0, 2,
					     EIO), 0);
	assert_int_equal(region(f, "default_cma_region", buf, sizeof(buf)),
			 -ENODATA);
}

/* Each region's size, from its area's total_pages; absent or garbled
 * (6.12 has no such file), no size but no wrong one either. */
static void test_region_size(void **state)
{
	struct fixture *f = *state;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t size = 0;

	set_file(f, AREA("reserved"), "0\n");
	set_file(f, "/sys/kernel/mm/cma/reserved/total_pages", "8192\n");
	set_file(f, AREA("video@a0000000"), "0\n");
	set_file(f, "/sys/kernel/mm/cma/video@a0000000/total_pages", "4096\n");
	set_file(f, AREA("camera@a4000000"), "0\n");
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "video@a0000000",
						  &size), 0);
	assert_int_equal(size, 4096 * (uint64_t)page);
	/* One pool, one size, under both its names. */
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "default_cma_region",
						  &size), 0);
	assert_int_equal(size, 8192 * (uint64_t)page);
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "reserved", &size), 0);
	assert_int_equal(size, 8192 * (uint64_t)page);
	size = 1;
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "camera@a4000000",
						  &size), -ENODATA);
	set_file(f, "/sys/kernel/mm/cma/camera@a4000000/total_pages", "lots\n");
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "camera@a4000000",
						  &size), -ENODATA);
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "system", &size),
			 -ENODATA);
	assert_int_equal(size, 1);
	assert_int_equal(dmaheap_heap_region_size(NULL, "reserved", &size),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "reserved", NULL),
			 -EINVAL);
	assert_int_equal(dmaheap_heap_region_size(f->ctx, "a/b", &size),
			 -EINVAL);
}

/* A region's heap the library has no entry for is listed as what the
 * kernel makes it: a CMA heap, contiguous and cached. */
static void test_region_heap_listed_contiguous(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;
	int n, seen = 0;

	set_file(f, AREA("video@a0000000"), "0\n");
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "video@a0000000", NULL), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "other@b0000000", NULL), 0);
	n = dmaheap_heap_list(f->ctx, &list);
	assert_true(n >= 2);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i].name, "video@a0000000") == 0) {
			assert_int_equal(list[i].props, DMAHEAP_PROP_CONTIGUOUS |
							       DMAHEAP_PROP_CACHED);
			assert_int_equal(list[i].props_source,
					 DMAHEAP_PROPS_KERNEL);
			seen++;
		} else if (strcmp(list[i].name, "other@b0000000") == 0) {
			assert_int_equal(list[i].props, 0);
			assert_int_equal(list[i].props_source,
					 DMAHEAP_PROPS_UNKNOWN);
			seen++;
		}
	}
	dmaheap_heap_list_free(list);
	assert_int_equal(seen, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_stable_and_legacy_name),
		FIXTURE_TEST(test_reserved_among_others),
		FIXTURE_TEST(test_device_tree_default),
		FIXTURE_TEST(test_only_area),
		FIXTURE_TEST(test_no_region),
		FIXTURE_TEST(test_bad_arguments),
		FIXTURE_TEST(test_readdir_fails),
		FIXTURE_TEST(test_region_size),
		FIXTURE_TEST(test_region_heap_listed_contiguous),
	};

	return cmocka_run_group_tests_name("cma-region", tests, NULL, NULL);
}
