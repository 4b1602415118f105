/* SPDX-License-Identifier: MIT */
/*
 * GStreamer's own V4L2 elements (gstreamer1.0-plugins-good) as judges of
 * the heap buffers, on vivid, the kernel's virtual video driver:
 *
 * capture  v4l2src io-mode=dmabuf-import ! CAPS ! dmaheapupload ! fakesink
 *          vivid writes each frame into a buffer of dmaheapupload's pool
 *          (every buffer v4l2src pushes must be heap memory, passed
 *          through without a copy), and each frame's visible pixels must
 *          hash as those of the same pipeline with v4l2src's own mmap
 *          buffers and no dmaheapupload. YUYV on vivid's single-planar
 *          instance, NV12 on its multi-planar one (v4l2src asks it for
 *          NV12M there: dmaheapupload separate-planes=true gives each
 *          plane its own heap buffer).
 * output   videotestsrc ! CAPS ! dmaheapupload !
 *          v4l2sink io-mode=dmabuf-import: every frame reaches vivid's
 *          output as heap memory, v4l2sink imports it (it has no pool
 *          of its own in that mode) and the stream ends without an error.
 * loop     (argument "loop") the same output, with vivid's HDMI input
 *          connected to its HDMI output: each frame its capture node
 *          shows must hash as the pattern sent.
 *
 * Built against GStreamer >= 1.24 (Debian 13's 1.26, tests/trixie/), each
 * also runs with DMA_DRM caps out of dmaheapupload.
 *
 * vivid draws a text overlay with a frame counter and the time: it is
 * turned off, so that every frame of its 75% colour bars is the same and
 * two runs can be compared frame by frame.
 *
 * Suite 'kernel' (the VM loads vivid with a multi-planar second
 * instance); without vivid, or without GStreamer's v4l2 plugin, exits 77.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gst/video/video.h>
#include <linux/v4l2-dv-timings.h>
#include <linux/videodev2.h>

#include "gsttest.h"
#include "kv4l2.h"
#include "gstdmaheapallocator.h"

#if GST_CHECK_VERSION(1, 24, 0)
#include <gst/video/video-info-dma.h>
#define HAVE_DMA_DRM 1
#endif

#define FRAMES 16
/* vivid's OSD: 0 all text, 1 counters only, 2 none. */
#define OSD_NONE 2

struct run {
	GChecksum *sums[FRAMES];
	guint frames;
	gint heap_in; /* buffers into "up" (or v4l2sink) that are heap memory */
	guint passed_through; /* out of "up" as the memory that came in */
	GstMemory *last_in;
	GstVideoInfo info; /* of the sink's caps, at its first buffer */
	gboolean have_info;
};

struct vivid {
	char path[PATH_MAX];
	guint width, height;
};

/* Sets vivid's control called @name (they have no fixed ids in the
 * UAPI headers). */
