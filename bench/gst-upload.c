/* SPDX-License-Identifier: MIT */
/*
 * dmaheap-gst-bench: dmaheapupload's copy against the physical limit.
 *
 * For NV12 at 1080p and 4K, in one run:
 *   memcpy   one memcpy of a frame's bytes between two heap buffers
 *            mapped once: what the memory can do. At 1080p the two
 *            (6 MB) may stay in the CPU's cache.
 *   rotating one memcpy of a frame from system memory into as many heap
 *            buffers, in turn, as the element's pool used ("bufs"): the
 *            same bytes the element moves, with its cache footprint.
 *   upload   system-memory frames pushed into dmaheapupload ! fakesink:
 *            frames per second and GB/s of frames copied into heap
 *            buffers, the element's map, CPU-access bracketing and copy
 *            included.
 *   through  frames already in heap memory pushed into dmaheapupload !
 *            fakesink: every buffer must come out with the memory it
 *            came in with (no byte copied); the count is printed, and a
 *            buffer copied makes the run fail.
 * Frames are pushed from the measuring thread (bench_push()). Rates are
 * per second of CPU time (see now()). The three alternate in
 * short rounds (about 250 MB of frames each) on
 * pipelines kept playing, and each figure is the best of --rounds rounds
 * (default 20): on a shared machine the best round is the one least
 * disturbed, and interleaving gives each measurement the same chances.
 * The ratio upload/memcpy ("ratio") is the figure of merit; "ratio2" is
 * upload/rotating.
 *
 * Output: a table on stdout and, with --dat FILE, a gnuplot data file
 * (bench/gst-plot.gp). A benchmark, never a test: nothing here asserts a
 * time.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gst/video/video.h>

#include "dmaheap.h"
#include "gstdmaheapallocator.h"
#include "gstdmaheapregister.h"

struct size {
	const char *name;
	guint width, height;
};

struct result {
	double fps, gbps;
	guint frames, copied; /* through: buffers that did not pass as is */
};

/*
 * CPU time of the whole process (every thread: for the pipeline, the
 * pushing thread and the streaming thread that copies), not wall time:
 * on a machine shared with other work, time spent waiting for a CPU is
 * not the copy's. On an idle machine the two agree for memcpy.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Two heap buffers of a frame's size, mapped once and resident. */
struct copy_pair {
	struct dmaheap_buf *a, *b;
	void *pa, *pb;
	gsize size;
};

static void pair_open(struct dmaheap_ctx *ctx, gsize size,
		      struct copy_pair *c)
{
	c->size = size;
	if (dmaheap_alloc(ctx, "system", size, 0, &c->a) ||
	    dmaheap_alloc(ctx, "system", size, 0, &c->b) ||
	    dmaheap_buf_map(c->a, &c->pa) || dmaheap_buf_map(c->b, &c->pb)) {
		fprintf(stderr, "heap buffers of %zu bytes: failed\n", size);
		exit(1);
	}
	memset(c->pa, 0x55, size);
	memset(c->pb, 0xaa, size);
}

static void pair_close(struct copy_pair *c)
{
	dmaheap_buf_unmap(c->a);
	dmaheap_buf_unmap(c->b);
	dmaheap_buf_free(c->a);
	dmaheap_buf_free(c->b);
}

/* @n memcpys of a frame between the two buffers. */
static struct result bench_memcpy(struct copy_pair *c, guint n)
{
	struct result r = { .frames = n };
	double t0 = now(), t;

	for (guint i = 0; i < n; i++)
		memcpy(c->pb, c->pa, c->size);
	t = now() - t0;
	r.fps = n / t;
	r.gbps = r.fps * (double)c->size / 1e9;
	return r;
}

/* Destinations a rotating memcpy may use. */
#define MAX_DST 16

/* Heap buffers to copy a system-memory frame into in turn, as the
 * element's pool hands its buffers out. */
struct rotation {
	struct dmaheap_buf *dst[MAX_DST];
	void *p[MAX_DST];
	guint n;
	guint8 *src;
	gsize size;
};

static void rotation_open(struct dmaheap_ctx *ctx, gsize size, guint n,
			  struct rotation *r)
{
	r->n = MAX(1, MIN(n, MAX_DST));
	r->size = size;
	r->src = g_malloc(size);
	memset(r->src, 0x55, size);
	for (guint i = 0; i < r->n; i++) {
		if (dmaheap_alloc(ctx, "system", size, 0, &r->dst[i]) ||
		    dmaheap_buf_map(r->dst[i], &r->p[i])) {
			fprintf(stderr, "heap buffer of %zu bytes: failed\n",
				size);
			exit(1);
		}
		memset(r->p[i], 0xaa, size);
	}
}

static void rotation_close(struct rotation *r)
{
	for (guint i = 0; i < r->n; i++) {
		dmaheap_buf_unmap(r->dst[i]);
		dmaheap_buf_free(r->dst[i]);
	}
	g_free(r->src);
}

