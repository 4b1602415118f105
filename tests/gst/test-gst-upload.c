/* SPDX-License-Identifier: MIT */
/*
 * The pipeline check of dmaheapupload:
 *   videotestsrc num-buffers=60 ! video/x-raw,format=NV12,width=640,
 *   height=480 ! [identity drop-allocation=true !] dmaheapupload ! fakesink
 * Every output buffer must be dma-buf memory from the heap, and each
 * frame's checksum must equal that of the same pipeline without the
 * element. With drop-allocation, upstream writes system memory and the
 * element copies; without, upstream writes into the element's pool and
 * the element passes the buffers through: the same memory comes out.
 * With separate-planes=true, both ways, each frame is two heap dma-bufs.
 * Frames whose strides differ from the heap buffer's, or agree, in many
 * formats and odd sizes, come out with every visible byte in place.
 *
 * A heap that is not there (or a usage no heap serves) must end the
 * pipeline with an error of the element naming the heap and what to
 * change, whichever element activates the pool.
 *
 * Suite 'gst' runs it on the mock (under libdmaheap-mock-preload.so);
 * suite 'kernel' in the VM, on the real "system" heap.
 */
#include <errno.h>

#include "gstpipeline.h"

static void compare_planes(const char *middle, guint passed_through,
			   guint two_memories)
{
	struct run ref = { 0 }, up = { 0 };

	run_pipeline("", &ref);
	run_pipeline(middle, &up);
	assert_int_equal(ref.frames, FRAMES);
	assert_int_equal(up.frames, FRAMES);
	assert_int_equal(ref.heap_buffers, 0);
	assert_int_equal(up.heap_buffers, FRAMES);
	assert_int_equal(up.passed_through, passed_through);
	assert_int_equal(up.two_memories, two_memories);
	for (guint i = 0; i < FRAMES; i++)
		assert_string_equal(g_checksum_get_string(ref.sums[i]),
				    g_checksum_get_string(up.sums[i]));
	free_run(&ref);
	free_run(&up);
}

static void compare(const char *middle, guint passed_through)
{
	compare_planes(middle, passed_through, 0);
}

/* Upstream takes the element's pool: heap buffers pass through. */
static void test_upstream_writes_heap(void **state)
{
	compare("dmaheapupload name=up !", FRAMES);
}

/* Upstream allocates system memory: the element copies. */
static void test_copy(void **state)
{
	compare("identity drop-allocation=true ! dmaheapupload name=up !", 0);
}

/* Downstream without video meta and system-memory caps. */
static void test_copy_plain_caps(void **state)
{
	compare("identity drop-allocation=true ! dmaheapupload name=up "
		"pool=true ! " CAPS " !", 0);
}

/* separate-planes: each NV12 frame is two heap dma-bufs, the same
 * pixels, whether upstream writes into them or the element copies. */
static void test_separate_planes(void **state)
{
	compare_planes("dmaheapupload name=up separate-planes=true !", FRAMES,
		       FRAMES);
	compare_planes("identity drop-allocation=true ! dmaheapupload name=up "
		       "separate-planes=true !", 0, FRAMES);
	/* Downstream that did not ask for the meta gets it all the same. */
	compare_planes("identity drop-allocation=true ! dmaheapupload name=up "
		       "separate-planes=true ! " CAPS " !", 0, FRAMES);
}

/* The byte at column @x (bytes) of row @y of plane @p of a test frame. */
static guint8 pattern(guint p, gint y, guint x)
{
	return (guint8)(p * 31 + y * 7 + x);
}

/* A system-memory frame of @info, each plane's stride @pad bytes wider
 * than GStreamer's (padding 0xee), with the pattern, and its meta. */
