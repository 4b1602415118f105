/* SPDX-License-Identifier: MIT */
/* GstDmaHeapBufferPool: see gstdmaheappool.h for the contract. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <gst/allocators/gstdmabuf.h>

#include "gstdmaheapallocator.h"
#include "gstdmaheapdrm.h"
#include "gstdmaheapformat.h"
#include "gstdmaheappool.h"

#define GST_CAT_DEFAULT gst_dmaheap_debug

/*
 * How long one wait lasts before the busy buffers are looked at again. A
 * fence added while waiting, a fence fd that poll() cannot wait on, and a
 * wake-up another waiter took are noticed this late at most.
 */
#define FENCE_WAIT_MS 100

G_DEFINE_TYPE_WITH_CODE(GstDmaHeapBufferPool, gst_dmaheap_buffer_pool,
			GST_TYPE_BUFFER_POOL, gst_dmaheap_debug_init())

void gst_dmaheap_buffer_pool_set_element(GstBufferPool *pool,
					 GstElement *element)
{
	g_return_if_fail(GST_IS_DMAHEAP_BUFFER_POOL(pool));
	g_weak_ref_set(&GST_DMAHEAP_BUFFER_POOL(pool)->element, element);
}

GstBufferPool *gst_dmaheap_buffer_pool_new(GstAllocator *allocator)
{
	GstDmaHeapBufferPool *pool;

	g_return_val_if_fail(!allocator || GST_IS_DMAHEAP_ALLOCATOR(allocator),
			     NULL);
	pool = g_object_new(GST_TYPE_DMAHEAP_BUFFER_POOL, NULL);
	if (allocator)
		gst_object_replace((GstObject **)&pool->allocator,
				   GST_OBJECT(allocator));
	return GST_BUFFER_POOL(pool);
}

gboolean gst_dmaheap_buffer_idle(GstBuffer *buf, int timeout_ms)
{
	for (guint i = 0; i < gst_buffer_n_memory(buf); i++) {
		GstMemory *mem = gst_buffer_peek_memory(buf, i);
		struct pollfd p = { .events = POLLOUT };

		if (!gst_is_dmabuf_memory(mem))
			continue;
		/* POLLOUT: no fence left, of readers nor of writers. */
		p.fd = gst_dmabuf_memory_get_fd(mem);
		if (poll(&p, 1, timeout_ms) <= 0 || !(p.revents & POLLOUT))
			return FALSE;
	}
	return TRUE;
}

static const gchar **get_options(GstBufferPool *pool)
{
	static const gchar *options[] = {
		GST_BUFFER_POOL_OPTION_VIDEO_META,
		GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT,
		NULL,
	};

	return options;
}

/* GStreamer's own layout rules, so that without more the layouts agree. */
static void base_constraints(const GstVideoInfo *info,
			     GstStructure *config,
			     struct dmaheap_image_constraints *c)
{
	gboolean separate = FALSE;
	guint vsub = 0;

	for (guint i = 0; i < GST_VIDEO_INFO_N_COMPONENTS(info); i++)
		vsub = MAX(vsub, GST_VIDEO_FORMAT_INFO_H_SUB(info->finfo, i));
	c->stride_align = 4;
	c->height_align = 1u << vsub;
	gst_structure_get_boolean(config, GST_DMAHEAP_POOL_SEPARATE_PLANES,
				  &separate);
	/* Separate planes follow each other with no gap, so the offsets
	 * (counted across the buffer's memories) are those of one buffer. */
	c->placement = separate ? DMAHEAP_PLANES_SEPARATE :
				  DMAHEAP_PLANES_ONE_BUFFER;
}

