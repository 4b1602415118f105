/* SPDX-License-Identifier: MIT */
/*
 * dmaheap-gst-bench: dmaheapupload's copy against the physical limit.
 *
 * For NV12 at 1080p and 4K, in one run:
 *   memcpy   one memcpy of a frame's bytes between two heap buffers
 *            mapped once: what the memory can do. At 1080p the two
 *            (6 MB) may stay in the CPU's cache.
 *   rotating one memcpy of the frame given to the element (its system
 *            memory, mapped) into as many heap buffers, in turn, as the
 *            element's pool used ("bufs"): the same bytes the element
 *            moves, from the same address, with its cache footprint.
 *   upload   system-memory frames pushed into dmaheapupload ! fakesink:
 *            frames per second and GB/s of frames copied into heap
 *            buffers, the element's map, CPU-access bracketing and copy
 *            included.
 *   through  frames already in heap memory pushed into dmaheapupload !
 *            fakesink: every buffer must come out with the memory it
 *            came in with (no byte copied); the count is printed, and a
 *            buffer copied makes the run fail. Upload's frames are
 *            counted in its warm-up only (each must be copied), so that
 *            the counting is not in its time.
 * Frames are pushed from the measuring thread (bench_push()), into a
 * fakesink that keeps no last sample (it would hold a buffer of the pool
 * and cost a GstSample a frame). Rates are per second of CPU time (see
 * now()). The four methods alternate in small batches (about 50 MB of
 * frames each, a few milliseconds to tens of them), in a new shuffled
 * order each round, on pipelines kept playing, for --rounds rounds
 * (default 101). The figure of merit is the median over rounds of each
 * round's ratio upload/memcpy: the two batches of a ratio ran within
 * milliseconds of each other, so a slow change of the machine's load
 * cancels out of it. Each frame is also timed on its own, and each
 * round gives the ratio of the two batches' fastest frames: time taken
 * from the process (another process on its CPU, or, in the VM, qemu's
 * vCPU waiting for a host CPU, which the guest counts as the process's
 * time) only ever adds, so a batch's fastest frame is its least
 * disturbed one. Where a frame is short against the host's time slices
 * (1080p), that ratio's median is the tightest figure; at 4K in a VM on
 * a loaded host few frames run undisturbed and neither figure is.
 * Printed for each: the median over rounds, a 95 % confidence interval
 * of that median (order statistics, no assumption on the distribution),
 * the 10th and 90th percentiles, and the best of all rounds of one
 * method against the best of the other ("best/best", the two possibly
 * far apart in time); and the load average before and after. The target
 * (90 %) is "met" only if the interval's low end reaches it, "missed" if
 * its high end does not, else "undecided".
 * "ratio2" is upload/rotating.
 *
 * Output: a table on stdout and, with --dat FILE, a gnuplot data file
 * (bench/gst-plot.gp). A benchmark, never a test: nothing here asserts a
 * time.
 */
#include <getopt.h>
#include <math.h>
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
	double best_gbps; /* of the batch's fastest frame */
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

/* A batch timed frame by frame: its total and its fastest frame. */
struct frame_clock {
	double last, total, best;
};

static void clock_start(struct frame_clock *c)
{
	c->total = 0;
	c->best = G_MAXDOUBLE;
	c->last = now();
}

static void clock_frame(struct frame_clock *c)
{
	double t = now(), d = t - c->last;

	c->last = t;
	c->total += d;
	c->best = MIN(c->best, d);
}

static void clock_result(const struct frame_clock *c, gsize size,
			 struct result *r)
{
	r->fps = r->frames / c->total;
	r->gbps = r->fps * (double)size / 1e9;
	r->best_gbps = (double)size / c->best / 1e9;
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
	struct frame_clock fc;

	clock_start(&fc);
	for (guint i = 0; i < n; i++) {
		memcpy(c->pb, c->pa, c->size);
		clock_frame(&fc);
	}
	clock_result(&fc, c->size, &r);
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
	const guint8 *src;
	gsize size;
};

