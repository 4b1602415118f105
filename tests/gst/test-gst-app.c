/* SPDX-License-Identifier: MIT */
/*
 * An application of libgstdmaheap-1.0 on the mock kernel (heaps "system"
 * and "reserved", a contiguous one): linked to the shared helper library
 * alone, with the plugin loaded from its file as GStreamer loads it. Two
 * allocators of its own, one for a heap and one for a usage, and a video
 * pool on each, every buffer from its allocator's heap, while the plugin's
 * shared "dmaheap" allocator stays as it was.
 */
#include <string.h>

#include "gsttest.h"
#include "gstdmaheap.h"

/* The heap the library allocated @mem's buffer from. */
static const char *heap_of(GstMemory *mem)
{
	struct dmaheap_buf *buf = gst_dmaheap_memory_get_buf(mem);

	assert_non_null(buf);
	return dmaheap_buf_heap_name(buf);
}

static unsigned int live_buffers(GstAllocator *a)
{
	struct dmaheap_stats st;

	assert_int_equal(dmaheap_ctx_stats(gst_dmaheap_allocator_get_ctx(a),
					   NULL, &st), 0);
	return (unsigned int)st.live_buffers;
}

static GstAllocator *shared_allocator(void)
{
	GstAllocator *a = gst_allocator_find(GST_DMAHEAP_ALLOCATOR_NAME);

	assert_non_null(a);
	return a;
}

/* What the plugin registers, as its default: no heap, the default usage,
 * no pool. */
static void assert_shared_default(void)
{
	GstAllocator *shared = shared_allocator();
	gboolean pool = TRUE;
	gchar *heap;

	heap = gst_dmaheap_allocator_get_heap(shared);
	assert_null(heap);
	assert_int_equal(gst_dmaheap_allocator_get_usage(shared),
			 DMAHEAP_USAGE_CPU_WRITE_OFTEN);
	g_object_get(shared, "pool", &pool, NULL);
	assert_false(pool);
	gst_object_unref(shared);
}

/* The plugin's allocator is of the application's library's type: the
 * plugin is built on the same library, not on a copy of its own. */
static void test_plugin_uses_library(void **state)
{
	GstAllocator *shared = shared_allocator();

	assert_true(GST_IS_DMAHEAP_ALLOCATOR(shared));
	assert_true(G_TYPE_FROM_INSTANCE(shared) ==
		    gst_dmaheap_allocator_get_type());
	gst_object_unref(shared);
	assert_shared_default();
}

static void test_getters(void **state)
{
	GstAllocator *a = gst_dmaheap_allocator_new("reserved", 0);
	GstAllocator *u = gst_dmaheap_allocator_new(
		NULL, DMAHEAP_USAGE_CPU_READ_OFTEN | DMAHEAP_USAGE_CONTIGUOUS);
	gchar *heap = gst_dmaheap_allocator_get_heap(a);

	assert_string_equal(heap, "reserved");
	g_free(heap);
	/* 0: the property's default */
	assert_int_equal(gst_dmaheap_allocator_get_usage(a),
			 DMAHEAP_USAGE_CPU_WRITE_OFTEN);
	assert_null(gst_dmaheap_allocator_get_heap(u));
	assert_int_equal(gst_dmaheap_allocator_get_usage(u),
			 DMAHEAP_USAGE_CPU_READ_OFTEN |
				 DMAHEAP_USAGE_CONTIGUOUS);
	/* Each has a context of its own. */
	assert_non_null(gst_dmaheap_allocator_get_ctx(a));
	assert_ptr_not_equal(gst_dmaheap_allocator_get_ctx(a),
			     gst_dmaheap_allocator_get_ctx(u));
	gst_object_unref(u);
	gst_object_unref(a);
	/* Not a usage bit: GLib warns, the default stays. */
	u = gst_dmaheap_allocator_new(NULL, 1u << 30);
	assert_int_equal(gst_dmaheap_allocator_get_usage(u),
			 DMAHEAP_USAGE_CPU_WRITE_OFTEN);
	gst_object_unref(u);
}