static gboolean extra_alignment(GstDmaHeapBufferPool *self,
				GstStructure *config, guint *align)
{
	GstVideoAlignment va;

	*align = 1;
	gst_structure_get_uint(config, GST_DMAHEAP_POOL_STRIDE_ALIGN, align);
	if (!gst_buffer_pool_config_has_option(
		    config, GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT))
		return TRUE;
	if (!gst_buffer_pool_config_get_video_alignment(config, &va))
		return FALSE;
	if (va.padding_top || va.padding_bottom || va.padding_left ||
	    va.padding_right) {
		GST_ERROR_OBJECT(self, "video alignment paddings are not "
				 "supported, only stride alignment");
		return FALSE;
	}
	for (guint i = 0; i < GST_VIDEO_MAX_PLANES; i++)
		*align = MAX(*align, va.stride_align[i] + 1);
	return TRUE;
}

static gboolean make_layout(GstDmaHeapBufferPool *self, GstStructure *config)
{
	struct dmaheap_image_spec spec = { 0 };
	struct dmaheap_ctx *ctx = gst_dmaheap_allocator_get_ctx(self->allocator);
	guint align;
	int r;

	spec.fourcc = gst_dmaheap_format_to_fourcc(
		GST_VIDEO_INFO_FORMAT(&self->info));
	spec.width = GST_VIDEO_INFO_WIDTH(&self->info);
	spec.height = GST_VIDEO_INFO_HEIGHT(&self->info);
	if (!spec.fourcc) {
		GST_ERROR_OBJECT(self, "format %s has no libdmaheap layout",
				 GST_VIDEO_INFO_NAME(&self->info));
		return FALSE;
	}
	base_constraints(&self->info, config, &spec.constraints);
	if (!extra_alignment(self, config, &align))
		return FALSE;
	if (align > 1 && !self->add_meta)
		GST_WARNING_OBJECT(self, "stride alignment %u needs video meta;"
				   " ignored", align);
	else if (align > 1) {
		struct dmaheap_image_constraints extra = { .stride_align = align };

		r = dmaheap_image_constraints_merge(ctx, &spec.constraints,
						    &extra, &spec.constraints);
		if (r) {
			GST_ERROR_OBJECT(self, "stride alignment %u: %s", align,
					 dmaheap_strerror(r));
			return FALSE;
		}
	}
	r = dmaheap_image_layout(ctx, &spec, &self->layout);
	if (r) {
		GST_ERROR_OBJECT(self, "layout of %s %ux%u: %s",
				 GST_VIDEO_INFO_NAME(&self->info), spec.width,
				 spec.height, dmaheap_strerror(r));
		return FALSE;
	}
	for (guint i = 0; i < self->layout.n_planes; i++) {
		const struct dmaheap_plane_layout *pl = &self->layout.planes[i];
		gsize start = 0;

		/* Offsets in a buffer of several memories run across them. */
		for (guint b = 0; b < pl->buffer; b++)
			start += self->layout.buffer_size[b];
		self->info.offset[i] = start + pl->offset;
		self->info.stride[i] = (gint)pl->stride;
	}
	self->info.size = self->layout.size;
	return TRUE;
}

static void take_allocator(GstDmaHeapBufferPool *self, GstStructure *config)
{
	GstAllocator *alloc = NULL;

	if (!gst_buffer_pool_config_get_allocator(config, &alloc,
						  &self->params))
		gst_allocation_params_init(&self->params);
	if (alloc && GST_IS_DMAHEAP_ALLOCATOR(alloc))
		gst_object_replace((GstObject **)&self->allocator,
				   GST_OBJECT(alloc));
	if (!self->allocator)
		self->allocator = gst_dmaheap_allocator_new(NULL, 0);
}

static gboolean set_config(GstBufferPool *pool, GstStructure *config)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(pool);
	guint size, min, max;
	GstCaps *caps;

	if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min,
					       &max) || !caps ||
	    !gst_dmaheap_video_info_from_caps(&self->info, caps)) {
		GST_ERROR_OBJECT(self, "config without video caps");
		return FALSE;
	}
	take_allocator(self, config);
	self->add_meta = gst_buffer_pool_config_has_option(
		config, GST_BUFFER_POOL_OPTION_VIDEO_META);
	if (!make_layout(self, config))
		return FALSE;
	if (self->layout.size > G_MAXUINT)
		return FALSE;
	gst_buffer_pool_config_set_params(config, caps,
					  (guint)self->layout.size, min, max);
	gst_buffer_pool_config_set_allocator(config, self->allocator,
					     &self->params);
	return GST_BUFFER_POOL_CLASS(gst_dmaheap_buffer_pool_parent_class)
		->set_config(pool, config);
}

