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
 *
 * Suite 'gst' runs it on the mock (under libdmaheap-mock-preload.so);
 * suite 'kernel' in the VM, on the real "system" heap.
 */
#include <string.h>

#include <gst/video/video.h>

#include "gsttest.h"
#include "gstdmaheapallocator.h"

#define FRAMES 60
#define CAPS "video/x-raw,format=NV12,width=640,height=480"

struct run {
	GChecksum *sums[FRAMES];
	guint frames;
	guint heap_buffers;
	guint passed_through; /* output memory is the input's: no copy */
	GstMemory *last_in;   /* memory of the element's last input */
	GstVideoInfo info;
};

/* The visible pixels only, copied into GStreamer's own layout: padding
 * and strides differ between pools, the picture must not. */
static void checksum_frame(struct run *r, GstBuffer *buf)
{
	GstVideoFrame src, dst;
	GstBuffer *plain = gst_buffer_new_allocate(NULL, r->info.size, NULL);
	GstMapInfo map;

	gst_buffer_memset(plain, 0, 0, r->info.size);
	assert_true(gst_video_frame_map(&src, &r->info, buf, GST_MAP_READ));
	assert_true(gst_video_frame_map(&dst, &r->info, plain, GST_MAP_WRITE));
	assert_true(gst_video_frame_copy(&dst, &src));
	gst_video_frame_unmap(&dst);
	gst_video_frame_unmap(&src);
	assert_true(gst_buffer_map(plain, &map, GST_MAP_READ));
	r->sums[r->frames] = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(r->sums[r->frames], map.data, (gssize)map.size);
	gst_buffer_unmap(plain, &map);
	gst_buffer_unref(plain);
}

static void on_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad,
		       gpointer data)
{
	struct run *r = data;
	gboolean heap = gst_buffer_n_memory(buf) > 0;

	for (guint i = 0; i < gst_buffer_n_memory(buf); i++)
		heap = heap && gst_is_dmaheap_memory(
				       gst_buffer_peek_memory(buf, i));
	r->heap_buffers += heap;
	r->passed_through += gst_buffer_peek_memory(buf, 0) == r->last_in;
	if (r->frames < FRAMES) {
		checksum_frame(r, buf);
		r->frames++;
	}
}

/* Same streaming thread as the handoff that follows, so no lock. */
static GstPadProbeReturn on_input(GstPad *pad, GstPadProbeInfo *info,
				  gpointer data)
{
	struct run *r = data;

	r->last_in = gst_buffer_peek_memory(GST_PAD_PROBE_INFO_BUFFER(info), 0);
	return GST_PAD_PROBE_OK;
}

static void watch_input(GstElement *p, struct run *r)
{
	GstElement *up = gst_bin_get_by_name(GST_BIN(p), "up");
	GstPad *pad;

	if (!up)
		return;
	pad = gst_element_get_static_pad(up, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_input, r, NULL);
	gst_object_unref(pad);
	gst_object_unref(up);
}

static void run_pipeline(const char *middle, struct run *r)
{
	gchar *desc = g_strdup_printf(
		"videotestsrc num-buffers=%d pattern=smpte ! " CAPS " ! %s "
		"fakesink name=sink signal-handoffs=true sync=false",
		FRAMES, middle);
	GError *err = NULL;
	GstElement *p = gst_parse_launch(desc, &err);
	GstElement *sink;
	GstMessage *msg;
	GstCaps *caps = gst_caps_from_string(CAPS);

	assert_non_null(p);
	assert_true(gst_video_info_from_caps(&r->info, caps));
	gst_caps_unref(caps);
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), r);
	gst_object_unref(sink);
	watch_input(p, r);
	assert_int_not_equal(gst_element_set_state(p, GST_STATE_PLAYING),
			     GST_STATE_CHANGE_FAILURE);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p),
					 60 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	assert_non_null(msg);
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		gchar *dbg = NULL;

		gst_message_parse_error(msg, &err, &dbg);
		fail_msg("%s: %s (%s)", desc, err->message, dbg);
	}
	gst_message_unref(msg);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
	g_free(desc);
}

static void free_run(struct run *r)
{
	for (guint i = 0; i < r->frames; i++)
		g_checksum_free(r->sums[i]);
}

static void compare(const char *middle, guint passed_through)
{
	struct run ref = { 0 }, up = { 0 };

	run_pipeline("", &ref);
	run_pipeline(middle, &up);
	assert_int_equal(ref.frames, FRAMES);
	assert_int_equal(up.frames, FRAMES);
	assert_int_equal(ref.heap_buffers, 0);
	assert_int_equal(up.heap_buffers, FRAMES);
	assert_int_equal(up.passed_through, passed_through);
	for (guint i = 0; i < FRAMES; i++)
		assert_string_equal(g_checksum_get_string(ref.sums[i]),
				    g_checksum_get_string(up.sums[i]));
	free_run(&ref);
	free_run(&up);
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_writes_heap),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_plain_caps),
	};

	gsttest_init(&argc, &argv, 0);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