static void set_ctrl(int fd, const char *name, int value)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (kt_v4l2_ioctl(fd, VIDIOC_QUERYCTRL, &q) == 0) {
		if (strcmp((const char *)q.name, name) == 0) {
			struct v4l2_control c = { .id = q.id, .value = value };

			assert_int_equal(kt_v4l2_ioctl(fd, VIDIOC_S_CTRL, &c),
					 0);
			return;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	fail_msg("vivid has no control \"%s\"", name);
}

/*
 * The HDMI timings of the loop (see output_loop()): 720p at 24 Hz, not
 * vivid's 60, so that an emulated CPU has fewer frames to draw, copy and
 * hash. The rate does not avoid vivid's negative schedule_timeout() (it
 * was logged at 60 and at 24 Hz): the preemption model does, see "-loop"
 * in meson.build.
 */
#pragma GCC diagnostic push
/* The UAPI header's macro leaves the newer fields (hdmi_vic) to zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static struct v4l2_dv_timings loop_timings = V4L2_DV_BT_CEA_1280X720P24;
#pragma GCC diagnostic pop

/* vivid's first output is S-Video, PAL: interlaced, which GStreamer
 * 1.26's v4l2sink refuses for progressive caps. Its HDMI output is
 * progressive. The choice stays with the device after close(). */
static void select_hdmi_output(int fd)
{
	struct v4l2_output o = { 0 };

	while (kt_v4l2_ioctl(fd, VIDIOC_ENUMOUTPUT, &o) == 0) {
		if (strstr((const char *)o.name, "HDMI")) {
			int index = (int)o.index;

			assert_int_equal(
				kt_v4l2_ioctl(fd, VIDIOC_S_OUTPUT, &index), 0);
			assert_int_equal(kt_v4l2_ioctl(fd, VIDIOC_S_DV_TIMINGS,
						       &loop_timings),
					 0);
			return;
		}
		o.index++;
	}
	fail_msg("vivid has no HDMI output");
}

/* The node of the first vivid device with @cap, its current size, and,
 * for capture, the overlay off. Exits 77 when there is none. */
static struct vivid find_vivid(uint32_t cap)
{
	int fd = kt_open_vivid(cap);
	struct vivid v = { .path = "" };
	struct v4l2_format f = { 0 };
	char link[64];
	ssize_t n;

	if (fd < 0) {
		printf("SKIP: no vivid node with capability 0x%x among "
		       "/dev/video*\n", cap);
		exit(77);
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, v.path, sizeof(v.path) - 1);
	assert_true(n > 0);
	v.path[n] = '\0';
	f.type = cap == V4L2_CAP_VIDEO_CAPTURE_MPLANE ?
			 V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE :
		 cap == V4L2_CAP_VIDEO_OUTPUT ? V4L2_BUF_TYPE_VIDEO_OUTPUT :
						V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (cap == V4L2_CAP_VIDEO_OUTPUT)
		select_hdmi_output(fd);
	assert_int_equal(kt_v4l2_ioctl(fd, VIDIOC_G_FMT, &f), 0);
	if (f.type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		v.width = f.fmt.pix_mp.width;
		v.height = f.fmt.pix_mp.height;
	} else {
		v.width = f.fmt.pix.width;
		v.height = f.fmt.pix.height;
	}
	if (cap != V4L2_CAP_VIDEO_OUTPUT)
		set_ctrl(fd, "OSD Text Mode", OSD_NONE);
	close(fd);
	printf("vivid: %s, %ux%u\n", v.path, v.width, v.height);
	return v;
}

/* Plain caps, or DMA_DRM ones (GStreamer >= 1.24). */
static gboolean info_from_caps(GstVideoInfo *info, GstCaps *caps)
{
#ifdef HAVE_DMA_DRM
	if (gst_video_is_dma_drm_caps(caps)) {
		GstVideoInfoDmaDrm drm;

		return gst_video_info_dma_drm_from_caps(&drm, caps) &&
		       gst_video_info_dma_drm_to_video_info(&drm, info);
	}
#endif
	return gst_video_info_from_caps(info, caps);
}

/* The visible pixels only, copied into GStreamer's own layout: strides
 * and padding differ between pools, the picture must not. */
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

static gboolean all_heap(GstBuffer *buf)
{
	guint n = gst_buffer_n_memory(buf);

	for (guint i = 0; i < n; i++)
		if (!gst_is_dmaheap_memory(gst_buffer_peek_memory(buf, i)))
			return FALSE;
	return n > 0;
}

static void on_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad,
		       gpointer data)
{
	struct run *r = data;

	if (!r->have_info) {
		GstCaps *caps = gst_pad_get_current_caps(pad);

		assert_non_null(caps);
		assert_true(info_from_caps(&r->info, caps));
		gst_caps_unref(caps);
		r->have_info = TRUE;
	}
	r->passed_through += gst_buffer_peek_memory(buf, 0) == r->last_in;
	if (r->frames < FRAMES) {
		checksum_frame(r, buf);
		r->frames++;
	}
}

/* What the V4L2 element gives "up" (capture) or takes from it (output):
 * same streaming thread as the handoff, so no lock. */