/* An allocation failure as an error of the element the pool serves, if
 * it has one: the message names the heap and what to change. */
static void post_alloc_error(GstDmaHeapBufferPool *self, GError *error)
{
	GstElement *element = g_weak_ref_get(&self->element);

	GST_ERROR_OBJECT(self, "%s", error->message);
	if (!element)
		return;
	gst_element_message_full(element, GST_MESSAGE_ERROR, error->domain,
				 error->code, g_strdup(error->message),
				 g_strdup_printf("buffer pool %s",
						 GST_OBJECT_NAME(self)),
				 __FILE__, GST_FUNCTION, __LINE__);
	gst_object_unref(element);
}

/* The memories of a pool buffer kept mapped, with a reference each. */
struct kept_maps {
	guint n;
	GstMemory *mem[GST_VIDEO_MAX_PLANES];
};

static GQuark kept_maps_quark(void)
{
	return g_quark_from_static_string("GstDmaHeapBufferPool-kept-maps");
}

static void drop_maps(gpointer data)
{
	struct kept_maps *k = data;

	for (guint i = 0; i < k->n; i++) {
		dmaheap_buf_unmap(gst_dmaheap_memory_get_buf(k->mem[i]));
		gst_memory_unref(k->mem[i]);
	}
	g_free(k);
}

/*
 * Each memory of @buf mapped once, for as long as the buffer lives: every
 * gst_memory_map() of a frame is then a reference on that mapping, not an
 * mmap() and munmap() whose pages fault in again at every frame (which
 * cost dmaheapupload most of its copy's speed). The references go before
 * the buffer releases its memories. A memory that cannot be mapped (a
 * protected heap's) is left as it is: no one can map it anyway.
 */
static void keep_mapped(GstBuffer *buf)
{
	struct kept_maps *k = g_new0(struct kept_maps, 1);

	for (guint i = 0; i < gst_buffer_n_memory(buf); i++) {
		GstMemory *mem = gst_buffer_peek_memory(buf, i);
		struct dmaheap_buf *b = gst_dmaheap_memory_get_buf(mem);
		void *addr;

		if (b && dmaheap_buf_map(b, &addr) == 0)
			k->mem[k->n++] = gst_memory_ref(mem);
	}
	gst_mini_object_set_qdata(GST_MINI_OBJECT(buf), kept_maps_quark(), k,
				  drop_maps);
}

static GstFlowReturn alloc_buffer(GstBufferPool *pool, GstBuffer **buffer,
				  GstBufferPoolAcquireParams *params)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(pool);
	GstVideoInfo *info = &self->info;
	GstBuffer *buf = gst_buffer_new();

	/* One memory, or one per plane with separate planes. */
	for (guint b = 0; b < self->layout.n_buffers; b++) {
		GError *error = NULL;
		GstMemory *mem = gst_dmaheap_allocator_alloc_full(
			self->allocator, self->layout.buffer_size[b],
			&self->params, &error);

		if (!mem) {
			post_alloc_error(self, error);
			g_error_free(error);
			gst_buffer_unref(buf);
			return GST_FLOW_ERROR;
		}
		gst_buffer_append_memory(buf, mem);
	}
	keep_mapped(buf);
	/* Without the meta, mapping a frame maps the whole buffer, which
	 * for several memories merges them into one of system memory. */
	if (self->add_meta || self->layout.n_buffers > 1)
		gst_buffer_add_video_meta_full(
			buf, GST_VIDEO_FRAME_FLAG_NONE,
			GST_VIDEO_INFO_FORMAT(info), GST_VIDEO_INFO_WIDTH(info),
			GST_VIDEO_INFO_HEIGHT(info),
			GST_VIDEO_INFO_N_PLANES(info), info->offset,
			info->stride);
	*buffer = buf;
	return GST_FLOW_OK;
}

