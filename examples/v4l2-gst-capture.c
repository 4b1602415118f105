/* SPDX-License-Identifier: MIT */
/*
 * v4l2-gst-capture [DEVICE]: a GStreamer capture pipeline whose camera
 * writes straight into DMA-BUF heap buffers.
 *
 *   v4l2src io-mode=dmabuf-import ! video/x-raw,format=YUY2,640x360 !
 *   dmaheapupload heap=system ! fakesink
 *
 * With io-mode=dmabuf-import, v4l2src takes its buffers from downstream:
 * dmaheapupload answers with its pool of heap buffers, the driver writes
 * each frame into one of them (no copy), and dmaheapupload passes them on
 * untouched. The program checks that: every buffer entering dmaheapupload
 * is a dma-buf the kernel says the "system" heap exported (its
 * /proc/self/fdinfo "exp_name"), and the same memory comes out. It reads
 * each frame through gst_buffer_map() (the plugin brackets the CPU
 * access) and prints a checksum.
 *
 * DEVICE: a V4L2 capture node; by default the first vivid one (the
 * kernel's virtual video driver; a camera takes the same pipeline). The
 * plugin must be where GStreamer looks (GST_PLUGIN_PATH, or installed).
 * For a multi-planar device asking for NV12M, add separate-planes=true
 * to dmaheapupload.
 *
 * Exits 0 on success, 1 on failure, 77 when the heap, a vivid capture
 * node or a GStreamer element is missing: as a test, it skips there.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gst/allocators/gstdmabuf.h>
#include <gst/gst.h>
#include <linux/videodev2.h>

#define FRAMES 8

struct count {
	guint in_heap;	  /* buffers entering dmaheapupload in heap memory */
	guint frames;	  /* buffers out */
	guint passed;	  /* ... with the memory that went in */
	GstMemory *last_in;
};

/* The first vivid node that captures single-planar video, into @path. */
static int find_vivid(char *path, size_t len)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		struct v4l2_capability cap = { 0 };
		int fd;

		if (strncmp(e->d_name, "video", 5) != 0)
			continue;
		snprintf(path, len, "/dev/%s", e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		found = ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 &&
			strcmp((const char *)cap.driver, "vivid") == 0 &&
			(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE);
		close(fd);
	}
	if (d)
		closedir(d);
	return found;
}

/* Whether the dma-buf @fd was exported by the heap called @heap: the
 * kernel's own word, from fdinfo. */
static int exported_by(int fd, const char *heap)
{
	char path[64], line[256], want[128];
	FILE *f;
	int yes = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(want, sizeof(want), "exp_name:\t%s\n", heap);
	f = fopen(path, "re");
	while (f && !yes && fgets(line, sizeof(line), f))
		yes = strcmp(line, want) == 0;
	if (f)
		fclose(f);
	return yes;
}

static GstPadProbeReturn on_input(GstPad *pad, GstPadProbeInfo *info,
				  gpointer data)
{
	struct count *c = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMemory *mem = gst_buffer_peek_memory(buf, 0);

	if (gst_is_dmabuf_memory(mem) &&
	    exported_by(gst_dmabuf_memory_get_fd(mem), "system"))
		c->in_heap++;
	c->last_in = mem;
	return GST_PAD_PROBE_OK;
}

static void on_frame(GstElement *sink, GstBuffer *buf, GstPad *pad,
		     gpointer data)
{
	struct count *c = data;
	GstMapInfo map;
	guint32 sum = 0;

	c->passed += gst_buffer_peek_memory(buf, 0) == c->last_in;
	/* CPU reads: the plugin brackets them with begin/end CPU access. */
	if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
		for (gsize i = 0; i < map.size; i++)
			sum = sum * 31 + map.data[i];
		gst_buffer_unmap(buf, &map);
	}
	printf("frame %u: %zu bytes, checksum %08x\n", c->frames,
	       gst_buffer_get_size(buf), sum);
	c->frames++;
}

/* Plays @p to its end; 0, or 1 after printing the error. */
static int play(GstElement *p)
{
	GstMessage *msg;
	int ret = 0;

	if (gst_element_set_state(p, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "the pipeline does not start\n");
		return 1;
	}
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 120 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	if (!msg) {
		fprintf(stderr, "no end of stream in 120 s\n");
		ret = 1;
	} else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		GError *err = NULL;
		gchar *dbg = NULL;

		gst_message_parse_error(msg, &err, &dbg);
		fprintf(stderr, "%s: %s (%s)\n", GST_MESSAGE_SRC_NAME(msg),
			err->message, dbg ? dbg : "");
		g_error_free(err);
		g_free(dbg);
		ret = 1;
	}
	if (msg)
		gst_message_unref(msg);
	gst_element_set_state(p, GST_STATE_NULL);
	return ret;
}

static int have_element(const char *name)
{
	GstElementFactory *f = gst_element_factory_find(name);

	if (!f) {
		printf("SKIP: no GStreamer element %s (%s)\n", name,
		       strcmp(name, "dmaheapupload") == 0 ?
			       "set GST_PLUGIN_PATH to the plugin's directory" :
			       "gstreamer1.0-plugins-good");
		return 0;
	}
	gst_object_unref(f);
	return 1;
}

int main(int argc, char **argv)
{
	struct count c = { 0 };
	char device[5 + sizeof(((struct dirent *)0)->d_name)];
	GstElement *p, *up, *sink;
	GstPad *in;
	gchar *desc;
	int ret;

	gst_init(&argc, &argv);
	if (access("/dev/dma_heap/system", R_OK) != 0) {
		printf("SKIP: no accessible /dev/dma_heap/system\n");
		return 77;
	}
	if (argc > 1)
		snprintf(device, sizeof(device), "%s", argv[1]);
	else if (!find_vivid(device, sizeof(device))) {
		printf("SKIP: no vivid capture node (modprobe vivid)\n");
		return 77;
	}
	if (!have_element("v4l2src") || !have_element("dmaheapupload"))
		return 77;
	/* vivid's webcam input at its default size, 30 frames a second
	 * (v4l2src would ask for the most, 120 at that size). */
	desc = g_strdup_printf(
		"v4l2src device=%s io-mode=dmabuf-import num-buffers=%d ! "
		"video/x-raw,format=YUY2,width=640,height=360,framerate=30/1 ! "
		"dmaheapupload name=up heap=system ! "
		"fakesink name=sink signal-handoffs=true sync=false",
		device, FRAMES);
	printf("%s\n", desc);
	p = gst_parse_launch(desc, NULL);
	g_free(desc);
	if (!p) {
		fprintf(stderr, "cannot make the pipeline\n");
		return 1;
	}
	up = gst_bin_get_by_name(GST_BIN(p), "up");
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	in = gst_element_get_static_pad(up, "sink");
	gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER, on_input, &c, NULL);
	g_signal_connect(sink, "handoff", G_CALLBACK(on_frame), &c);
	ret = play(p);
	printf("%u frames, %u captured into heap buffers, %u passed on "
	       "without a copy\n", c.frames, c.in_heap, c.passed);
	if (ret == 0 &&
	    (c.frames != FRAMES || c.in_heap != FRAMES || c.passed != FRAMES))
		ret = 1;
	gst_object_unref(in);
	gst_object_unref(sink);
	gst_object_unref(up);
	gst_object_unref(p);
	return ret;
}