static GstBuffer *padded_frame(const GstVideoInfo *info, guint pad)
{
	gsize offset[GST_VIDEO_MAX_PLANES] = { 0 }, size = 0;
	gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
	GstVideoFrame f;
	GstVideoInfo padded = *info;
	GstBuffer *buf;

	for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(info); p++) {
		stride[p] = GST_VIDEO_INFO_PLANE_STRIDE(info, p) + (gint)pad;
		offset[p] = size;
		size += (gsize)stride[p] *
			GST_VIDEO_INFO_COMP_HEIGHT(info, p);
		padded.stride[p] = stride[p];
		padded.offset[p] = offset[p];
	}
	padded.size = size;
	buf = gst_buffer_new_allocate(NULL, size, NULL);
	gst_buffer_memset(buf, 0, 0xee, size);
	gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE,
				       GST_VIDEO_INFO_FORMAT(info),
				       GST_VIDEO_INFO_WIDTH(info),
				       GST_VIDEO_INFO_HEIGHT(info),
				       GST_VIDEO_INFO_N_PLANES(info), offset,
				       stride);
	assert_true(gst_video_frame_map(&f, &padded, buf, GST_MAP_WRITE));
	for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&f); p++) {
		guint8 *d = GST_VIDEO_FRAME_PLANE_DATA(&f, p);
		guint row = GST_VIDEO_FRAME_COMP_WIDTH(&f, p) *
			    GST_VIDEO_FRAME_COMP_PSTRIDE(&f, p);

		for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, p); y++)
			for (guint x = 0; x < row; x++)
				d[y * stride[p] + x] = pattern(p, y, x);
	}
	gst_video_frame_unmap(&f);
	return buf;
}

/* Every visible byte of @buf (a heap buffer) is the pattern's. */
static void check_pattern(const GstVideoInfo *info, GstBuffer *buf)
{
	GstVideoFrame f;
	GstVideoInfo vi = *info;

	assert_true(gst_is_dmaheap_memory(gst_buffer_peek_memory(buf, 0)));
	assert_true(gst_video_frame_map(&f, &vi, buf, GST_MAP_READ));
	for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&f); p++) {
		const guint8 *d = GST_VIDEO_FRAME_PLANE_DATA(&f, p);
		gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(&f, p);
		guint row = GST_VIDEO_FRAME_COMP_WIDTH(&f, p) *
			    GST_VIDEO_FRAME_COMP_PSTRIDE(&f, p);

		for (gint y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, p); y++)
			for (guint x = 0; x < row; x++)
				if (d[y * stride + x] != pattern(p, y, x))
					fail_msg("%s plane %u row %d byte %u: "
						 "0x%02x", GST_VIDEO_INFO_NAME(info),
						 p, y, x, d[y * stride + x]);
	}
	gst_video_frame_unmap(&f);
}

static void on_last(GstElement *sink, GstBuffer *buf, GstPad *pad,
		    gpointer data)
{
	gst_buffer_replace(data, buf);
}

/*
 * A frame of @format, @w x @h, its strides @pad bytes wider than
 * GStreamer's, pushed straight into dmaheapupload: what comes out of it
 * is a heap buffer with every visible byte in place (the copy row by row
 * when the strides differ, of whole planes when they agree).
 */
static void check_copy(const char *format, guint w, guint h, guint pad)
{
	gchar *s = g_strdup_printf("video/x-raw,format=%s,width=%u,height=%u,"
				   "framerate=0/1", format, w, h);
	GstCaps *caps = gst_caps_from_string(s);
	GstElement *p = gst_parse_launch(
		"dmaheapupload name=up ! fakesink name=sink "
		"signal-handoffs=true", NULL);
	GstElement *up = gst_bin_get_by_name(GST_BIN(p), "up");
	GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	GstPad *src = gst_pad_new("src", GST_PAD_SRC);
	GstPad *upsink = gst_element_get_static_pad(up, "sink");
	GstBuffer *out = NULL;
	GstSegment seg;
	GstVideoInfo info;

	assert_true(gst_video_info_from_caps(&info, caps));
	g_signal_connect(sink, "handoff", G_CALLBACK(on_last), &out);
	assert_int_equal(gst_pad_link(src, upsink), GST_PAD_LINK_OK);
	gst_pad_set_active(src, TRUE);
	assert_int_not_equal(gst_element_set_state(p, GST_STATE_PLAYING),
			     GST_STATE_CHANGE_FAILURE);
	gst_segment_init(&seg, GST_FORMAT_TIME);
	assert_true(gst_pad_push_event(src, gst_event_new_stream_start("s")));
	assert_true(gst_pad_push_event(src, gst_event_new_caps(caps)));
	assert_true(gst_pad_push_event(src, gst_event_new_segment(&seg)));
	assert_int_equal(gst_pad_push(src, padded_frame(&info, pad)),
			 GST_FLOW_OK);
	assert_non_null(out);
	check_pattern(&info, out);
	gst_buffer_unref(out);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_pad_set_active(src, FALSE);
	gst_object_unref(upsink);
	gst_object_unref(src);
	gst_object_unref(sink);
	gst_object_unref(up);
	gst_object_unref(p);
	gst_caps_unref(caps);
	g_free(s);
}