/* @src: the very bytes the element is given, so that the two read the
 * same memory at the same alignment. */
static void rotation_open(struct dmaheap_ctx *ctx, const guint8 *src,
			  gsize size, guint n, struct rotation *r)
{
	r->n = MAX(1, MIN(n, MAX_DST));
	r->size = size;
	r->src = src;
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
}

/* @n memcpys of a frame from system memory into the buffers in turn. */
static struct result bench_rotation(struct rotation *r, guint n)
{
	struct result res = { .frames = n };
	struct frame_clock fc;

	clock_start(&fc);
	for (guint i = 0; i < n; i++) {
		memcpy(r->p[i % r->n], r->src, r->size);
		clock_frame(&fc);
	}
	clock_result(&fc, r->size, &res);
	return res;
}

/* Our pad ! dmaheapupload ! fakesink, playing; counts what comes out and
 * whether it is the memory that went in (one thread: no atomics). */
struct pipeline {
	GstElement *p, *up, *sink;
	GstPad *src, *in;
	gulong probe;
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
	GstSegment seg;

	memset(pl, 0, sizeof(*pl));
	pl->p = gst_parse_launch("dmaheapupload name=up heap=system ! "
				 "fakesink name=sink sync=false enable-last-sample=false "
				 "signal-handoffs=true", NULL);
	pl->up = gst_bin_get_by_name(GST_BIN(pl->p), "up");
	pl->sink = gst_bin_get_by_name(GST_BIN(pl->p), "sink");
	pl->in = gst_element_get_static_pad(pl->up, "sink");
	pl->src = gst_pad_new("src", GST_PAD_SRC);
	if (gst_pad_link(pl->src, pl->in) != GST_PAD_LINK_OK) {
		fprintf(stderr, "cannot link to dmaheapupload\n");
		exit(1);
	}
	gst_pad_set_active(pl->src, TRUE);
	g_signal_connect(pl->sink, "handoff", G_CALLBACK(on_handoff), pl);
	pl->probe = gst_pad_add_probe(pl->in, GST_PAD_PROBE_TYPE_BUFFER, on_in,
				      pl, NULL);
	gst_element_set_state(pl->p, GST_STATE_PLAYING);
	gst_segment_init(&seg, GST_FORMAT_TIME);
	if (!gst_pad_push_event(pl->src, gst_event_new_stream_start("bench")) ||
	    !gst_pad_push_event(pl->src, gst_event_new_caps(caps)) ||
	    !gst_pad_push_event(pl->src, gst_event_new_segment(&seg))) {
		fprintf(stderr, "dmaheapupload refused %s\n",
			gst_caps_to_string(caps));
		exit(1);
	}
}

/*
 * No more counting: the pad probe and fakesink's handoff signal cost
 * time at every frame (a signal emission is dear under the VM's
 * emulation) that is not the element's.
 */
static void pipeline_quiet(struct pipeline *pl)
{
	g_object_set(pl->sink, "signal-handoffs", FALSE, NULL);
	gst_pad_remove_probe(pl->in, pl->probe);
}

