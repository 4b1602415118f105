/* SPDX-License-Identifier: MIT */
/*
 * dmaheapupload with DMA_DRM caps (GStreamer >= 1.24; meson builds this
 * test only then):
 *   videotestsrc ! video/x-raw,format=NV12,width=640,height=480 !
 *   [identity drop-allocation=true !] dmaheapupload !
 *   video/x-raw(memory:DMABuf),format=DMA_DRM,drm-format=NV12 ! fakesink
 * with a sink that asks for GstVideoMeta. Every buffer must be heap
 * memory with a GstVideoMeta of NV12's layout, and each frame's checksum
 * that of the pipeline without the element. Heap buffers are linear: a
 * drm-format with a modifier must not negotiate.
 *
 * Suite 'gst', on the mock (under libdmaheap-mock-preload.so); on a real
 * "system" heap when run without it.
 */
#include "gstdmaheapdrm.h"
#include "gstdmaheappool.h"
#include "gstpipeline.h"

#define DRM_CAPS "video/x-raw(memory:DMABuf),format=DMA_DRM,width=640," \
		 "height=480,drm-format="
/* NV12 in Intel's X tiling: a modifier any dma-buf consumer may ask for. */
#define TILED "NV12:0x0100000000000001"

/* @pools: whether "up" must answer upstream's allocation query with its
 * pool (it does whenever asked). */
static void compare(const char *middle, guint passed_through, gboolean pools)
{
	struct run ref = { 0 }, up = { .sink_wants_meta = TRUE };

	run_pipeline("", &ref);
	run_pipeline(middle, &up);
	if (pools)
		assert_true(up.heap_pools_offered > 0);
	assert_int_equal(ref.frames, FRAMES);
	assert_int_equal(up.frames, FRAMES);
	assert_int_equal(up.heap_buffers, FRAMES);
	assert_int_equal(up.passed_through, passed_through);
	assert_int_equal(up.with_meta, FRAMES);
	assert_int_equal(up.meta_as_info, FRAMES);
	for (guint i = 0; i < FRAMES; i++)
		assert_string_equal(g_checksum_get_string(ref.sums[i]),
				    g_checksum_get_string(up.sums[i]));
	free_run(&ref);
	free_run(&up);
}

/* The element copies system-memory frames into heap buffers. */
static void test_drm_copy(void **state)
{
	compare("identity drop-allocation=true ! dmaheapupload name=up ! "
		DRM_CAPS "NV12 !", 0, FALSE);
}

/* Upstream writes into the element's pool; the buffers pass through. */
static void test_drm_upstream_writes_heap(void **state)
{
	compare("dmaheapupload name=up ! " DRM_CAPS "NV12 !", FRAMES, TRUE);
}

/* DMA_DRM on the sink pad too: heap buffers from a first element pass a
 * second one untouched, which answers the first's allocation query for
 * DMA_DRM caps with its pool. */
static void test_drm_input(void **state)
{
	compare("identity drop-allocation=true ! dmaheapupload ! " DRM_CAPS
		"NV12 ! dmaheapupload name=up ! " DRM_CAPS "NV12 !", FRAMES,
		TRUE);
}

/* The pipeline ends in an error before any buffer reaches the sink. */
static void assert_not_negotiated(const char *middle)
{
	gchar *desc = g_strdup_printf(
		"videotestsrc num-buffers=5 ! " CAPS " ! %s ! fakesink "
		"name=sink signal-handoffs=true", middle);
	struct run r = { 0 };
	GstElement *p = gst_parse_launch(desc, NULL);
	GstElement *sink;
	GstMessage *msg;

	assert_non_null(p);
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), &r);
	gst_object_unref(sink);
	gst_element_set_state(p, GST_STATE_PLAYING);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 60 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	assert_non_null(msg);
	assert_int_equal(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR);
	assert_int_equal(r.frames, 0);
	gst_message_unref(msg);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
	g_free(desc);
}

static void test_tiled_refused(void **state)
{
	assert_not_negotiated("dmaheapupload ! " DRM_CAPS TILED);
}

/* The element's src pad takes linear NV12 as DMA_DRM, not tiled, nor a
 * fourcc neither GStreamer nor the library knows. */