static void test_copy_strides(void **state)
{
	static const char *const formats[] = { "NV12", "I420", "YV12", "YUY2",
					       "RGB", "BGRx", "P010_10LE" };

	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		/* Rows wider in the source than in the heap buffer. */
		check_copy(formats[i], 34, 18, 64);
		/* Equal strides: whole planes at once, odd sizes. */
		check_copy(formats[i], 34, 18, 0);
		check_copy(formats[i], 66, 34, 0);
	}
	check_copy("RGB", 33, 17, 0);
	check_copy("GRAY8", 33, 17, 0);
	check_copy("GRAY8", 33, 17, 3);
}

/* The first error @middle's pipeline posts: from the element "up", in
 * the RESOURCE domain; its text is returned. */
static gchar *first_error(const char *middle)
{
	gchar *desc = g_strdup_printf(
		"videotestsrc num-buffers=5 ! " CAPS " ! %s fakesink", middle);
	GstElement *p = gst_parse_launch(desc, NULL);
	GstMessage *msg;
	GError *err = NULL;
	gchar *text;

	assert_non_null(p);
	gst_element_set_state(p, GST_STATE_PLAYING);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 30 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	assert_non_null(msg);
	assert_int_equal(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR);
	gst_message_parse_error(msg, &err, NULL);
	print_message("%s: %s: %s\n", desc, GST_MESSAGE_SRC_NAME(msg),
		      err->message);
	assert_string_equal(GST_MESSAGE_SRC_NAME(msg), "up");
	assert_true(err->domain == GST_RESOURCE_ERROR);
	text = g_strdup(err->message);
	g_error_free(err);
	gst_message_unref(msg);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
	g_free(desc);
	return text;
}

static void check_missing_heap(const char *middle)
{
	gchar *text = first_error(middle);

	assert_non_null(strstr(text, "\"no-such-heap\""));
	assert_non_null(strstr(text, dmaheap_strerror(-ENOENT)));
	assert_non_null(strstr(text, "heap property"));
	assert_non_null(strstr(text, "DMAHEAP_DIR"));
	g_free(text);
}

/* Upstream activates the element's pool (it took it in the allocation
 * query), then the element's own pool when it copies. */
static void test_missing_heap_error(void **state)
{
	check_missing_heap("dmaheapupload name=up heap=no-such-heap !");
	check_missing_heap("identity drop-allocation=true ! "
			   "dmaheapupload name=up heap=no-such-heap !");
}

/* No heap set: the error names the usage and the policy file. */
static void test_usage_without_heap_error(void **state)
{
	gchar *text = first_error("dmaheapupload name=up usage=protected !");

	assert_non_null(strstr(text, "usage protected"));
	assert_non_null(strstr(text, "policy file"));
	g_free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_writes_heap),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_plain_caps),
		cmocka_unit_test(test_separate_planes),
		cmocka_unit_test(test_copy_strides),
		cmocka_unit_test(test_missing_heap_error),
		cmocka_unit_test(test_usage_without_heap_error),
	};

	gsttest_init(&argc, &argv, 0);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