static void pipeline_stop(struct pipeline *pl)
{
	gst_pad_push_event(pl->src, gst_event_new_eos());
	gst_element_set_state(pl->p, GST_STATE_NULL);
	gst_pad_set_active(pl->src, FALSE);
	gst_object_unref(pl->src);
	gst_object_unref(pl->in);
	gst_object_unref(pl->sink);
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
	struct frame_clock fc;

	clock_start(&fc);
	for (guint i = 0; i < n; i++) {
		GstFlowReturn ret = gst_pad_push(pl->src, gst_buffer_ref(frame));

		clock_frame(&fc);
		if (ret != GST_FLOW_OK) {
			fprintf(stderr, "push: %s\n", gst_flow_get_name(ret));
			exit(1);
		}
	}
	clock_result(&fc, gst_buffer_get_size(frame), &r);
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

/* Frames a batch: about 50 MB of them, at least 2. Small, so that the
 * batches compared with each other run within milliseconds. */
static guint frames_for(gsize size)
{
	return MAX(2, (guint)(50000000 / size));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Value at fraction @q of @v (sorted, @n > 0), nearest rank. */
static double quantile(const double *v, guint n, double q)
{
	guint i = (guint)(q * (n - 1) + 0.5);

	return v[MIN(i, n - 1)];
}

/*
 * The median of @n per-round ratios, their 10th and 90th percentiles,
 * and a 95 % confidence interval of the median that assumes nothing of
 * their distribution: the order statistics of ranks n/2 -+ 0.98 sqrt(n)
 * (the binomial's normal approximation), so that a target is met only
 * if the interval's low end reaches it.
 */
struct spread {
	double median, p10, p90, lo, hi;
};

static struct spread spread_of(double *v, guint n)
{
	struct spread s;
	double h = 0.98 * sqrt((double)n);
	gint lo = (gint)floor(n / 2.0 - h), hi = (gint)ceil(n / 2.0 + h);

	qsort(v, n, sizeof(*v), cmp_double);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.p10 = quantile(v, n, 0.1);
	s.p90 = quantile(v, n, 0.9);
	s.lo = v[CLAMP(lo, 0, (gint)n - 1)];
	s.hi = v[CLAMP(hi, 0, (gint)n - 1)];
	return s;
}

/* The 1-, 5- and 15-minute load averages, as /proc/loadavg has them. */
static void load_average(char *out, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f || !fgets(out, (int)len, f))
		g_strlcpy(out, "unknown", len);
	out[strcspn(out, "\n")] = 0;
	if (f)
		fclose(f);
}

/* Methods of a round, run in a new shuffled order each round. */
enum { M_MEMCPY, M_ROTATING, M_UPLOAD, M_THROUGH, N_METHODS };

/* Everything measured for one frame size. */
struct bench {
	struct copy_pair pair;
	struct rotation rot;
	struct pipeline up, thru;
	GstBuffer *sys, *heap;
	GstMapInfo sys_map; /* the system-memory frame, for rotating */
	guint batch;
	gboolean up_copies; /* upload copied every warm-up frame */
};

static struct result run_method(struct bench *b, int m)
{
	switch (m) {
	case M_MEMCPY: return bench_memcpy(&b->pair, b->batch);
	case M_ROTATING: return bench_rotation(&b->rot, b->batch);
	case M_UPLOAD: return bench_push(&b->up, b->sys, b->batch);
	default: return bench_push(&b->thru, b->heap, b->batch);
	}
}

/* Per-size summary: per-round rates and ratios, and the best rounds. */
struct summary {
	double gbps[N_METHODS], fps[N_METHODS]; /* medians over rounds */
	double best[N_METHODS];			/* best round, GB/s */
	double frame[N_METHODS];		/* fastest frame, GB/s */
	struct spread ratio, ratio2;		/* upload/memcpy, /rotating */
	struct spread fast;	/* fastest frames, upload/memcpy */
	guint copied_thru;
};

static const char *const method_names[] = { "memcpy", "rotating", "upload",
					    "through" };

/* One shuffled round: each method's batch once. */
static void run_round(struct bench *b, GRand *rng, struct result *res,
		      struct summary *s)
{
	int order[N_METHODS] = { 0, 1, 2, 3 };

	for (int i = N_METHODS - 1; i > 0; i--) {
		int j = g_rand_int_range(rng, 0, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < N_METHODS; i++) {
		int m = order[i];

		res[m] = run_method(b, m);
		if (m == M_THROUGH)
			s->copied_thru += res[m].copied;
	}
}

/* @rounds rounds; with @raw, each batch's figures as a line of it. */
static void run_rounds(struct bench *b, int rounds, GRand *rng,
		       const char *label, FILE *raw, struct summary *s)
{
	double *rate[N_METHODS], *fps[N_METHODS];
	double *r1 = g_new(double, rounds), *r2 = g_new(double, rounds);
	double *r3 = g_new(double, rounds);

	memset(s, 0, sizeof(*s));
	for (int m = 0; m < N_METHODS; m++) {
		rate[m] = g_new(double, rounds);
		fps[m] = g_new(double, rounds);
	}
	for (int k = 0; k < rounds; k++) {
		struct result res[N_METHODS];

		run_round(b, rng, res, s);
		for (int m = 0; m < N_METHODS; m++) {
			rate[m][k] = res[m].gbps;
			fps[m][k] = res[m].fps;
			s->frame[m] = MAX(s->frame[m], res[m].best_gbps);
			if (raw)
				fprintf(raw, "%s %d %s %.4f %.4f\n", label, k,
					method_names[m], res[m].gbps,
					res[m].best_gbps);
		}
		r1[k] = res[M_UPLOAD].gbps / res[M_MEMCPY].gbps;
		r2[k] = res[M_UPLOAD].gbps / res[M_ROTATING].gbps;
		r3[k] = res[M_UPLOAD].best_gbps / res[M_MEMCPY].best_gbps;
	}
	s->ratio = spread_of(r1, rounds);
	s->ratio2 = spread_of(r2, rounds);
	s->fast = spread_of(r3, rounds);
	for (int m = 0; m < N_METHODS; m++) {
		qsort(rate[m], rounds, sizeof(double), cmp_double);
		qsort(fps[m], rounds, sizeof(double), cmp_double);
		s->gbps[m] = quantile(rate[m], rounds, 0.5);
		s->fps[m] = quantile(fps[m], rounds, 0.5);
		s->best[m] = rate[m][rounds - 1];
		g_free(rate[m]);
		g_free(fps[m]);
	}
	g_free(r1);
	g_free(r2);
	g_free(r3);
}

/* "met" if the interval's low end reaches @target, "missed" if its high
 * end does not, else the run cannot tell. */
static const char *verdict(const struct spread *s, double target)
{
	if (s->lo >= target)
		return "met";
	return s->hi < target ? "missed" : "undecided";
}

static void bench_open(struct bench *b, struct dmaheap_ctx *ctx,
		       const GstVideoInfo *info, GstCaps *caps)
{
	b->sys = make_frame(info, FALSE);
	b->heap = make_frame(info, TRUE);
	pair_open(ctx, info->size, &b->pair);
	pipeline_start(&b->up, caps);
	pipeline_start(&b->thru, caps);
	/* Warm-up, untimed: negotiation, the pool's buffers. */
	bench_memcpy(&b->pair, 4);
	b->up_copies = bench_push(&b->up, b->sys, 4).copied == 4;
	bench_push(&b->thru, b->heap, 4);
	b->batch = frames_for(info->size);
	/* The pool's buffers, as the warm-up used them. */
	b->up_copies &= bench_push(&b->up, b->sys, 16).copied == 16;
	pipeline_quiet(&b->up);
	if (!gst_buffer_map(b->sys, &b->sys_map, GST_MAP_READ)) {
		fprintf(stderr, "cannot map the system-memory frame\n");
		exit(1);
	}
	rotation_open(ctx, b->sys_map.data, info->size, b->up.n_seen,
		      &b->rot);
	bench_rotation(&b->rot, 2 * b->rot.n);
}

static void bench_close(struct bench *b)
{
	pipeline_stop(&b->up);
	pipeline_stop(&b->thru);
	pair_close(&b->pair);
	rotation_close(&b->rot);
	gst_buffer_unmap(b->sys, &b->sys_map);
	gst_buffer_unref(b->sys);
	gst_buffer_unref(b->heap);
}

static void print_ratio(const char *what, const struct spread *s,
			double best)
{
	printf("  %-16s median %5.1f %%  95 %% CI %5.1f-%5.1f %%  "
	       "p10-p90 %5.1f-%5.1f %%  best/best %5.1f %%\n", what,
	       100 * s->median, 100 * s->lo, 100 * s->hi, 100 * s->p10,
	       100 * s->p90, 100 * best);
}

static void report(const char *label, const struct size *sz, int rounds,
		   const struct bench *b, const struct summary *s,
		   const char *load0, const char *load1, FILE *df)
{
	printf("%s %s, %d rounds of %u frames a method:\n", label, sz->name,
	       rounds, b->batch);
	printf("  GB/s (median round) memcpy %.2f, rotating %.2f (%u bufs), "
	       "upload %.2f = %.1f fps, through %.0f fps, copied %u\n",
	       s->gbps[M_MEMCPY], s->gbps[M_ROTATING], b->rot.n,
	       s->gbps[M_UPLOAD], s->fps[M_UPLOAD], s->fps[M_THROUGH],
	       s->copied_thru);
	print_ratio("upload/memcpy", &s->ratio,
		    s->best[M_UPLOAD] / s->best[M_MEMCPY]);
	print_ratio("upload/rotating", &s->ratio2,
		    s->best[M_UPLOAD] / s->best[M_ROTATING]);
	print_ratio("fastest frames", &s->fast,
		    s->frame[M_UPLOAD] / s->frame[M_MEMCPY]);
	printf("  target upload >= 90 %% of memcpy: %s by the fastest frames, "
	       "%s by the batches\n", verdict(&s->fast, 0.9),
	       verdict(&s->ratio, 0.9));
	printf("  load average before: %s\n  load average after:  %s\n",
	       load0, load1);
	if (df)
		fprintf(df, "%s-%s %.3f %.3f %.3f %.1f %.1f %.1f %u "
			"%.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f\n",
			label, sz->name,
			s->gbps[M_MEMCPY], s->gbps[M_ROTATING],
			s->gbps[M_UPLOAD], s->fps[M_MEMCPY], s->fps[M_UPLOAD],
			s->fps[M_THROUGH], s->copied_thru, s->ratio.median,
			s->ratio.p10, s->ratio.p90, s->ratio.lo, s->ratio.hi,
			s->best[M_UPLOAD] / s->best[M_MEMCPY],
			s->ratio2.median, s->fast.median, s->fast.lo,
			s->fast.hi);
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
		{ "raw", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int rounds = 101, o, failed = 0;
	const char *dat = NULL, *label = "host";
	struct dmaheap_ctx *ctx;
	GRand *rng = g_rand_new_with_seed(17);
	FILE *df = NULL, *raw = NULL;

	while ((o = getopt_long(argc, argv, "r:d:l:w:h", opts, NULL)) != -1) {
		switch (o) {
		case 'r': rounds = atoi(optarg); break;
		case 'd': dat = optarg; break;
		case 'l': label = optarg; break;
		case 'w':
			if (!(raw = fopen(optarg, "a"))) {
				perror(optarg);
				return 1;
			}
			break;
		default:
			printf("usage: %s [--rounds N] "
			       "[--dat FILE] [--raw FILE] [--label NAME]\n", argv[0]);
			return o == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1) {
		fprintf(stderr, "--rounds: at least 1\n");
		return 2;
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
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		const struct size *sz = &sizes[i];
		char load0[128], load1[128];
		struct summary s;
		struct bench b;
		GstVideoInfo info;
		GstCaps *caps;

		gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12,
					  sz->width, sz->height);
		caps = gst_video_info_to_caps(&info);
		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, 0, 1,
				    NULL);
		bench_open(&b, ctx, &info, caps);
		load_average(load0, sizeof(load0));
		{
			gchar *l = g_strdup_printf("%s-%s", label, sz->name);

			run_rounds(&b, rounds, rng, l, raw, &s);
			g_free(l);
		}
		load_average(load1, sizeof(load1));
		report(label, sz, rounds, &b, &s, load0, load1, df);
		/* Through: none copied; upload: every warm-up frame. */
		failed |= s.copied_thru != 0 || !b.up_copies;
		bench_close(&b);
		gst_caps_unref(caps);
	}
	if (df)
		fclose(df);
	if (raw)
		fclose(raw);
	g_rand_free(rng);
	dmaheap_ctx_free(ctx);
	return failed;
}