static GstPadProbeReturn on_heap_side(GstPad *pad, GstPadProbeInfo *info,
				      gpointer data)
{
	struct run *r = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

	if (all_heap(buf))
		g_atomic_int_inc(&r->heap_in);
	r->last_in = gst_buffer_peek_memory(buf, 0);
	return GST_PAD_PROBE_OK;
}

static void watch(GstElement *p, const char *element, const char *pad_name,
		  struct run *r)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(p), element);
	GstPad *pad;

	assert_non_null(e);
	pad = gst_element_get_static_pad(e, pad_name);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_heap_side, r,
			  NULL);
	gst_object_unref(pad);
	gst_object_unref(e);
}

/* Parses @desc and sets it playing. Buffers into "up" (capture) or into
 * "sink" when it is v4l2sink (output) are watched. */
static GstElement *start_pipeline(const char *desc, struct run *r)
{
	GError *err = NULL;
	GstElement *p = gst_parse_launch(desc, &err);
	GstElement *sink;

	if (!p || err)
		fail_msg("%s: %s", desc, err ? err->message : "?");
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	if (g_strcmp0(G_OBJECT_TYPE_NAME(sink), "GstFakeSink") == 0) {
		g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), r);
		if (strstr(desc, "name=up"))
			watch(p, "up", "sink", r);
	} else {
		watch(p, "sink", "sink", r);
	}
	gst_object_unref(sink);
	assert_int_not_equal(gst_element_set_state(p, GST_STATE_PLAYING),
			     GST_STATE_CHANGE_FAILURE);
	return p;
}

/* Stops @p after its end of stream, or at once with @timeout 0; fails on
 * an error message. */
static void stop_pipeline(GstElement *p, const char *desc,
			  GstClockTime timeout)
{
	GstMessage *msg = gst_bus_timed_pop_filtered(
		GST_ELEMENT_BUS(p), timeout,
		GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	GError *err = NULL;
	gchar *dbg = NULL;

	if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &err, &dbg);
	/* Stopped before any assert: the next case needs the device. */
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
	if (!msg && timeout)
		fail_msg("%s: no end of stream in 120 s", desc);
	if (msg)
		gst_message_unref(msg);
	if (err)
		fail_msg("%s: %s (%s)", desc, err->message, dbg);
}

/* The current caps of @element's @pad in @p, as a string. */
static gchar *element_caps(GstElement *p, const char *element,
			   const char *pad_name)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(p), element);
	GstPad *pad = gst_element_get_static_pad(e, pad_name);
	GstCaps *caps = gst_pad_get_current_caps(pad);
	gchar *str;

	assert_non_null(caps);
	str = gst_caps_to_string(caps);
	gst_caps_unref(caps);
	gst_object_unref(pad);
	gst_object_unref(e);
	return str;
}

/* Plays @desc to its end. */
static void run_pipeline(const char *desc, struct run *r)
{
	stop_pipeline(start_pipeline(desc, r), desc, 120 * GST_SECOND);
}

static void free_run(struct run *r)
{
	for (guint i = 0; i < r->frames; i++)
		g_checksum_free(r->sums[i]);
}

/*
 * The capture check on vivid's node with @cap, in @format; @out_caps is
 * what follows dmaheapupload ("" or caps and a "!").
 */