/* @n memcpys of a frame from system memory into the buffers in turn. */
static struct result bench_rotation(struct rotation *r, guint n)
{
	struct result res = { .frames = n };
	double t0 = now(), t;

	for (guint i = 0; i < n; i++)
		memcpy(r->p[i % r->n], r->src, r->size);
	t = now() - t0;
	res.fps = n / t;
	res.gbps = res.fps * (double)r->size / 1e9;
	return res;
}

/* Our pad ! dmaheapupload ! fakesink, playing; counts what comes out and
 * whether it is the memory that went in (one thread: no atomics). */
struct pipeline {
	GstElement *p, *up;
	GstPad *src;
	GstMemory *last_in;
	gint out, same;
	GstMemory *seen[MAX_DST]; /* distinct memories out, streaming thread */
	guint n_seen;
};

static GstPadProbeReturn on_in(GstPad *pad, GstPadProbeInfo *info,
			       gpointer data)
{
	struct pipeline *pl = data;

	pl->last_in =
		gst_buffer_peek_memory(GST_PAD_PROBE_INFO_BUFFER(info), 0);
	return GST_PAD_PROBE_OK;
}

static void on_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad,
		       gpointer data)
{
	struct pipeline *pl = data;

	GstMemory *mem = gst_buffer_peek_memory(buf, 0);
	guint i = 0;

	while (i < pl->n_seen && pl->seen[i] != mem)
		i++;
	if (i == pl->n_seen && i < MAX_DST)
		pl->seen[pl->n_seen++] = mem;
	pl->same += mem == pl->last_in;
	pl->out++;
}

static void pipeline_start(struct pipeline *pl, GstCaps *caps)
{
	GstElement *sink;
	GstPad *in;
	GstSegment seg;

	memset(pl, 0, sizeof(*pl));
	pl->p = gst_parse_launch("dmaheapupload name=up heap=system ! "
				 "fakesink name=sink sync=false "
				 "signal-handoffs=true", NULL);
	pl->up = gst_bin_get_by_name(GST_BIN(pl->p), "up");
	sink = gst_bin_get_by_name(GST_BIN(pl->p), "sink");
	in = gst_element_get_static_pad(pl->up, "sink");
	pl->src = gst_pad_new("src", GST_PAD_SRC);
	if (gst_pad_link(pl->src, in) != GST_PAD_LINK_OK) {
		fprintf(stderr, "cannot link to dmaheapupload\n");
		exit(1);
	}
	gst_pad_set_active(pl->src, TRUE);
	g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), pl);
	gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER, on_in, pl, NULL);
	gst_element_set_state(pl->p, GST_STATE_PLAYING);
	gst_segment_init(&seg, GST_FORMAT_TIME);
	if (!gst_pad_push_event(pl->src, gst_event_new_stream_start("bench")) ||
	    !gst_pad_push_event(pl->src, gst_event_new_caps(caps)) ||
	    !gst_pad_push_event(pl->src, gst_event_new_segment(&seg))) {
		fprintf(stderr, "dmaheapupload refused %s\n",
			gst_caps_to_string(caps));
		exit(1);
	}
	gst_object_unref(in);
	gst_object_unref(sink);
}

static void pipeline_stop(struct pipeline *pl)
{
	gst_pad_push_event(pl->src, gst_event_new_eos());
	gst_element_set_state(pl->p, GST_STATE_NULL);
	gst_pad_set_active(pl->src, FALSE);
	gst_object_unref(pl->src);
	gst_object_unref(pl->up);
	gst_object_unref(pl->p);
}

/*
 * @frame pushed @n times into the element, from this thread: each push
 * returns once the element has copied (or passed) the frame and fakesink
 * has dropped it, so what is timed is the element's work, without the
 * thread hand-off a source element would add.
 */
static struct result bench_push(struct pipeline *pl, GstBuffer *frame,
				guint n)
{
	gint same0 = pl->same;
	struct result r = { .frames = n };
	double t0 = now(), t;

	for (guint i = 0; i < n; i++) {
		GstFlowReturn ret = gst_pad_push(pl->src, gst_buffer_ref(frame));

		if (ret != GST_FLOW_OK) {
			fprintf(stderr, "push: %s\n", gst_flow_get_name(ret));
			exit(1);
		}
	}
	t = now() - t0;
	r.fps = n / t;
	r.gbps = r.fps * (double)gst_buffer_get_size(frame) / 1e9;
	r.copied = n - (guint)(pl->same - same0);
	return r;
}

