/* SPDX-License-Identifier: MIT */
/*
 * GstDmaHeapBufferPool on the mock kernel: layouts equal GStreamer's own
 * without alignment, stride alignment with video meta, and a released
 * buffer is not handed out again while a fence is pending on it. With
 * every buffer fenced, DONTWAIT returns at once and a waiting acquire
 * sleeps (little CPU time) until a flush, a release or the fence.
 * With "dmaheap-separate-planes", each plane is a dma-buf of its own, the
 * offsets and strides those of the one-buffer layout. A pool buffer
 * stays mapped while it lives: mapping its frames costs no mmap(). The
 * buffer released last is handed out first.
 */
#include <poll.h>
#include <time.h>

#include <gst/allocators/gstdmabuf.h>
#include <gst/video/video.h>

#include "gsttest.h"
#include "gstdmaheapallocator.h"
#include "gstdmaheappool.h"

static GstBufferPool *make_pool_full(const char *caps_str, gboolean meta,
				     guint align, guint max, gboolean separate)
{
	GstBufferPool *pool = gst_dmaheap_buffer_pool_new(NULL);
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstCaps *caps = gst_caps_from_string(caps_str);

	gst_buffer_pool_config_set_params(config, caps, 0, 0, max);
	if (separate)
		gst_structure_set(config, GST_DMAHEAP_POOL_SEPARATE_PLANES,
				  G_TYPE_BOOLEAN, TRUE, NULL);
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

static GstBufferPool *make_pool(const char *caps_str, gboolean meta,
				guint align, guint max)
{
	return make_pool_full(caps_str, meta, align, max, FALSE);
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
	/* One dma-buf a frame unless asked otherwise. */
	assert_int_equal(gst_buffer_n_memory(buf), 1);
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

/* An acquire on another thread, so a test can see it block. */
struct waiter {
	GstBufferPool *pool;
	GstBufferPoolAcquireParams params;
	GThread *thread;
	GMutex lock;
	GCond cond;
	gboolean done;
	GstFlowReturn ret;
	GstBuffer *buf;
};

static gpointer waiter_run(gpointer data)
{
	struct waiter *w = data;
	GstBuffer *buf = NULL;
	GstFlowReturn ret;

	ret = gst_buffer_pool_acquire_buffer(w->pool, &buf, &w->params);
	g_mutex_lock(&w->lock);
	w->ret = ret;
	w->buf = buf;
	w->done = TRUE;
	g_cond_signal(&w->cond);
	g_mutex_unlock(&w->lock);
	return NULL;
}

static void waiter_start(struct waiter *w, GstBufferPool *pool,
			 GstBufferPoolAcquireFlags flags)
{
	memset(w, 0, sizeof(*w));
	w->pool = pool;
	w->params.flags = flags;
	g_mutex_init(&w->lock);
	g_cond_init(&w->cond);
	w->thread = g_thread_new("acquire", waiter_run, w);
}

/* Whether the acquire returned within @ms. */
static gboolean waiter_wait(struct waiter *w, guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	gboolean done;

	g_mutex_lock(&w->lock);
	while (!w->done && g_cond_wait_until(&w->cond, &w->lock, end))
		;
	done = w->done;
	g_mutex_unlock(&w->lock);
	return done;
}

/* Joins the thread; an acquire still blocked is ended by a flush first,
 * so a failing test does not hang. */
static void waiter_join(struct waiter *w)
{
	if (!waiter_wait(w, 0))
		gst_buffer_pool_set_flushing(w->pool, TRUE);
	g_thread_join(w->thread);
	g_mutex_clear(&w->lock);
	g_cond_clear(&w->cond);
}

static gint64 cpu_ns(void)
{
	struct timespec t;

	assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t), 0);
	return (gint64)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* A pool of one buffer, fenced and released: every buffer is busy. */
static GstBufferPool *fenced_pool(int *fd)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 1);
	GstBuffer *a = NULL;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &a, NULL),
			 GST_FLOW_OK);
	*fd = fd_of(a);
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), *fd, true),
			 0);
	gst_buffer_unref(a);
	return pool;
}

static void free_pool(GstBufferPool *pool, int fd)
{
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd, false),
			 0);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

/* DONTWAIT with every buffer fenced: GST_FLOW_EOS, not a wait. */
static void test_dontwait_all_fenced(void **state)
{
	int fd;
	GstBufferPool *pool = fenced_pool(&fd);
	struct waiter w;
	gboolean returned;

	waiter_start(&w, pool, GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT);
	/* At once in fact; 5 s only bounds a failure. */
	returned = waiter_wait(&w, 5000);
	waiter_join(&w);
	assert_true(returned);
	assert_int_equal(w.ret, GST_FLOW_EOS);
	assert_null(w.buf);
	free_pool(pool, fd);
}