static void capture(uint32_t cap, const char *format, const char *out_caps)
{
	/* A multi-planar device imports NV12 as NV12M: a dma-buf a plane. */
	const char *planes = cap == V4L2_CAP_VIDEO_CAPTURE_MPLANE ?
				     " separate-planes=true" : "";
	struct vivid v = find_vivid(cap);
	struct run ref = { 0 }, up = { 0 }, blank = { 0 };
	/* 30 frames a second, not the 120 v4l2src would pick: vivid's
	 * thread must keep up under emulation (see loop_timings). */
	gchar *caps = g_strdup_printf("video/x-raw,format=%s,width=%u,"
				      "height=%u,framerate=30/1", format,
				      v.width, v.height);
	gchar *ref_desc = g_strdup_printf(
		"v4l2src device=%s io-mode=mmap num-buffers=%d ! %s ! "
		"fakesink name=sink signal-handoffs=true sync=false",
		v.path, FRAMES, caps);
	gchar *up_desc = g_strdup_printf(
		"v4l2src device=%s io-mode=dmabuf-import num-buffers=%d ! "
		"%s ! dmaheapupload name=up heap=system%s ! %s "
		"fakesink name=sink signal-handoffs=true sync=false",
		v.path, FRAMES, caps, planes, out_caps);
	/* The same size and format, all zero: what a frame vivid never
	 * wrote looks like in a fresh heap buffer. */
	gchar *blank_desc = g_strdup_printf(
		"videotestsrc num-buffers=1 pattern=black ! %s ! "
		"fakesink name=sink signal-handoffs=true sync=false",
		caps);

	printf("capture: %s%s\n", caps,
	       *out_caps ? ", DMA_DRM out" : "");
	run_pipeline(ref_desc, &ref);
	run_pipeline(up_desc, &up);
	run_pipeline(blank_desc, &blank);
	assert_int_equal(ref.frames, FRAMES);
	assert_int_equal(up.frames, FRAMES);
	/* vivid wrote into the element's pool, and nothing was copied. */
	assert_int_equal(up.heap_in, FRAMES);
	assert_int_equal(up.passed_through, FRAMES);
	/* vivid drew a picture: not the black of an untouched buffer. */
	assert_string_not_equal(g_checksum_get_string(ref.sums[0]),
				g_checksum_get_string(blank.sums[0]));
	for (guint i = 0; i < FRAMES; i++)
		assert_string_equal(g_checksum_get_string(ref.sums[i]),
				    g_checksum_get_string(up.sums[i]));
	free_run(&ref);
	free_run(&up);
	free_run(&blank);
	g_free(blank_desc);
	g_free(up_desc);
	g_free(ref_desc);
	g_free(caps);
}

/* Index of the item called @item in menu control @id. */
static int menu_index(int fd, uint32_t id, const char *item)
{
	struct v4l2_querymenu m = { .id = id };

	for (m.index = 0; m.index < 64; m.index++)
		if (kt_v4l2_ioctl(fd, VIDIOC_QUERYMENU, &m) == 0 &&
		    strcmp((const char *)m.name, item) == 0)
			return (int)m.index;
	fail_msg("no menu item \"%s\"", item);
	return -1;
}

