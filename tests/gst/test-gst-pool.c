/* SPDX-License-Identifier: MIT */
/*
 * GstDmaHeapBufferPool on the mock kernel: layouts equal GStreamer's own
 * without alignment, stride alignment with video meta, and a released
 * buffer is not handed out again while a fence is pending on it.
 */
#include <gst/allocators/gstdmabuf.h>
#include <gst/video/video.h>

#include "gsttest.h"
#include "gstdmaheapallocator.h"
#include "gstdmaheappool.h"

static GstBufferPool *make_pool(const char *caps_str, gboolean meta,
				guint align, guint max)
{
	GstBufferPool *pool = gst_dmaheap_buffer_pool_new(NULL);
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstCaps *caps = gst_caps_from_string(caps_str);

	gst_buffer_pool_config_set_params(config, caps, 0, 0, max);
	if (meta)
		gst_buffer_pool_config_add_option(
			config, GST_BUFFER_POOL_OPTION_VIDEO_META);
	if (align)
		gst_structure_set(config, GST_DMAHEAP_POOL_STRIDE_ALIGN,
				  G_TYPE_UINT, align, NULL);
	assert_true(gst_buffer_pool_set_config(pool, config));
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	gst_caps_unref(caps);
	return pool;
}

static void check_layout(const char *format, guint w, guint h)
{
	gchar *s = g_strdup_printf("video/x-raw,format=%s,width=%u,height=%u",
				   format, w, h);
	GstBufferPool *pool = make_pool(s, FALSE, 0, 0);
	GstCaps *caps = gst_caps_from_string(s);
	GstVideoInfo info;
	GstBuffer *buf = NULL;

	assert_true(gst_video_info_from_caps(&info, caps));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	/* Without video meta, downstream assumes GStreamer's layout. */
	assert_int_equal(gst_buffer_get_size(buf), info.size);
	assert_true(gst_is_dmaheap_memory(gst_buffer_peek_memory(buf, 0)));
	assert_null(gst_buffer_get_video_meta(buf));
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	gst_caps_unref(caps);
	g_free(s);
}

static void test_layout_like_gstreamer(void **state)
{
	check_layout("NV12", 640, 480);
	check_layout("NV12", 33, 17);
	check_layout("I420", 641, 481);
	check_layout("YUY2", 33, 17);
	check_layout("RGB", 33, 17);
	check_layout("BGRx", 1920, 1080);
}

static void test_stride_align(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=NV12,width=100,height=50", TRUE, 256, 0);
	GstBuffer *buf = NULL;
	GstVideoMeta *meta;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	meta = gst_buffer_get_video_meta(buf);
	assert_non_null(meta);
	assert_int_equal(meta->n_planes, 2);
	assert_int_equal(meta->stride[0], 256);
	assert_int_equal(meta->stride[1], 256);
	assert_int_equal(meta->offset[1], 256 * 50);
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

static int fd_of(GstBuffer *buf)
{
	return gst_dmabuf_memory_get_fd(gst_buffer_peek_memory(buf, 0));
}

/* A buffer with a pending fence is skipped until the fence signals. */
static void test_fenced_not_reused(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 0);
	GstBuffer *a = NULL, *b = NULL, *c = NULL;
	GstMemory *mem_a;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &a, NULL),
			 GST_FLOW_OK);
	mem_a = gst_buffer_peek_memory(a, 0);
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd_of(a),
						    true), 0);
	gst_buffer_unref(a); /* back to the pool, still fenced */
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b, NULL),
			 GST_FLOW_OK);
	assert_ptr_not_equal(gst_buffer_peek_memory(b, 0), mem_a);
	/* The fence signals: the first buffer is good again. */
	assert_int_equal(dmaheap_mock_buf_set_fence(
				 gsttest_mock(),
				 gst_dmabuf_memory_get_fd(mem_a), false),
			 0);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &c, NULL),
			 GST_FLOW_OK);
	assert_ptr_equal(gst_buffer_peek_memory(c, 0), mem_a);
	gst_buffer_unref(c);
	gst_buffer_unref(b);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

static void test_fence_signalled(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 1);
	GstBuffer *a = NULL, *b = NULL;
	GstMemory *mem_a;
	int fd;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &a, NULL),
			 GST_FLOW_OK);
	mem_a = gst_buffer_peek_memory(a, 0);
	fd = fd_of(a);
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd, true),
			 0);
	gst_buffer_unref(a);
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd, false),
			 0);
	/* max 1: the only buffer, once its fence is gone */
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b, NULL),
			 GST_FLOW_OK);
	assert_ptr_equal(gst_buffer_peek_memory(b, 0), mem_a);
	gst_buffer_unref(b);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

static void test_bad_config(void **state)
{
	GstBufferPool *pool = gst_dmaheap_buffer_pool_new(NULL);
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstCaps *caps = gst_caps_from_string(
		"video/x-raw,format=v210,width=64,height=64");

	/* A format the library has no layout for. */
	gst_buffer_pool_config_set_params(config, caps, 0, 0, 0);
	assert_false(gst_buffer_pool_set_config(pool, config));
	gst_caps_unref(caps);
	gst_object_unref(pool);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_like_gstreamer),
		cmocka_unit_test(test_stride_align),
		cmocka_unit_test(test_fenced_not_reused),
		cmocka_unit_test(test_fence_signalled),
		cmocka_unit_test(test_bad_config),
	};

	gsttest_init(&argc, &argv, 1);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
