/* SPDX-License-Identifier: MIT */
/*
 * The pipeline check shared by the dmaheapupload tests:
 *   videotestsrc num-buffers=60 ! video/x-raw,format=NV12,width=640,
 *   height=480 ! <middle> fakesink
 * For each buffer reaching the sink: whether its memory is all heap
 * memory, whether it is the memory the element named "up" took in (passed
 * through), its GstVideoMeta against GStreamer's layout of the caps, and
 * the checksum of its visible pixels; and whether "up" answered upstream's
 * allocation query with its pool.
 */
#ifndef DMAHEAP_GSTPIPELINE_H
#define DMAHEAP_GSTPIPELINE_H

#include <string.h>

#include <gst/video/video.h>

#include "gsttest.h"
#include "gstdmaheapallocator.h"
#include "gstdmaheappool.h"

#define FRAMES 60
#define CAPS "video/x-raw,format=NV12,width=640,height=480"

struct run {
	GChecksum *sums[FRAMES];
	guint frames;
	guint heap_buffers;
	guint passed_through; /* output memory is the input's: no copy */
	GstMemory *last_in;   /* memory of the element's last input */
	GstVideoInfo info;
	gboolean sink_wants_meta; /* the sink asks for GstVideoMeta */
	guint with_meta;	  /* buffers with a GstVideoMeta */
	guint meta_as_info;	  /* ... whose layout is that of info */
	guint heap_pools_offered; /* "up" answered allocation with its pool */
	guint two_memories;	  /* buffers of two memories (NV12's planes) */
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

/* The meta describes @r->info's layout: the pool's for linear NV12 with
 * GStreamer's rules, whatever the caps said (plain or DMA_DRM). */
static void check_meta(struct run *r, GstBuffer *buf)
{
	GstVideoMeta *m = gst_buffer_get_video_meta(buf);
	gboolean same;

	if (!m)
		return;
	r->with_meta++;
	same = m->format == GST_VIDEO_INFO_FORMAT(&r->info) &&
	       m->width == (guint)GST_VIDEO_INFO_WIDTH(&r->info) &&
	       m->height == (guint)GST_VIDEO_INFO_HEIGHT(&r->info) &&
	       m->n_planes == GST_VIDEO_INFO_N_PLANES(&r->info);
	for (guint i = 0; same && i < m->n_planes; i++)
		same = m->offset[i] == r->info.offset[i] &&
		       m->stride[i] == r->info.stride[i];
	r->meta_as_info += same;
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
	r->two_memories += gst_buffer_n_memory(buf) == 2;
	r->passed_through += gst_buffer_peek_memory(buf, 0) == r->last_in;
	check_meta(r, buf);
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

/* After "up" answered an allocation query: was its pool in the answer? */
static GstPadProbeReturn on_input_query(GstPad *pad, GstPadProbeInfo *info,
					gpointer data)
{
	struct run *r = data;
	GstQuery *q = GST_PAD_PROBE_INFO_QUERY(info);
	GstBufferPool *pool = NULL;

	if (GST_QUERY_TYPE(q) != GST_QUERY_ALLOCATION ||
	    gst_query_get_n_allocation_pools(q) == 0)
		return GST_PAD_PROBE_OK;
	gst_query_parse_nth_allocation_pool(q, 0, &pool, NULL, NULL, NULL);
	r->heap_pools_offered += pool && GST_IS_DMAHEAP_BUFFER_POOL(pool);
	if (pool)
		gst_object_unref(pool);
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
	/* PULL: called once the query is answered, and only if it was. */
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM |
				       GST_PAD_PROBE_TYPE_PULL,
			  on_input_query, r, NULL);
	gst_object_unref(pad);
	gst_object_unref(up);
}

/* A sink that wants video meta, as a DMA_DRM consumer does: fakesink
 * answers no allocation query, so it is answered here. */
static GstPadProbeReturn on_sink_query(GstPad *pad, GstPadProbeInfo *info,
				       gpointer data)
{
	GstQuery *q = GST_PAD_PROBE_INFO_QUERY(info);

	if (GST_QUERY_TYPE(q) != GST_QUERY_ALLOCATION)
		return GST_PAD_PROBE_OK;
	gst_query_add_allocation_meta(q, GST_VIDEO_META_API_TYPE, NULL);
	return GST_PAD_PROBE_HANDLED;
}

static void watch_sink(GstElement *sink, struct run *r)
{
	GstPad *pad = gst_element_get_static_pad(sink, "sink");

	g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), r);
	if (r->sink_wants_meta)
		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
				  on_sink_query, NULL, NULL);
	gst_object_unref(pad);
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
	watch_sink(sink, r);
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

#endif /* DMAHEAP_GSTPIPELINE_H */
