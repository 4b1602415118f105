/* SPDX-License-Identifier: MIT */
/*
 * GstDmaHeapAllocator on the mock kernel (run under
 * libdmaheap-mock-preload.so, suite 'gst'): registration, allocation
 * parameters, fallback lists, contiguous and protected heaps, CPU-access
 * brackets as the mock sees them, stats and the library's pool.
 */
#include <string.h>
#include <unistd.h>

#include <gst/allocators/gstdmabuf.h>

#include "gsttest.h"
#include "gstdmaheapallocator.h"

static GstAllocator *new_alloc(const char *heap)
{
	return gst_dmaheap_allocator_new(heap, 0);
}

static struct dmaheap_mock_buf_info info_of(GstMemory *mem)
{
	struct dmaheap_mock_buf_info info;

	memset(&info, 0, sizeof(info));
	assert_int_equal(dmaheap_mock_buf_info(gsttest_mock(),
					       gst_dmabuf_memory_get_fd(mem),
					       &info), 0);
	return info;
}

static void test_registered(void **state)
{
	GstAllocator *a = gst_allocator_find(GST_DMAHEAP_ALLOCATOR_NAME);

	assert_non_null(a);
	assert_true(GST_IS_DMAHEAP_ALLOCATOR(a));
	gst_object_unref(a);
}

static void test_params(void **state)
{
	GstAllocator *a = new_alloc("system");
	GstAllocationParams p;
	struct dmaheap_stats st;
	GstMapInfo map;
	GstMemory *mem;

	gst_allocation_params_init(&p);
	p.prefix = 64;
	p.padding = 32;
	p.align = 63;
	p.flags = GST_MEMORY_FLAG_ZERO_PREFIXED | GST_MEMORY_FLAG_ZERO_PADDED;
	mem = gst_allocator_alloc(a, 1000, &p);
	assert_non_null(mem);
	assert_true(gst_is_dmabuf_memory(mem));
	assert_true(gst_is_dmaheap_memory(mem));
	assert_int_equal(mem->offset, 64);
	assert_int_equal(mem->size, 1000);
	assert_true(mem->maxsize >= 1096);
	assert_true(GST_MEMORY_FLAG_IS_SET(mem, GST_MEMORY_FLAG_ZERO_PREFIXED));
	assert_false(GST_MEMORY_FLAG_IS_SET(
		mem, GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS));
	assert_string_equal(info_of(mem).heap, "system");
	assert_int_equal(dmaheap_ctx_stats(gst_dmaheap_allocator_get_ctx(a),
					   NULL, &st), 0);
	assert_int_equal(st.live_buffers, 1);

	assert_true(gst_memory_map(mem, &map, GST_MAP_READ));
	assert_int_equal((uintptr_t)(map.data - 64) % 64, 0);
	gst_memory_unmap(mem, &map);
	gst_memory_unref(mem);
	assert_int_equal(dmaheap_ctx_stats(gst_dmaheap_allocator_get_ctx(a),
					   NULL, &st), 0);
	assert_int_equal(st.live_buffers, 0);
	gst_object_unref(a);
}

/* The brackets are the library's: one SYNC START per map, ended at unmap. */
static void test_map_brackets(void **state)
{
	GstAllocator *a = new_alloc(NULL);
	GstMemory *mem = gst_allocator_alloc(a, 4096, NULL);
	GstMemory *sub;
	GstMapInfo w, r;

	assert_non_null(mem);
	assert_true(gst_memory_map(mem, &w, GST_MAP_WRITE));
	assert_int_equal(info_of(mem).sync_writes, 1);
	assert_int_equal(info_of(mem).sync_reads, 0);
	for (size_t i = 0; i < w.size; i++)
		w.data[i] = (guint8)i;
	gst_memory_unmap(mem, &w);
	assert_int_equal(info_of(mem).sync_writes, 0);

	sub = gst_memory_share(mem, 16, 32);
	assert_true(gst_memory_map(sub, &r, GST_MAP_READ));
	assert_int_equal(info_of(mem).sync_reads, 1);
	assert_int_equal(r.size, 32);
	assert_int_equal(r.data[0], 16);
	assert_int_equal(r.data[31], 47);
	gst_memory_unmap(sub, &r);
	assert_int_equal(info_of(mem).sync_reads, 0);
	gst_memory_unref(sub);
	gst_memory_unref(mem);
	gst_object_unref(a);
}

