/* SPDX-License-Identifier: MIT */
/*
 * Heap buffers from a GStreamer pipeline handed to a device: every frame
 * dmaheapupload puts out (videotestsrc, YUY2 at vivid's output size) is
 * queued to vivid's video output node with V4L2_MEMORY_DMABUF and
 * dequeued again once vivid has consumed it, without an error flag (all
 * but the last, which vivid keeps showing until STREAMOFF gives it back).
 * GStreamer's own v4l2 elements (gstreamer1.0-plugins-good) are not
 * installed here, so the V4L2 side is this program's. Built against
 * GStreamer >= 1.24 it runs a second time with DMA_DRM caps
 * (drm-format=YUYV) out of the element.
 *
 * Suite 'kernel' (the VM loads vivid); elsewhere it exits 77.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gst/allocators/gstdmabuf.h>
#include <linux/videodev2.h>

#include "gsttest.h"
#include "kv4l2.h"
#include "gstdmaheapallocator.h"

#define FRAMES 30
#define SLOTS 4
/* vivid under TCG emulation is slow; bounded all the same. */
#define FRAME_TIMEOUT_MS 10000

struct out {
	int fd;
	struct v4l2_format fmt;
	guint queued;
	guint done;
	guint errors;
	gboolean streaming;
	/* Buffers the device holds, by V4L2 index: vivid starts streaming
	 * only with two queued, so several are in flight. */
	GstBuffer *held[SLOTS];
	guint in_flight;
	/* The first failure in the streaming thread, where cmocka's asserts
	 * cannot run; checked by the test afterwards. */
	gchar *fail;
};

static void fail_once(struct out *o, const char *what, int err)
{
	if (!o->fail)
		o->fail = g_strdup_printf("%s: %s", what, g_strerror(-err));
}

/* YUYV at whatever size vivid's output keeps; its stride must be the
 * tight one, which is the pool's layout for YUY2. */
static void set_format(struct out *o)
{
	struct v4l2_requestbuffers req = {
		.count = SLOTS,
		.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
		.memory = V4L2_MEMORY_DMABUF,
	};

	memset(&o->fmt, 0, sizeof(o->fmt));
	o->fmt.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	assert_int_equal(kt_v4l2_ioctl(o->fd, VIDIOC_G_FMT, &o->fmt), 0);
	o->fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	o->fmt.fmt.pix.field = V4L2_FIELD_NONE;
	o->fmt.fmt.pix.bytesperline = 0;
	assert_int_equal(kt_v4l2_ioctl(o->fd, VIDIOC_S_FMT, &o->fmt), 0);
	if (o->fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV) {
		printf("SKIP: vivid's output refuses YUYV\n");
		exit(77);
	}
	assert_int_equal(o->fmt.fmt.pix.bytesperline,
			 GST_ROUND_UP_4(o->fmt.fmt.pix.width * 2));
	assert_int_equal(kt_v4l2_ioctl(o->fd, VIDIOC_REQBUFS, &req), 0);
	assert_true(req.count >= 1);
}

static void dequeue_one(struct out *o)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct pollfd p = { .fd = o->fd, .events = POLLOUT };
	int r = poll(&p, 1, FRAME_TIMEOUT_MS);

	if (r != 1) {
		fail_once(o, "poll for a consumed buffer", r < 0 ? -errno
								 : -ETIMEDOUT);
		return;
	}
	r = kt_v4l2_ioctl(o->fd, VIDIOC_DQBUF, &b);
	if (r < 0 || b.index >= SLOTS || !o->held[b.index]) {
		fail_once(o, "VIDIOC_DQBUF", r < 0 ? r : -EINVAL);
		return;
	}
	o->errors += !!(b.flags & V4L2_BUF_FLAG_ERROR);
	gst_buffer_unref(o->held[b.index]);
	o->held[b.index] = NULL;
	o->in_flight--;
	o->done++;
}

static guint free_slot(const struct out *o)
{
	guint i = 0;

	while (i < SLOTS && o->held[i])
		i++;
	return i;
}

/* The device reads the buffer until it is dequeued; the reference held
 * meanwhile keeps it from the pool. */