/*
 * One allocator for a heap, one for a usage: each memory comes from its
 * allocator's heap and is counted by its allocator's context alone;
 * changing one allocator changes neither the other nor the shared one.
 */
static void test_two_allocators(void **state)
{
	GstAllocator *by_heap = gst_dmaheap_allocator_new("reserved", 0);
	GstAllocator *by_usage = gst_dmaheap_allocator_new(
		NULL, DMAHEAP_USAGE_CPU_READ_OFTEN);
	GstAllocator *shared = shared_allocator();
	GstMemory *m1, *m2, *m3, *m4;

	m1 = gst_allocator_alloc(by_heap, 4096, NULL);
	m2 = gst_allocator_alloc(by_usage, 4096, NULL);
	m3 = gst_allocator_alloc(shared, 4096, NULL);
	assert_non_null(m1);
	assert_non_null(m2);
	assert_non_null(m3);
	assert_string_equal(heap_of(m1), "reserved");
	assert_true(GST_MEMORY_FLAG_IS_SET(
		m1, GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS));
	assert_string_equal(heap_of(m2), "system");
	assert_string_equal(heap_of(m3), "system");
	assert_true(m1->allocator == by_heap && m2->allocator == by_usage);
	assert_int_equal(live_buffers(by_heap), 1);
	assert_int_equal(live_buffers(by_usage), 1);
	assert_int_equal(live_buffers(shared), 1);

	/* The usage allocator moved to a heap: the others do not follow. */
	g_object_set(by_usage, "heap", "cma", NULL);
	m4 = gst_allocator_alloc(by_usage, 4096, NULL);
	assert_non_null(m4);
	assert_string_equal(heap_of(m4), "reserved");
	gst_memory_unref(m1);
	m1 = gst_allocator_alloc(by_heap, 4096, NULL);
	assert_string_equal(heap_of(m1), "reserved");
	assert_shared_default();

	gst_memory_unref(m1);
	gst_memory_unref(m2);
	gst_memory_unref(m3);
	gst_memory_unref(m4);
	assert_int_equal(live_buffers(by_heap), 0);
	assert_int_equal(live_buffers(by_usage), 0);
	gst_object_unref(shared);
	gst_object_unref(by_usage);
	gst_object_unref(by_heap);
}

static GstBufferPool *video_pool(GstAllocator *alloc)
{
	GstBufferPool *pool = gst_dmaheap_buffer_pool_new(alloc);
	GstCaps *caps = gst_caps_from_string(
		"video/x-raw,format=NV12,width=320,height=240,framerate=30/1");
	GstStructure *config;

	assert_non_null(pool);
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, caps, 320 * 240 * 3 / 2, 2,
					  4);
	gst_buffer_pool_config_add_option(config,
					  GST_BUFFER_POOL_OPTION_VIDEO_META);
	assert_true(gst_buffer_pool_set_config(pool, config));
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	gst_caps_unref(caps);
	return pool;
}

static const char *pool_heap(GstBufferPool *pool, GstBuffer **buf)
{
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, buf, NULL),
			 GST_FLOW_OK);
	assert_non_null(gst_buffer_get_video_meta(*buf));
	return heap_of(gst_buffer_peek_memory(*buf, 0));
}

/* A video pool on each allocator: its buffers come from that allocator,
 * and the config names it. */
static void test_two_pools(void **state)
{
	GstAllocator *by_heap = gst_dmaheap_allocator_new("reserved", 0);
	GstAllocator *by_usage = gst_dmaheap_allocator_new(
		NULL, DMAHEAP_USAGE_CPU_READ_OFTEN);
	GstBufferPool *p1 = video_pool(by_heap);
	GstBufferPool *p2 = video_pool(by_usage);
	GstAllocator *in_config = NULL;
	GstStructure *config;
	GstBuffer *b1, *b2;

	assert_string_equal(pool_heap(p1, &b1), "reserved");
	assert_string_equal(pool_heap(p2, &b2), "system");
	assert_true(gst_buffer_peek_memory(b1, 0)->allocator == by_heap);
	assert_true(gst_buffer_peek_memory(b2, 0)->allocator == by_usage);
	config = gst_buffer_pool_get_config(p1);
	assert_true(gst_buffer_pool_config_get_allocator(config, &in_config,
							 NULL));
	assert_true(in_config == by_heap);
	gst_structure_free(config);
	assert_shared_default();

	gst_buffer_unref(b1);
	gst_buffer_unref(b2);
	assert_true(gst_buffer_pool_set_active(p1, FALSE));
	assert_true(gst_buffer_pool_set_active(p2, FALSE));
	gst_object_unref(p1);
	gst_object_unref(p2);
	assert_int_equal(live_buffers(by_heap), 0);
	gst_object_unref(by_usage);
	gst_object_unref(by_heap);
}