/*
 * A waiting acquire with every buffer fenced sleeps. Over 400 ms blocked
 * it looks at the fence some 3 times per 100 ms (the wait's period; a
 * busy loop looks thousands of times), and the process uses a small part
 * of that time in CPU (a busy loop all of the core it gets). Counts of
 * work, not speed: a slower machine only lowers them. A flush ends the
 * wait with GST_FLOW_FLUSHING.
 */
static void test_wait_sleeps_until_flush(void **state)
{
	int fd;
	GstBufferPool *pool = fenced_pool(&fd);
	int64_t polls0 = dmaheap_mock_calls(gsttest_mock(), DMAHEAP_MOCK_POLL);
	gint64 cpu0 = cpu_ns(), wall0 = g_get_monotonic_time(), cpu, wall;
	int64_t polls;
	struct waiter w;
	GstBuffer *b = NULL;

	waiter_start(&w, pool, GST_BUFFER_POOL_ACQUIRE_FLAG_NONE);
	assert_false(waiter_wait(&w, 400));
	cpu = cpu_ns() - cpu0;
	wall = (g_get_monotonic_time() - wall0) * 1000;
	polls = dmaheap_mock_calls(gsttest_mock(), DMAHEAP_MOCK_POLL) - polls0;
	print_message("blocked %" G_GINT64_FORMAT " us: CPU time %"
		      G_GINT64_FORMAT " us, %" G_GINT64_FORMAT
		      " polls of the fence\n", wall / 1000, cpu / 1000,
		      (gint64)polls);
	gst_buffer_pool_set_flushing(pool, TRUE);
	assert_true(waiter_wait(&w, 5000));
	waiter_join(&w);
	assert_int_equal(w.ret, GST_FLOW_FLUSHING);
	assert_in_range(polls, 0, 100);
	assert_true(cpu * 4 < wall);
	/* After the flush the pool works again. */
	gst_buffer_pool_set_flushing(pool, FALSE);
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd, false),
			 0);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b, NULL),
			 GST_FLOW_OK);
	gst_buffer_unref(b);
	free_pool(pool, fd);
}

/* Deactivating the pool ends a wait too. */
static void test_wait_ends_on_deactivation(void **state)
{
	int fd;
	GstBufferPool *pool = fenced_pool(&fd);
	struct waiter w;

	waiter_start(&w, pool, GST_BUFFER_POOL_ACQUIRE_FLAG_NONE);
	assert_false(waiter_wait(&w, 50));
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	assert_true(waiter_wait(&w, 5000));
	waiter_join(&w);
	assert_int_equal(w.ret, GST_FLOW_FLUSHING);
	/* The stopped pool freed the fenced buffer: nothing to unfence. */
	gst_object_unref(pool);
}

/* A waiter gets the buffer released meanwhile (max 2: one fenced in the
 * pool, one held), not the fenced one. */
static void test_wait_wakes_on_release(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 2);
	GstBuffer *a = NULL, *b = NULL;
	GstMemory *mem_b;
	struct waiter w;
	int fd;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &a, NULL),
			 GST_FLOW_OK);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b, NULL),
			 GST_FLOW_OK);
	mem_b = gst_buffer_peek_memory(b, 0);
	fd = fd_of(a);
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd, true),
			 0);
	gst_buffer_unref(a);
	waiter_start(&w, pool, GST_BUFFER_POOL_ACQUIRE_FLAG_NONE);
	assert_false(waiter_wait(&w, 50));
	gst_buffer_unref(b);
	assert_true(waiter_wait(&w, 5000));
	waiter_join(&w);
	assert_int_equal(w.ret, GST_FLOW_OK);
	assert_ptr_equal(gst_buffer_peek_memory(w.buf, 0), mem_b);
	gst_buffer_unref(w.buf);
	free_pool(pool, fd);
}

/* A waiter gets the fenced buffer once its fence signals. */
static void test_wait_wakes_on_fence(void **state)
{
	int fd;
	GstBufferPool *pool = fenced_pool(&fd);
	struct waiter w;

	waiter_start(&w, pool, GST_BUFFER_POOL_ACQUIRE_FLAG_NONE);
	assert_false(waiter_wait(&w, 50));
	assert_int_equal(dmaheap_mock_buf_set_fence(gsttest_mock(), fd, false),
			 0);
	assert_true(waiter_wait(&w, 5000));
	waiter_join(&w);
	assert_int_equal(w.ret, GST_FLOW_OK);
	assert_int_equal(fd_of(w.buf), fd);
	gst_buffer_unref(w.buf);
	free_pool(pool, fd);
}