/* Sets menu control @name of @fd to its item @item. */
static void set_menu(int fd, const char *name, const char *item)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (kt_v4l2_ioctl(fd, VIDIOC_QUERYCTRL, &q) == 0) {
		if (strcmp((const char *)q.name, name) == 0) {
			set_ctrl(fd, name, menu_index(fd, q.id, item));
			return;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	fail_msg("vivid has no control \"%s\"", name);
}

/*
 * vivid's loop: the capture node @cap shows what is queued to the output
 * node @out, when its HDMI input is "connected to" that HDMI output and
 * both have the same timings, format and field. Returns the capture node
 * for v4l2src.
 */
static struct vivid connect_loop(const struct vivid *out)
{
	struct vivid cap = find_vivid(V4L2_CAP_VIDEO_CAPTURE);
	int cfd = open(cap.path, O_RDWR | O_CLOEXEC);
	int ofd = open(out->path, O_RDWR | O_CLOEXEC);
	struct v4l2_output o = { 0 };
	struct v4l2_input in = { 0 };
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	char ctrl[64], item[64];
	int index;

	assert_true(cfd >= 0 && ofd >= 0);
	assert_int_equal(kt_v4l2_ioctl(ofd, VIDIOC_G_OUTPUT, &index), 0);
	o.index = (uint32_t)index;
	assert_int_equal(kt_v4l2_ioctl(ofd, VIDIOC_ENUMOUTPUT, &o), 0);
	while (kt_v4l2_ioctl(cfd, VIDIOC_ENUMINPUT, &in) == 0 &&
	       !strstr((const char *)in.name, "HDMI"))
		in.index++;
	assert_non_null(strstr((const char *)in.name, "HDMI"));
	index = (int)in.index;
	assert_int_equal(kt_v4l2_ioctl(cfd, VIDIOC_S_INPUT, &index), 0);
	assert_int_equal(kt_v4l2_ioctl(cfd, VIDIOC_S_DV_TIMINGS, &loop_timings),
			 0);
	snprintf(ctrl, sizeof(ctrl), "%s Is Connected To", in.name);
	snprintf(item, sizeof(item), "Output %s", o.name);
	set_menu(cfd, ctrl, item);
	set_ctrl(cfd, "OSD Text Mode", OSD_NONE);
	assert_int_equal(kt_v4l2_ioctl(cfd, VIDIOC_G_FMT, &f), 0);
	cap.width = f.fmt.pix.width;
	cap.height = f.fmt.pix.height;
	printf("loop: %s (%s) -> %s (%s), %ux%u\n", out->path, o.name,
	       cap.path, in.name, cap.width, cap.height);
	assert_int_equal(cap.width, out->width);
	assert_int_equal(cap.height, out->height);
	close(ofd);
	close(cfd);
	return cap;
}

/*
 * @mid_caps: what follows dmaheapupload ("" or caps and a "!"). Heap
 * buffers of the SMPTE 75% bars (without the noise field of "smpte",
 * which differs in every frame) go out to vivid; through its loop, what
 * its capture node shows must be that pattern, frame for frame.
 */
static void output_loop(const char *mid_caps)
{
	struct vivid v = find_vivid(V4L2_CAP_VIDEO_OUTPUT);
	struct vivid cap = connect_loop(&v);
	struct run out = { 0 }, ref = { 0 }, seen = { 0 };
	gchar *caps = g_strdup_printf("video/x-raw,format=YUY2,width=%u,"
				      "height=%u", v.width, v.height);
	gchar *out_desc = g_strdup_printf(
		"videotestsrc is-live=true pattern=smpte75 ! %s,framerate=30/1 ! "
		"dmaheapupload name=up heap=system ! %s v4l2sink name=sink "
		"device=%s io-mode=dmabuf-import sync=false",
		caps, mid_caps, v.path);
	gchar *cap_desc = g_strdup_printf(
		"v4l2src device=%s io-mode=mmap num-buffers=%d ! %s ! "
		"fakesink name=sink signal-handoffs=true sync=false",
		cap.path, FRAMES, caps);
	gchar *ref_desc, *negotiated;
	GstElement *p;
	guint same = 0;

	printf("output: YUY2%s\n", *mid_caps ? ", DMA_DRM" : "");
	p = start_pipeline(out_desc, &out);
	/* vivid loops only while its output streams. */
	for (int i = 0; i < 600 && g_atomic_int_get(&out.heap_in) < 4; i++)
		g_usleep(50 * 1000);
	assert_true(g_atomic_int_get(&out.heap_in) >= 4);
	/* videotestsrc draws in the colorimetry v4l2sink chose: the
	 * reference frame must be drawn in the same. */
	negotiated = element_caps(p, "up", "sink");
	ref_desc = g_strdup_printf(
		"videotestsrc num-buffers=1 pattern=smpte75 ! %s ! "
		"fakesink name=sink signal-handoffs=true", negotiated);
	run_pipeline(cap_desc, &seen);
	stop_pipeline(p, out_desc, 0);
	run_pipeline(ref_desc, &ref);
	assert_int_equal(seen.frames, FRAMES);
	for (guint i = 0; i < FRAMES; i++)
		same += strcmp(g_checksum_get_string(ref.sums[0]),
			       g_checksum_get_string(seen.sums[i])) == 0;
	printf("%d heap buffers out, %u of %d frames looped back equal\n",
	       out.heap_in, same, FRAMES);
	assert_int_equal(same, FRAMES);
	free_run(&ref);
	free_run(&seen);
	g_free(cap_desc);
	g_free(ref_desc);
	g_free(negotiated);
	g_free(out_desc);
	g_free(caps);
}

/* @mid_caps: as above. The frames are not looked at: every one must
 * reach v4l2sink as heap memory, which it imports, and the stream end
 * without an error. */
static void output(const char *mid_caps)
{
	struct vivid v = find_vivid(V4L2_CAP_VIDEO_OUTPUT);
	struct run r = { 0 };
	gchar *desc = g_strdup_printf(
		"videotestsrc num-buffers=%d pattern=smpte75 ! "
		"video/x-raw,format=YUY2,width=%u,height=%u ! "
		"dmaheapupload heap=system ! %s v4l2sink name=sink "
		"device=%s io-mode=dmabuf-import sync=false",
		FRAMES, v.width, v.height, mid_caps, v.path);

	printf("output: YUY2%s\n", *mid_caps ? ", DMA_DRM" : "");
	run_pipeline(desc, &r);
	assert_int_equal(r.heap_in, FRAMES);
	g_free(desc);
}

static void test_capture_yuyv(void **state)
{
	(void)state;
	capture(V4L2_CAP_VIDEO_CAPTURE, "YUY2", "");
}

static void test_capture_nv12_mplane(void **state)
{
	(void)state;
	capture(V4L2_CAP_VIDEO_CAPTURE_MPLANE, "NV12", "");
}

static void test_output_yuyv(void **state)
{
	(void)state;
	output("");
}

static void test_output_loop_yuyv(void **state)
{
	(void)state;
	output_loop("");
}

#ifdef HAVE_DMA_DRM
#define DRM_CAPS(f) "video/x-raw(memory:DMABuf),format=DMA_DRM,drm-format=" f " !"

static void test_capture_yuyv_drm(void **state)
{
	(void)state;
	capture(V4L2_CAP_VIDEO_CAPTURE, "YUY2", DRM_CAPS("YUYV"));
}

static void test_capture_nv12_mplane_drm(void **state)
{
	(void)state;
	capture(V4L2_CAP_VIDEO_CAPTURE_MPLANE, "NV12", DRM_CAPS("NV12"));
}

static void test_output_yuyv_drm(void **state)
{
	(void)state;
	output(DRM_CAPS("YUYV"));
}

static void test_output_loop_yuyv_drm(void **state)
{
	(void)state;
	output_loop(DRM_CAPS("YUYV"));
}
#endif

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_yuyv),
		cmocka_unit_test(test_output_yuyv),