/* Device usages by their nicks, as gst-launch-1.0 and
 * gst_util_set_object_arg() pass them. */
static void test_device_usage_by_name(void **state)
{
	GstAllocator *a = gst_dmaheap_allocator_new(NULL, 0);
	GstMemory *m;

	gst_util_set_object_arg(G_OBJECT(a), "usage",
				"camera-write+display-scanout+gpu-texture");
	assert_int_equal(gst_dmaheap_allocator_get_usage(a),
			 DMAHEAP_USAGE_CAMERA_WRITE |
				 DMAHEAP_USAGE_DISPLAY_SCANOUT |
				 DMAHEAP_USAGE_GPU_TEXTURE);
	gst_util_set_object_arg(G_OBJECT(a), "usage",
				"video-decode+video-encode+gpu-render");
	assert_int_equal(gst_dmaheap_allocator_get_usage(a),
			 DMAHEAP_USAGE_VIDEO_DECODE |
				 DMAHEAP_USAGE_VIDEO_ENCODE |
				 DMAHEAP_USAGE_GPU_RENDER);
	m = gst_allocator_alloc(a, 4096, NULL);
	assert_non_null(m);
	gst_memory_unref(m);
	gst_object_unref(a);
}

/* The flags type's nicks are the library's usage words, bit for bit, so
 * a pipeline says "usage=camera-write" as the policy file does. */
static void test_usage_nicks_are_library_words(void **state)
{
	GFlagsClass *k = g_type_class_ref(GST_TYPE_DMAHEAP_USAGE);
	unsigned int bit, covered = 0;

	(void)state;
	for (guint i = 0; i < k->n_values; i++) {
		bit = k->values[i].value;
		assert_non_null(dmaheap_usage_name(bit));
		assert_string_equal(k->values[i].value_nick,
				    dmaheap_usage_name(bit));
		covered |= bit;
	}
	/* Every bit the library names has its flag. */
	for (bit = 1; dmaheap_usage_name(bit); bit <<= 1)
		assert_true(covered & bit);
	g_type_class_unref(k);
}

/* A heap that is not there: the allocator is made, its allocations fail
 * with a GError naming the heap. */
static void test_missing_heap(void **state)
{
	GstAllocator *a = gst_dmaheap_allocator_new("nosuch", 0);
	GError *error = NULL;

	assert_null(gst_dmaheap_allocator_alloc_full(a, 4096, NULL, &error));
	assert_non_null(error);
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR,
				    GST_RESOURCE_ERROR_NOT_FOUND));
	assert_non_null(strstr(error->message, "\"nosuch\""));
	g_error_free(error);
	gst_object_unref(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plugin_uses_library),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_two_allocators),
		cmocka_unit_test(test_two_pools),
		cmocka_unit_test(test_missing_heap),
		cmocka_unit_test(test_device_usage_by_name),
		cmocka_unit_test(test_usage_nicks_are_library_words),
	};
	GstPlugin *plugin;
	GError *err = NULL;

	gsttest_start(&argc, &argv, 1);
	/* As an application finds the plugin: from its file (by name,
	 * gst_plugin_load_by_name(), once GST_PLUGIN_PATH names it). */
	plugin = gst_plugin_load_file(GST_DMAHEAP_PLUGIN, &err);
	if (!plugin) {
		printf("cannot load %s: %s\n", GST_DMAHEAP_PLUGIN,
		       err ? err->message : "?");
		return 1;
	}
	gst_object_unref(plugin);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