/*
 * Separate planes: one heap memory per plane, in plane order, each the
 * size of its plane; with several, GstVideoMeta whether asked for or not,
 * its offsets and strides those of GStreamer's own layout (no alignment
 * asked).
 */
static void check_separate(const char *format, guint w, guint h)
{
	gchar *s = g_strdup_printf("video/x-raw,format=%s,width=%u,height=%u",
				   format, w, h);
	GstBufferPool *pool = make_pool_full(s, FALSE, 0, 0, TRUE);
	GstCaps *caps = gst_caps_from_string(s);
	GstBuffer *buf = NULL;
	GstVideoMeta *meta;
	GstVideoInfo info;

	assert_true(gst_video_info_from_caps(&info, caps));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	assert_int_equal(gst_buffer_n_memory(buf), GST_VIDEO_INFO_N_PLANES(&info));
	assert_int_equal(gst_buffer_get_size(buf), info.size);
	meta = gst_buffer_get_video_meta(buf);
	if (GST_VIDEO_INFO_N_PLANES(&info) > 1)
		assert_non_null(meta);
	for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&info); p++) {
		GstMemory *mem = gst_buffer_peek_memory(buf, p);
		gsize end = p + 1 < GST_VIDEO_INFO_N_PLANES(&info) ?
				    info.offset[p + 1] : info.size;

		assert_true(gst_is_dmaheap_memory(mem));
		if (meta) {
			assert_int_equal(meta->offset[p], info.offset[p]);
			assert_int_equal(meta->stride[p], info.stride[p]);
		}
		assert_int_equal(gst_memory_get_sizes(mem, NULL, NULL),
				 end - info.offset[p]);
		/* Each its own dma-buf. */
		for (guint q = 0; q < p; q++)
			assert_int_not_equal(
				gst_dmabuf_memory_get_fd(mem),
				gst_dmabuf_memory_get_fd(
					gst_buffer_peek_memory(buf, q)));
	}
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	gst_caps_unref(caps);
	g_free(s);
}

static void test_separate_planes(void **state)
{
	check_separate("NV12", 640, 480);
	check_separate("NV12", 33, 17);
	check_separate("I420", 641, 481);
	/* One plane: one memory, as without the option. */
	check_separate("YUY2", 33, 17);
}

/* A frame written through GstVideoFrame lands plane by plane in the
 * plane's own dma-buf, and the buffer keeps its memories. */
static void test_separate_planes_frame_write(void **state)
{
	const char *s = "video/x-raw,format=NV12,width=64,height=32";
	GstBufferPool *pool = make_pool_full(s, TRUE, 0, 0, TRUE);
	GstCaps *caps = gst_caps_from_string(s);
	GstMemory *mems[2];
	GstBuffer *buf = NULL;
	GstVideoFrame frame;
	GstVideoInfo info;
	GstMapInfo map;

	assert_true(gst_video_info_from_caps(&info, caps));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	mems[0] = gst_buffer_peek_memory(buf, 0);
	mems[1] = gst_buffer_peek_memory(buf, 1);
	assert_true(gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE));
	memset(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), 0x11, 64 * 32);
	memset(GST_VIDEO_FRAME_PLANE_DATA(&frame, 1), 0x22, 64 * 16);
	gst_video_frame_unmap(&frame);
	assert_int_equal(gst_buffer_n_memory(buf), 2);
	assert_ptr_equal(gst_buffer_peek_memory(buf, 0), mems[0]);
	assert_ptr_equal(gst_buffer_peek_memory(buf, 1), mems[1]);
	for (guint p = 0; p < 2; p++) {
		assert_true(gst_memory_map(mems[p], &map, GST_MAP_READ));
		assert_int_equal(map.size, p ? 64 * 16 : 64 * 32);
		assert_int_equal(map.data[0], p ? 0x22 : 0x11);
		assert_int_equal(map.data[map.size - 1], p ? 0x22 : 0x11);
		gst_memory_unmap(mems[p], &map);
	}
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	gst_caps_unref(caps);
}