static void test_fallback_and_errors(void **state)
{
	GstAllocator *a = new_alloc("nope, system");
	GstAllocationParams p;
	GstMemory *mem;
	int fds = -1;

	mem = gst_allocator_alloc(a, 100, NULL);
	assert_non_null(mem);
	assert_string_equal(info_of(mem).heap, "system");
	gst_memory_unref(mem);

	fds = dup(0);
	close(fds);
	g_object_set(a, "heap", "nope", NULL);
	assert_null(gst_allocator_alloc(a, 100, NULL));
	g_object_set(a, "heap", ",", NULL);
	assert_null(gst_allocator_alloc(a, 100, NULL));
	g_object_set(a, "heap", "system", NULL);
	gst_allocation_params_init(&p);
	p.align = (gsize)sysconf(_SC_PAGESIZE) * 2 - 1;
	assert_null(gst_allocator_alloc(a, 100, &p));
	gst_allocation_params_init(&p);
	p.prefix = G_MAXSIZE - 10;
	assert_null(gst_allocator_alloc(a, 100, &p));
	/* No fd left behind by the failures. */
	assert_int_equal(dup(0), fds);
	close(fds);
	gst_object_unref(a);
}

/* "cma" is the library's alias of the contiguous heaps. */
static void test_contiguous(void **state)
{
	GstAllocator *a;
	GstMemory *mem;

	assert_int_equal(dmaheap_mock_add_heap(gsttest_mock(), "reserved",
					       NULL), 0);
	a = new_alloc("cma");
	mem = gst_allocator_alloc(a, 100, NULL);
	assert_non_null(mem);
	assert_string_equal(info_of(mem).heap, "reserved");
	assert_true(GST_MEMORY_FLAG_IS_SET(
		mem, GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS));
	gst_memory_unref(mem);
	gst_object_unref(a);
	assert_int_equal(dmaheap_mock_remove_heap(gsttest_mock(), "reserved"),
			 0);
}

/* A protected heap's memory refuses to map instead of faulting. */
static void test_protected(void **state)
{
	struct dmaheap_mock_heap props = { .unmappable = 1 };
	GstAllocator *a;
	GstMapInfo map;
	GstMemory *mem;

	assert_int_equal(dmaheap_mock_add_heap(gsttest_mock(),
					       "protected,secure-video",
					       &props), 0);
	a = new_alloc("protected,secure-video");
	mem = gst_allocator_alloc(a, 100, NULL);
	assert_non_null(mem);
	assert_false(gst_memory_map(mem, &map, GST_MAP_READ));
	assert_int_equal(info_of(mem).sync_reads, 0);
	gst_memory_unref(mem);
	gst_object_unref(a);
	assert_int_equal(dmaheap_mock_remove_heap(gsttest_mock(),
						  "protected,secure-video"), 0);
}

/* With the pool on, a freed memory's buffer is cached and served again. */
static void test_library_pool(void **state)
{
	GstAllocator *a = new_alloc("system");
	struct dmaheap_pool_stats ps;
	gboolean on = FALSE;
	GstMemory *mem;

	g_object_set(a, "pool", TRUE, NULL);
	g_object_get(a, "pool", &on, NULL);
	assert_true(on);
	mem = gst_allocator_alloc(a, 8192, NULL);
	gst_memory_unref(mem);
	mem = gst_allocator_alloc(a, 8192, NULL);
	assert_non_null(mem);
	assert_int_equal(dmaheap_pool_stats(gst_dmaheap_allocator_get_ctx(a),
					    NULL, &ps), 0);
	assert_int_equal(ps.recycled, 1);
	assert_int_equal(ps.hits, 1);
	gst_memory_unref(mem);
	gst_object_unref(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_map_brackets),
		cmocka_unit_test(test_fallback_and_errors),
		cmocka_unit_test(test_contiguous),
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_library_pool),
	};

	gsttest_init(&argc, &argv, 1);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