/* Wakes the waiters of acquire_buffer(): a buffer came back, or the pool
 * flushes. */
static void wake(GstDmaHeapBufferPool *self)
{
	uint64_t one = 1;

	if (self->wake_fd < 0)
		return;
	/* EAGAIN: the counter is full, so the fd is readable already. */
	if (write(self->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		GST_WARNING_OBJECT(self, "waking waiters: %s",
				   g_strerror(errno));
}

static void drain_wake(GstDmaHeapBufferPool *self)
{
	uint64_t n;

	if (self->wake_fd < 0)
		return;
	while (read(self->wake_fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
}

/*
 * Whether the parent would keep @buffer for reuse (GStreamer's own
 * checks): its memories untouched, its size the pool's, all of them its
 * own. A buffer that fails is left to the parent, which frees it.
 */
static gboolean reusable(GstDmaHeapBufferPool *self, GstBuffer *buffer)
{
	return !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_TAG_MEMORY) &&
	       gst_buffer_get_size(buffer) == self->layout.size &&
	       gst_buffer_is_all_memory_writable(buffer);
}

/*
 * Free buffers are kept in a stack, the most recently released on top,
 * and handed out from the top: a stream that returns each frame before
 * the next is asked for fills one buffer again and again, whose pages
 * are still in the CPU's caches and TLB, instead of going round every
 * buffer of the pool (GstBufferPool's own queue is first in, first out).
 * The stack holds the pool's buffers that the parent's queue would: the
 * parent allocates, counts and frees them, and gets them back in stop().
 */
static void push_free(GstDmaHeapBufferPool *self, GstBuffer *buffer,
		      gboolean top)
{
	g_mutex_lock(&self->free_lock);
	if (top)
		g_queue_push_head(&self->free_bufs, buffer);
	else
		g_queue_push_tail(&self->free_bufs, buffer);
	g_mutex_unlock(&self->free_lock);
}

static GstBuffer *pop_free(GstDmaHeapBufferPool *self)
{
	GstBuffer *b;

	g_mutex_lock(&self->free_lock);
	b = g_queue_pop_head(&self->free_bufs);
	g_mutex_unlock(&self->free_lock);
	return b;
}

static void release_all(GstBufferPool *pool, GQueue *q)
{
	GstBuffer *b;

	/* Under the free ones, in the order taken, without waking anyone:
	 * they are as busy as when taken. */
	while ((b = g_queue_pop_head(q)))
		push_free(GST_DMAHEAP_BUFFER_POOL(pool), b, FALSE);
}

static gboolean any_idle(GQueue *busy)
{
	for (GList *l = busy->head; l; l = l->next)
		if (gst_dmaheap_buffer_idle(l->data, 0))
			return TRUE;
	return FALSE;
}

static GstBuffer *take_idle_from(GQueue *busy)
{
	for (GList *l = busy->head; l; l = l->next) {
		GstBuffer *b = l->data;

		if (gst_dmaheap_buffer_idle(b, 0)) {
			g_queue_delete_link(busy, l);
			return b;
		}
	}
	return NULL;
}

/*
 * A free buffer whose fences have signalled, or a new one; busy ones go to
 * @busy. GST_FLOW_EOS: none now (the pool is at its maximum).
 */
static GstFlowReturn try_acquire(GstBufferPool *pool, GQueue *busy,
				 GstBuffer **buffer,
				 GstBufferPoolAcquireParams *params)
{
	GstBufferPoolClass *parent =
		GST_BUFFER_POOL_CLASS(gst_dmaheap_buffer_pool_parent_class);
	GstBufferPoolAcquireParams p = { 0 };
	GstFlowReturn ret;
	GstBuffer *b;

	if (params)
		p = *params;
	/* The waiting is ours: the parent would hand out a busy buffer. */
	p.flags |= GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT;
	while ((b = pop_free(GST_DMAHEAP_BUFFER_POOL(pool)))) {
		if (gst_dmaheap_buffer_idle(b, 0)) {
			*buffer = b;
			return GST_FLOW_OK;
		}
		GST_DEBUG_OBJECT(pool, "%p has pending fences", (void *)b);
		g_queue_push_tail(busy, b);
	}
	/* None free: a new one, up to the maximum. */
	while ((ret = parent->acquire_buffer(pool, &b, &p)) == GST_FLOW_OK) {
		if (gst_dmaheap_buffer_idle(b, 0)) {
			*buffer = b;
			return GST_FLOW_OK;
		}
		GST_DEBUG_OBJECT(pool, "%p has pending fences", (void *)b);
		g_queue_push_tail(busy, b);
	}
	return ret;
}

/* The poll set: the wake-up fd first, then with @fences the dma-buf fds of
 * the busy buffers (POLLOUT: no fence left). */
static nfds_t poll_set(GstDmaHeapBufferPool *self, GQueue *busy,
		       gboolean fences, GArray *fds)
{
	struct pollfd p = { .fd = self->wake_fd, .events = POLLIN };

	g_array_set_size(fds, 0);
	g_array_append_val(fds, p);
	for (GList *l = busy->head; fences && l; l = l->next) {
		for (guint i = 0; i < gst_buffer_n_memory(l->data); i++) {
			GstMemory *mem = gst_buffer_peek_memory(l->data, i);

			if (!gst_is_dmabuf_memory(mem))
				continue;
			p.fd = gst_dmabuf_memory_get_fd(mem);
			p.events = POLLOUT;
			g_array_append_val(fds, p);
		}
	}
	return fds->len;
}

/*
 * Sleeps until a fence of @busy signals, a buffer comes back, the pool
 * flushes, or FENCE_WAIT_MS pass; then the caller looks again. If poll()
 * reports a fence fd ready while its buffer is still busy (a new fence
 * came meanwhile, or the fd is not one poll() can wait on), the rest of
 * the wait is on the wake-up fd alone: looking again at once would spin.
 */
static void wait_for_change(GstDmaHeapBufferPool *self, GQueue *busy)
{
	gint64 end = g_get_monotonic_time() +
		     FENCE_WAIT_MS * G_TIME_SPAN_MILLISECOND;
	GArray *fds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
	gboolean fences = TRUE;
	gint64 left;

	while ((left = end - g_get_monotonic_time()) > 0) {
		nfds_t n = poll_set(self, busy, fences, fds);
		int r = poll((struct pollfd *)(void *)fds->data, n,
			     (int)((left + 999) / 1000));

		/* Timed out, woken or interrupted: the caller looks again. */
		if (r <= 0 || g_array_index(fds, struct pollfd, 0).revents)
			break;
		/* A fence fd was ready. */
		if (any_idle(busy))
			break;
		fences = FALSE;
	}
	g_array_free(fds, TRUE);
}

/*
 * Busy buffers (fences pending) are held aside while a new or another free
 * buffer is tried. With none to be had: DONTWAIT returns GST_FLOW_EOS;
 * otherwise the wait is for a fence, a released buffer or a flush, never
 * by polling in a loop.
 */
static GstFlowReturn acquire_buffer(GstBufferPool *pool, GstBuffer **buffer,
				    GstBufferPoolAcquireParams *params)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(pool);
	gboolean dontwait =
		params && (params->flags & GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT);
	GQueue busy = G_QUEUE_INIT;
	gboolean waiter = FALSE;
	GstFlowReturn ret;

	for (;;) {
		/* A flush's wake-up stays for every waiter to see. */
		if (GST_BUFFER_POOL_IS_FLUSHING(pool)) {
			ret = GST_FLOW_FLUSHING;
			break;
		}
		if (waiter)
			drain_wake(self);
		ret = try_acquire(pool, &busy, buffer, params);
		if (ret != GST_FLOW_EOS || dontwait)
			break;
		/* Counted first, then one more look: a release either sees
		 * the count and wakes us, or came before that look. */
		if (!waiter) {
			g_atomic_int_inc(&self->waiters);
			waiter = TRUE;
			release_all(pool, &busy);
			continue;
		}
		wait_for_change(self, &busy);
		*buffer = take_idle_from(&busy);
		if (*buffer) {
			ret = GST_FLOW_OK;
			break;
		}
		release_all(pool, &busy);
	}
	release_all(pool, &busy);
	if (waiter)
		g_atomic_int_add(&self->waiters, -1);
	return ret;
}

/* A waiter is woken only if there is one: with none, a buffer coming back
 * costs no write (and the next acquire no read) of the eventfd. The count
 * is read under the lock: an acquire counts itself before it looks at the
 * stack, so either it finds this buffer or this release sees it. */
static void release_buffer(GstBufferPool *pool, GstBuffer *buffer)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(pool);
	gint waiters;

	if (!reusable(self, buffer)) {
		GST_BUFFER_POOL_CLASS(gst_dmaheap_buffer_pool_parent_class)
			->release_buffer(pool, buffer);
		return;
	}
	g_mutex_lock(&self->free_lock);
	g_queue_push_head(&self->free_bufs, buffer);
	waiters = g_atomic_int_get(&self->waiters);
	g_mutex_unlock(&self->free_lock);
	if (waiters > 0)
		wake(self);
}

/* The free buffers back to the parent, which frees them. */
static gboolean stop(GstBufferPool *pool)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(pool);
	GstBufferPoolClass *parent =
		GST_BUFFER_POOL_CLASS(gst_dmaheap_buffer_pool_parent_class);
	GstBuffer *b;

	while ((b = pop_free(self)))
		parent->release_buffer(pool, b);
	return parent->stop(pool);
}