/* Stride alignment applies to every plane's dma-buf alike. */
static void test_separate_planes_stride_align(void **state)
{
	GstBufferPool *pool = make_pool_full(
		"video/x-raw,format=NV12,width=100,height=50", TRUE, 256, 0,
		TRUE);
	GstBuffer *buf = NULL;
	GstVideoMeta *meta;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	meta = gst_buffer_get_video_meta(buf);
	assert_non_null(meta);
	assert_int_equal(meta->stride[0], 256);
	assert_int_equal(meta->stride[1], 256);
	assert_int_equal(meta->offset[1], 256 * 50);
	assert_int_equal(gst_memory_get_sizes(gst_buffer_peek_memory(buf, 0),
					      NULL, NULL), 256 * 50);
	assert_int_equal(gst_memory_get_sizes(gst_buffer_peek_memory(buf, 1),
					      NULL, NULL), 256 * 25);
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

/* The second plane's allocation fails: the acquire fails, and the first
 * plane's dma-buf is not leaked (the group teardown counts them). */
static void test_separate_planes_alloc_fails(void **state)
{
	GstBufferPool *pool = make_pool_full(
		"video/x-raw,format=NV12,width=64,height=32", TRUE, 0, 0, TRUE);
	GstBuffer *buf = NULL;

	/* min 0: nothing allocated yet. */
	assert_int_equal(dmaheap_mock_inject(gsttest_mock(),
					     DMAHEAP_MOCK_IOCTL_ALLOC, 1, 1,
					     ENOMEM), 0);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_ERROR);
	assert_null(buf);
	assert_int_equal(dmaheap_mock_inject(gsttest_mock(),
					     DMAHEAP_MOCK_IOCTL_ALLOC, 0, 0,
					     ENOMEM), 0);
	/* Whatever the pool keeps, it frees with itself. */
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	assert_int_equal(gsttest_no_leaks(NULL), 0);
}

/* A fence on the second plane alone keeps the buffer from reuse. */
static void test_separate_planes_fence_on_plane(void **state)
{
	GstBufferPool *pool = make_pool_full(
		"video/x-raw,format=NV12,width=64,height=32", TRUE, 0, 0, TRUE);
	GstBuffer *a = NULL, *b = NULL;
	GstMemory *uv;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &a, NULL),
			 GST_FLOW_OK);
	uv = gst_buffer_peek_memory(a, 1);
	assert_int_equal(dmaheap_mock_buf_set_fence(
				 gsttest_mock(), gst_dmabuf_memory_get_fd(uv),
				 true), 0);
	gst_buffer_unref(a);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b, NULL),
			 GST_FLOW_OK);
	assert_ptr_not_equal(gst_buffer_peek_memory(b, 1), uv);
	assert_int_equal(dmaheap_mock_buf_set_fence(
				 gsttest_mock(), gst_dmabuf_memory_get_fd(uv),
				 false), 0);
	gst_buffer_unref(b);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

/* Maps @buf as a frame of @info for writing, then unmaps it. */
static void write_frame(const GstVideoInfo *info, GstBuffer *buf)
{
	GstVideoFrame frame;

	assert_true(gst_video_frame_map(&frame, info, buf, GST_MAP_WRITE));
	memset(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), 0x33, 64);
	gst_video_frame_unmap(&frame);
}

/*
 * A pool buffer's memories stay mapped while the buffer lives: mapping a
 * frame again and again costs no mmap() nor munmap() (each would fault
 * the pages in again). Freeing the pool leaves no mapping (the group
 * teardown checks).
 */
static void check_frame_maps_reuse_mapping(gboolean separate)
{
	const char *s = "video/x-raw,format=NV12,width=64,height=32";
	GstBufferPool *pool = make_pool_full(s, TRUE, 0, 0, separate);
	GstCaps *caps = gst_caps_from_string(s);
	GstBuffer *buf = NULL;
	GstVideoInfo info;

	assert_true(gst_video_info_from_caps(&info, caps));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	dmaheap_mock_reset_calls(gsttest_mock());
	for (int i = 0; i < 3; i++)
		write_frame(&info, buf);
	assert_int_equal(dmaheap_mock_calls(gsttest_mock(), DMAHEAP_MOCK_MMAP),
			 0);
	assert_int_equal(dmaheap_mock_calls(gsttest_mock(),
					    DMAHEAP_MOCK_MUNMAP), 0);
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	gst_caps_unref(caps);
	assert_int_equal(gsttest_no_leaks(NULL), 0);
}

static void test_frame_maps_reuse_mapping(void **state)
{
	check_frame_maps_reuse_mapping(FALSE);
	check_frame_maps_reuse_mapping(TRUE);
}

/* A memory that cannot be mapped when allocated is still handed out, and
 * maps on demand as before. */