static void on_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad,
		       gpointer data)
{
	struct out *o = data;
	GstMemory *mem = gst_buffer_peek_memory(buf, 0);
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
		.memory = V4L2_MEMORY_DMABUF,
		.field = V4L2_FIELD_NONE,
	};
	int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	int r;

	if (o->fail)
		return;
	if (gst_buffer_n_memory(buf) != 1 || !gst_is_dmaheap_memory(mem)) {
		fail_once(o, "output buffer is not one heap memory", -EINVAL);
		return;
	}
	if (o->in_flight == SLOTS)
		dequeue_one(o);
	if (o->fail)
		return;
	b.index = free_slot(o);
	b.m.fd = gst_dmabuf_memory_get_fd(mem);
	b.length = (guint32)mem->maxsize;
	b.bytesused = o->fmt.fmt.pix.sizeimage;
	r = kt_v4l2_ioctl(o->fd, VIDIOC_QBUF, &b);
	if (r < 0) {
		fail_once(o, "VIDIOC_QBUF", r);
		return;
	}
	o->held[b.index] = gst_buffer_ref(buf);
	o->in_flight++;
	o->queued++;
	if (!o->streaming) {
		r = kt_v4l2_ioctl(o->fd, VIDIOC_STREAMON, &type);
		if (r < 0) {
			fail_once(o, "VIDIOC_STREAMON", r);
			return;
		}
		o->streaming = TRUE;
	}
}

/* @caps: what follows dmaheapupload, "" or caps and a "!". */
static void run_vivid(const char *caps)
{
	struct out o = { .fd = kt_open_vivid(V4L2_CAP_VIDEO_OUTPUT) };
	int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	GstElement *p, *sink;
	GstMessage *msg;
	gchar *desc;

	if (o.fd < 0) {
		printf("SKIP: no vivid output node among /dev/video*\n");
		exit(77);
	}
	set_format(&o);
	desc = g_strdup_printf(
		"videotestsrc num-buffers=%d ! video/x-raw,format=YUY2,"
		"width=%u,height=%u ! dmaheapupload heap=system ! %s fakesink "
		"name=sink signal-handoffs=true sync=false",
		FRAMES, o.fmt.fmt.pix.width, o.fmt.fmt.pix.height, caps);
	p = gst_parse_launch(desc, NULL);
	assert_non_null(p);
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), &o);
	gst_object_unref(sink);
	assert_int_not_equal(gst_element_set_state(p, GST_STATE_PLAYING),
			     GST_STATE_CHANGE_FAILURE);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 120 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	assert_non_null(msg);
	assert_int_equal(GST_MESSAGE_TYPE(msg), GST_MESSAGE_EOS);
	gst_message_unref(msg);
	/* vivid shows the last frame until another comes: that one is
	 * given back by STREAMOFF, not by DQBUF. */
	while (o.in_flight > 1 && !o.fail)
		dequeue_one(&o);
	kt_v4l2_ioctl(o.fd, VIDIOC_STREAMOFF, &type);
	for (guint i = 0; i < SLOTS; i++)
		gst_clear_buffer(&o.held[i]);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
	g_free(desc);
	printf("vivid output %ux%u (sizeimage %u): %u frames queued, %u "
	       "dequeued, %u with errors; %s\n", o.fmt.fmt.pix.width,
	       o.fmt.fmt.pix.height, o.fmt.fmt.pix.sizeimage, o.queued,
	       o.done, o.errors, o.fail ? o.fail : "no failure");
	assert_null(o.fail);
	assert_int_equal(o.queued, FRAMES);
	assert_int_equal(o.done, FRAMES - 1);
	assert_int_equal(o.errors, 0);
	close(o.fd);
}

static void test_vivid_output(void **state)
{
	run_vivid("");
}

#if GST_CHECK_VERSION(1, 24, 0)
/* The element's output as DMA_DRM caps: the same linear buffers. */
static void test_vivid_output_drm(void **state)
{
	run_vivid("video/x-raw(memory:DMABuf),format=DMA_DRM,"
		  "drm-format=YUYV !");
}
#endif

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vivid_output),
#if GST_CHECK_VERSION(1, 24, 0)
		cmocka_unit_test(test_vivid_output_drm),
#endif
	};

	gsttest_init(&argc, &argv, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