/* A frame of @info: in system memory, or in one heap buffer. */
static GstBuffer *make_frame(const GstVideoInfo *info, gboolean heap)
{
	GstAllocator *alloc = heap ? gst_allocator_find("dmaheap") : NULL;
	GstBuffer *buf = gst_buffer_new_allocate(alloc, info->size, NULL);

	if (!buf) {
		fprintf(stderr, "a frame of %zu bytes: failed\n", info->size);
		exit(1);
	}
	gst_buffer_memset(buf, 0, 0x80, info->size);
	gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE,
				       GST_VIDEO_INFO_FORMAT(info),
				       GST_VIDEO_INFO_WIDTH(info),
				       GST_VIDEO_INFO_HEIGHT(info),
				       GST_VIDEO_INFO_N_PLANES(info),
				       (gsize *)info->offset,
				       (gint *)info->stride);
	if (alloc)
		gst_object_unref(alloc);
	return buf;
}

/* The faster of two rounds; buffers copied counted over both. */
/* Frames a round: about 250 MB of them, at least 2. */
static guint frames_for(gsize size)
{
	return MAX(2, (guint)(250000000 / size));
}

static struct result best(struct result a, struct result b)
{
	struct result r = a.fps > b.fps ? a : b;

	r.copied = a.copied + b.copied;
	return r;
}

int main(int argc, char **argv)
{
	static const struct size sizes[] = {
		{ "1080p", 1920, 1080 },
		{ "4K", 3840, 2160 },
	};
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "dat", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int rounds = 20, o, failed = 0;
	const char *dat = NULL, *label = "host";
	struct dmaheap_ctx *ctx;
	FILE *df = NULL;

	while ((o = getopt_long(argc, argv, "r:d:l:h", opts, NULL)) != -1) {
		switch (o) {
		case 'r': rounds = atoi(optarg); break;
		case 'd': dat = optarg; break;
		case 'l': label = optarg; break;
		default:
			printf("usage: %s [--rounds N] "
			       "[--dat FILE] [--label NAME]\n", argv[0]);
			return o == 'h' ? 0 : 2;
		}
	}
	gst_init(&argc, &argv);
	if (!gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR,
					"dmaheap", "libdmaheap", gst_dmaheap_register,
					"0", "MIT/X11", "libdmaheap", "libdmaheap",
					"libdmaheap") ||
	    dmaheap_ctx_new(&ctx)) {
		fprintf(stderr, "no plugin or no libdmaheap context\n");
		return 1;
	}
	if (dat && !(df = fopen(dat, "a"))) {
		perror(dat);
		return 1;
	}
	printf("%-5s %-5s %9s %9s %4s %9s %9s %9s %6s %6s %10s %s\n", "where",
	       "size", "memcpy", "fps", "bufs", "rotating", "upload", "fps",
	       "ratio", "ratio2", "through", "copied");
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		const struct size *sz = &sizes[i];
		struct result m = { 0 }, u = { 0 }, p = { 0 };
		struct pipeline up, thru;
		struct copy_pair pair;
		struct rotation rot;
		struct result mr = { 0 };
		GstVideoInfo info;
		guint n;
		GstBuffer *sys, *heap;
		GstCaps *caps;

		gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12,
					  sz->width, sz->height);
		caps = gst_video_info_to_caps(&info);
		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, 0, 1,
				    NULL);
		sys = make_frame(&info, FALSE);
		heap = make_frame(&info, TRUE);
		pair_open(ctx, info.size, &pair);
		pipeline_start(&up, caps);
		pipeline_start(&thru, caps);
		/* Warm-up, untimed: negotiation, the pool's buffers. */
		bench_memcpy(&pair, 4);
		bench_push(&up, sys, 4);
		bench_push(&thru, heap, 4);
		n = frames_for(info.size);
		/* The pool's buffers, as the warm-up used them. */
		bench_push(&up, sys, 16);
		rotation_open(ctx, info.size, up.n_seen, &rot);
		for (int k = 0; k < rounds; k++) {
			m = best(m, bench_memcpy(&pair, n));
			mr = best(mr, bench_rotation(&rot, n));
			u = best(u, bench_push(&up, sys, n));
			p = best(p, bench_push(&thru, heap, n));
		}
		pipeline_stop(&up);
		pipeline_stop(&thru);
		pair_close(&pair);
		printf("%-5s %-5s %4.1f GB/s %9.1f %4u %4.1f GB/s %4.1f GB/s "
		       "%9.1f %5.1f%% %5.1f%% %6.0f fps %u\n", label,
		       sz->name, m.gbps, m.fps, rot.n, mr.gbps, u.gbps, u.fps,
		       100.0 * u.gbps / m.gbps, 100.0 * u.gbps / mr.gbps,
		       p.fps, p.copied);
		if (df)
			fprintf(df, "%s-%s %.3f %.3f %.3f %.1f %.1f %.1f %u\n",
				label, sz->name, m.gbps, mr.gbps, u.gbps,
				m.fps, u.fps, p.fps, p.copied);
		/* Through: none copied; upload: every frame. */
		failed |= p.copied != 0 || u.copied != (guint)rounds * n;
		rotation_close(&rot);
		gst_buffer_unref(sys);
		gst_buffer_unref(heap);
		gst_caps_unref(caps);
	}
	if (df)
		fclose(df);
	dmaheap_ctx_free(ctx);
	return failed;
}