static void test_keep_mapped_fails(void **state)
{
	const char *s = "video/x-raw,format=NV12,width=64,height=32";
	GstBufferPool *pool = make_pool(s, TRUE, 0, 0);
	GstCaps *caps = gst_caps_from_string(s);
	GstBuffer *buf = NULL;
	GstVideoInfo info;

	assert_true(gst_video_info_from_caps(&info, caps));
	assert_int_equal(dmaheap_mock_inject(gsttest_mock(), DMAHEAP_MOCK_MMAP,
					     0, 1, ENOMEM), 0);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	dmaheap_mock_reset_calls(gsttest_mock());
	write_frame(&info, buf);
	assert_int_equal(dmaheap_mock_calls(gsttest_mock(), DMAHEAP_MOCK_MMAP),
			 1);
	assert_int_equal(dmaheap_mock_calls(gsttest_mock(),
					    DMAHEAP_MOCK_MUNMAP), 1);
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	gst_caps_unref(caps);
	assert_int_equal(gsttest_no_leaks(NULL), 0);
}

/* With no acquire waiting, a buffer coming back does not write the
 * pool's eventfd (a system call a frame for nothing). */
static void test_release_without_waiter_is_quiet(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 0);
	struct pollfd p = { .events = POLLIN };
	GstBuffer *buf = NULL;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf,
								NULL),
				 GST_FLOW_OK);
		gst_buffer_unref(buf);
	}
	p.fd = GST_DMAHEAP_BUFFER_POOL(pool)->wake_fd;
	assert_true(p.fd >= 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
}

/*
 * The buffer released last is handed out first: a stream that gives each
 * buffer back before it asks for the next reuses one buffer, whose pages
 * are warm, and does not go round the whole pool.
 */
static void test_last_released_first(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 0);
	GstBuffer *b[3], *again = NULL;

	for (int i = 0; i < 3; i++) {
		b[i] = NULL;
		assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b[i],
								NULL),
				 GST_FLOW_OK);
	}
	for (int i = 0; i < 3; i++)
		gst_buffer_unref(b[i]);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &again,
								NULL),
				 GST_FLOW_OK);
		assert_ptr_equal(again, b[2]);
		gst_buffer_unref(again);
	}
	/* Two out at once: the last two released, newest first. */
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b[0], NULL),
			 GST_FLOW_OK);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b[1], NULL),
			 GST_FLOW_OK);
	assert_ptr_equal(b[0], b[2]);
	assert_ptr_not_equal(b[1], b[2]);
	gst_buffer_unref(b[1]);
	gst_buffer_unref(b[0]);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	assert_int_equal(gsttest_no_leaks(NULL), 0);
}

/* A buffer whose memory was replaced is freed when it comes back, not
 * handed out again (GStreamer's rule, kept by the pool's own stack): the
 * next acquire allocates. */
static void test_tagged_buffer_not_reused(void **state)
{
	GstBufferPool *pool = make_pool(
		"video/x-raw,format=GRAY8,width=64,height=64", TRUE, 0, 0);
	GstBuffer *buf = NULL;
	GstMemory *mem;

	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	mem = gst_buffer_get_memory(buf, 0);
	gst_buffer_replace_all_memory(buf, gst_memory_copy(mem, 0, -1));
	gst_memory_unref(mem);
	assert_true(GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_TAG_MEMORY));
	gst_buffer_unref(buf);
	dmaheap_mock_reset_calls(gsttest_mock());
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	assert_int_equal(dmaheap_mock_calls(gsttest_mock(),
					    DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	assert_false(GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_TAG_MEMORY));
	gst_buffer_unref(buf);
	/* An untouched buffer is kept: no allocation. */
	dmaheap_mock_reset_calls(gsttest_mock());
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL),
			 GST_FLOW_OK);
	assert_int_equal(dmaheap_mock_calls(gsttest_mock(),
					    DMAHEAP_MOCK_IOCTL_ALLOC), 0);
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	assert_int_equal(gsttest_no_leaks(NULL), 0);
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
		cmocka_unit_test(test_dontwait_all_fenced),
		cmocka_unit_test(test_wait_sleeps_until_flush),
		cmocka_unit_test(test_wait_ends_on_deactivation),
		cmocka_unit_test(test_wait_wakes_on_release),
		cmocka_unit_test(test_wait_wakes_on_fence),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_separate_planes),
		cmocka_unit_test(test_separate_planes_frame_write),
		cmocka_unit_test(test_separate_planes_stride_align),
		cmocka_unit_test(test_separate_planes_alloc_fails),
		cmocka_unit_test(test_separate_planes_fence_on_plane),
		cmocka_unit_test(test_frame_maps_reuse_mapping),
		cmocka_unit_test(test_keep_mapped_fails),
		cmocka_unit_test(test_release_without_waiter_is_quiet),
		cmocka_unit_test(test_last_released_first),
		cmocka_unit_test(test_tagged_buffer_not_reused),
	};

	gsttest_init(&argc, &argv, 1);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