static void test_accept_caps(void **state)
{
	GstElement *e = gst_element_factory_make("dmaheapupload", NULL);
	GstPad *src = gst_element_get_static_pad(e, "src");
	GstCaps *linear = gst_caps_from_string(DRM_CAPS "NV12");
	GstCaps *tiled = gst_caps_from_string(DRM_CAPS TILED);
	GstCaps *unknown = gst_caps_from_string(DRM_CAPS "ABCD");
	GstVideoInfo info;

	assert_true(gst_pad_query_accept_caps(src, linear));
	assert_false(gst_pad_query_accept_caps(src, tiled));
	assert_false(gst_pad_query_accept_caps(src, unknown));
	assert_false(gst_dmaheap_video_info_from_caps(&info, unknown));
	gst_caps_unref(unknown);
	gst_caps_unref(tiled);
	gst_caps_unref(linear);
	gst_object_unref(src);
	gst_object_unref(e);
}

/* Linear DMA_DRM NV12 is plain NV12's layout; a modifier is refused even
 * where GStreamer itself would read it as NV12. */
static void test_video_info(void **state)
{
	GstCaps *plain = gst_caps_from_string(CAPS);
	GstCaps *linear = gst_caps_from_string(DRM_CAPS "NV12");
	GstCaps *tiled = gst_caps_from_string(DRM_CAPS TILED);
	GstVideoInfo want, got;

	assert_true(gst_video_info_from_caps(&want, plain));
	assert_true(gst_dmaheap_video_info_from_caps(&got, linear));
	assert_true(gst_video_info_is_equal(&want, &got));
	assert_false(gst_dmaheap_video_info_from_caps(&got, tiled));
	gst_caps_unref(tiled);
	gst_caps_unref(linear);
	gst_caps_unref(plain);
}

/* The pool lays out @drm as it does the plain caps, and the library
 * names the layout's drm-format as GStreamer does. */
static void check_offered(const gchar *drm)
{
	gchar *desc = g_strdup_printf("video/x-raw(memory:DMABuf),"
				      "format=DMA_DRM,width=66,height=50,"
				      "drm-format=\"%s\"", drm);
	GstCaps *caps = gst_caps_from_string(desc);
	GstBufferPool *pool = gst_dmaheap_buffer_pool_new(NULL);
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstVideoInfo info;
	char name[8];

	assert_non_null(caps);
	assert_true(gst_dmaheap_video_info_from_caps(&info, caps));
	gst_buffer_pool_config_set_params(config, caps, 0, 0, 0);
	assert_true(gst_buffer_pool_set_config(pool, config));
	assert_int_equal(dmaheap_image_gst_drm_format(
				 &GST_DMAHEAP_BUFFER_POOL(pool)->layout, name,
				 sizeof(name)),
			 4);
	assert_string_equal(name, drm);
	for (guint i = 0; i < GST_VIDEO_INFO_N_PLANES(&info); i++) {
		assert_int_equal(GST_DMAHEAP_BUFFER_POOL(pool)->info.offset[i],
				 info.offset[i]);
		assert_int_equal(GST_DMAHEAP_BUFFER_POOL(pool)->info.stride[i],
				 info.stride[i]);
	}
	gst_object_unref(pool);
	gst_caps_unref(caps);
	g_free(desc);
}

/* Every drm-format of the src template works in the pool. */
static void test_every_offered_format(void **state)
{
	GstElement *e = gst_element_factory_make("dmaheapupload", NULL);
	GstPad *src = gst_element_get_static_pad(e, "src");
	GstCaps *templ = gst_pad_get_pad_template_caps(src);
	const GValue *list = NULL;

	for (guint i = 0; !list && i < gst_caps_get_size(templ); i++)
		list = gst_structure_get_value(gst_caps_get_structure(templ, i),
					       "drm-format");
	assert_non_null(list);
	assert_true(GST_VALUE_HOLDS_LIST(list));
	/* NV12 to ARGB2101010 at least; newer GStreamer knows more. */
	assert_true(gst_value_list_get_size(list) >= 28);
	for (guint i = 0; i < gst_value_list_get_size(list); i++)
		check_offered(g_value_get_string(
			gst_value_list_get_value(list, i)));
	gst_caps_unref(templ);
	gst_object_unref(src);
	gst_object_unref(e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drm_copy),
		cmocka_unit_test(test_drm_upstream_writes_heap),
		cmocka_unit_test(test_drm_input),
		cmocka_unit_test(test_tiled_refused),
		cmocka_unit_test(test_accept_caps),
		cmocka_unit_test(test_video_info),
		cmocka_unit_test(test_every_offered_format),
	};

	gsttest_init(&argc, &argv, 0);
	/* Odd caps must be refused, not trip GStreamer's checks. */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