static void flush_start(GstBufferPool *pool)
{
	wake(GST_DMAHEAP_BUFFER_POOL(pool));
}

static void flush_stop(GstBufferPool *pool)
{
	drain_wake(GST_DMAHEAP_BUFFER_POOL(pool));
}

static gboolean start(GstBufferPool *pool)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(pool);

	if (self->wake_fd < 0)
		self->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (self->wake_fd < 0) {
		GST_ERROR_OBJECT(self, "eventfd for waking waiters: %s",
				 g_strerror(errno));
		return FALSE;
	}
	return GST_BUFFER_POOL_CLASS(gst_dmaheap_buffer_pool_parent_class)
		->start(pool);
}

static void finalize(GObject *obj)
{
	GstDmaHeapBufferPool *self = GST_DMAHEAP_BUFFER_POOL(obj);

	gst_clear_object(&self->allocator);
	g_weak_ref_clear(&self->element);
	if (self->wake_fd >= 0)
		close(self->wake_fd);
	g_mutex_clear(&self->free_lock);
	G_OBJECT_CLASS(gst_dmaheap_buffer_pool_parent_class)->finalize(obj);
}

static void gst_dmaheap_buffer_pool_class_init(GstDmaHeapBufferPoolClass *k)
{
	GstBufferPoolClass *pc = GST_BUFFER_POOL_CLASS(k);

	G_OBJECT_CLASS(k)->finalize = finalize;
	pc->get_options = get_options;
	pc->set_config = set_config;
	pc->alloc_buffer = alloc_buffer;
	pc->acquire_buffer = acquire_buffer;
	pc->release_buffer = release_buffer;
	pc->flush_start = flush_start;
	pc->flush_stop = flush_stop;
	pc->start = start;
	pc->stop = stop;
}

static void gst_dmaheap_buffer_pool_init(GstDmaHeapBufferPool *self)
{
	gst_allocation_params_init(&self->params);
	g_weak_ref_init(&self->element, NULL);
	self->wake_fd = -1;
	g_mutex_init(&self->free_lock);
	g_queue_init(&self->free_bufs);
}