#ifdef HAVE_DMA_DRM
		cmocka_unit_test(test_capture_yuyv_drm),
		cmocka_unit_test(test_output_yuyv_drm),
#endif
	};
	/* Apart: see "-multiplanar" in tests/consumers/meson.build. */
	const struct CMUnitTest multiplanar[] = {
		cmocka_unit_test(test_capture_nv12_mplane),
#ifdef HAVE_DMA_DRM
		cmocka_unit_test(test_capture_nv12_mplane_drm),
#endif
	};
	/* Apart: see "loop" in tests/consumers/meson.build. */
	const struct CMUnitTest loop[] = {
		cmocka_unit_test(test_output_loop_yuyv),
#ifdef HAVE_DMA_DRM
		cmocka_unit_test(test_output_loop_yuyv_drm),
#endif
	};
	const char *group = argc > 1 ? argv[argc - 1] : "";
	gchar *version;

	gsttest_init(&argc, &argv, 0);
	if (gsttest_mock()) {
		printf("SKIP: needs vivid, not the mock\n");
		return 77;
	}
	gsttest_load(GST_PLUGINS_DIR "/libgstvideo4linux2.so");
	version = gst_version_string();
	printf("%s\n", version);
	g_free(version);
	if (strcmp(group, "multiplanar") == 0)
		return cmocka_run_group_tests(multiplanar, NULL, NULL);
	if (strcmp(group, "loop") == 0)
		return cmocka_run_group_tests(loop, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
