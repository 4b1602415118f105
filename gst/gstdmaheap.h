/* SPDX-License-Identifier: MIT */
/*
 * libgstdmaheap-1.0: DMA-BUF heap memory for GStreamer applications.
 * Installed as <gst/dmaheap/dmaheap.h>; pkg-config gstreamer-dmaheap-1.0.
 *
 * An application makes allocators and video buffer pools of its own, each
 * for the heap or the usage it names, with no effect on the "dmaheap"
 * allocator the plugin registers for the whole process (found with
 * gst_allocator_find(GST_DMAHEAP_ALLOCATOR_NAME) once the plugin is
 * loaded) nor on any other allocator. The plugin is built on this library.
 *
 * GstDmaHeapAllocator: a GstDmaBufAllocator subclass, so downstream sees
 * dma-buf memory (gst_is_dmabuf_memory()). Each allocator has a libdmaheap
 * context of its own (struct dmaheap_ctx, <dmaheap.h>).
 *
 * Properties, which may be changed at any time from any thread; an
 * allocation uses the values it finds when it starts:
 *  heap  (string)  a heap name or alias, or a comma list tried in order
 *                  (dmaheap_alloc_from()); NULL: the usage decides. A
 *                  string that is itself the name of a heap ("linux,cma")
 *                  is that heap.
 *  usage (flags, GST_TYPE_DMAHEAP_USAGE) what the memory is for (enum
 *                  dmaheap_usage); the library's policy picks the heap
 *                  (dmaheap_alloc_usage()). Used when heap is NULL.
 *                  Default: DMAHEAP_USAGE_CPU_WRITE_OFTEN.
 *  pool  (boolean) recycle freed buffers through the library's pool
 *                  (dmaheap_ctx_set_pool() with its defaults). Default off.
 *
 * Fd ownership: the library's buffer object (struct dmaheap_buf) keeps its
 * fd; the GstMemory borrows it (GST_FD_MEMORY_FLAG_DONT_CLOSE) and frees
 * the buffer object with the memory. The context's dmaheap_ctx_stats()
 * therefore counts exactly the live memories, and a freed one goes back to
 * the library's pool when that is on. Code that keeps the fd beyond the
 * memory's life dup()s gst_dmabuf_memory_get_fd()'s.
 *
 * CPU access: gst_memory_map() maps through dmaheap_buf_map() and brackets
 * the access with dmaheap_buf_begin_cpu_access() (READ, WRITE or both, as
 * the map flags say), gst_memory_unmap() ends it; a protected heap's
 * memory refuses to map (the library's -EPERM) instead of faulting.
 *
 * GstAllocationParams: prefix and padding are allocated around the
 * requested size (the memory's offset is the prefix); alignment up to the
 * page size is met by every mapping, larger is refused; ZERO_PREFIXED and
 * ZERO_PADDED are honoured (a recycled buffer is not zero). Memory from a
 * contiguous heap carries GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS.
 *
 * GstDmaHeapBufferPool: video buffers, one allocator memory per frame (one
 * per plane with GST_DMAHEAP_POOL_SEPARATE_PLANES), mapped while they live, laid
 * out by dmaheap_image_layout() with GStreamer's own rules (without more
 * alignment, byte for byte GstVideoInfo's layout), GstVideoMeta with
 * GST_BUFFER_POOL_OPTION_VIDEO_META, stride alignment from
 * GstVideoAlignment or GST_DMAHEAP_POOL_STRIDE_ALIGN. A released buffer is
 * handed out again only once its fences have signalled. Configure it as
 * any GstBufferPool (gst_buffer_pool_set_config() with video caps); its
 * allocator is in its config (gst_buffer_pool_config_get_allocator()).
 *
 * Logging goes to the "dmaheap" debug category (GST_DEBUG=dmaheap:5).
 * Thread-safety: allocators and pools may be used from any thread, as
 * GStreamer's own. Every function here needs gst_init() first.
 */
#ifndef GST_DMAHEAP_H
#define GST_DMAHEAP_H

#include <gst/allocators/gstdmabuf.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <dmaheap.h>

G_BEGIN_DECLS

/* The name the plugin registers its shared allocator under. */
#define GST_DMAHEAP_ALLOCATOR_NAME "dmaheap"

/* The flags type of the "usage" property: enum dmaheap_usage's bits, with
 * nicks such as "cpu-read-often", "contiguous" and "protected". */
#define GST_TYPE_DMAHEAP_USAGE (gst_dmaheap_usage_get_type())
GType gst_dmaheap_usage_get_type(void);

#define GST_TYPE_DMAHEAP_ALLOCATOR (gst_dmaheap_allocator_get_type())
G_DECLARE_FINAL_TYPE(GstDmaHeapAllocator, gst_dmaheap_allocator, GST,
		     DMAHEAP_ALLOCATOR, GstDmaBufAllocator)

/*
 * gst_dmaheap_allocator_new() - an allocator of the caller's own.
 * @heap: a heap name or alias, or a comma list tried in order; NULL: the
 *        usage picks the heap. Copied.
 * @usage: what the memory is for (DMAHEAP_USAGE_* bits), used when @heap
 *         is NULL; 0: DMAHEAP_USAGE_CPU_WRITE_OFTEN. A bit that is no
 *         DMAHEAP_USAGE_* value is a programming error: GLib warns and
 *         the allocator keeps the default.
 *
 * The allocator is not registered: nothing else in the process uses it
 * unless given it. Its heap, usage and pool properties may be changed
 * later. A heap that does not exist is not an error here: allocations
 * fail, with a GError that names it (gst_dmaheap_allocator_alloc_full()).
 * If its libdmaheap context cannot be made (a policy file that does not
 * parse, no memory) that is logged, gst_dmaheap_allocator_get_ctx()
 * returns NULL and every allocation fails saying why.
 *
 * Return: (transfer full) a new GstDmaHeapAllocator; free with
 * gst_object_unref(). Never NULL.
 */
GstAllocator *gst_dmaheap_allocator_new(const gchar *heap, guint usage);

/*
 * gst_dmaheap_allocator_get_heap() - the allocator's heap property.
 * Return: (transfer full) a copy (g_free() it), or NULL if the usage picks
 * the heap, or if @alloc is not a GstDmaHeapAllocator.
 */
gchar *gst_dmaheap_allocator_get_heap(GstAllocator *alloc);

/*
 * gst_dmaheap_allocator_get_usage() - the allocator's usage property
 * (DMAHEAP_USAGE_* bits); 0 if @alloc is not a GstDmaHeapAllocator.
 */
guint gst_dmaheap_allocator_get_usage(GstAllocator *alloc);

/*
 * gst_dmaheap_allocator_get_ctx() - the allocator's libdmaheap context.
 * Return: (transfer none) the context, owned by the allocator and valid
 * as long as it is (for dmaheap_ctx_stats(), dmaheap_usage_plan()...; do
 * not free it or change its pool behind the "pool" property), or NULL if
 * it could not be made or @alloc is not a GstDmaHeapAllocator.
 */
struct dmaheap_ctx *gst_dmaheap_allocator_get_ctx(GstAllocator *alloc);

/*
 * gst_dmaheap_allocator_alloc_full() - gst_allocator_alloc() on @alloc,
 * with the reason of a failure.
 * @params: (nullable) as gst_allocator_alloc()'s; NULL: the defaults.
 * @error: (nullable) set on failure, in GST_RESOURCE_ERROR:
 *   NOT_FOUND (no such heap, no heap for the usage), NOT_AUTHORIZED (no
 *   permission on the heap node), NO_SPACE_LEFT (the heap is out of
 *   memory), SETTINGS (0 bytes, a size that overflows, an alignment over a
 *   page), FAILED (anything else). The message names the heap or the
 *   usage, the error, and the knob that picks the heap (the heap
 *   property, DMAHEAP_DIR, the policy file), fit to post from an element.
 *   gst_allocator_alloc() only logs that message.
 * Return: (transfer full) the memory, or NULL on failure.
 */
GstMemory *gst_dmaheap_allocator_alloc_full(GstAllocator *alloc, gsize size,
					    GstAllocationParams *params,
					    GError **error);

/* Whether @mem (or the memory it was shared from) came from a
 * GstDmaHeapAllocator. FALSE for NULL. */
gboolean gst_is_dmaheap_memory(GstMemory *mem);

/*
 * gst_dmaheap_memory_get_buf() - the library's buffer behind @mem (or
 * behind the memory it was shared from).
 * Return: (transfer none) the buffer, owned by the memory and freed with
 * it (dmaheap_buf_heap_name(), dmaheap_buf_props()...; do not free it), or
 * NULL if @mem is NULL or not dmaheap memory.
 */
struct dmaheap_buf *gst_dmaheap_memory_get_buf(GstMemory *mem);

#define GST_TYPE_DMAHEAP_BUFFER_POOL (gst_dmaheap_buffer_pool_get_type())
G_DECLARE_FINAL_TYPE(GstDmaHeapBufferPool, gst_dmaheap_buffer_pool, GST,
		     DMAHEAP_BUFFER_POOL, GstBufferPool)

/* Config field: extra stride alignment in bytes (guint); applied only with
 * GST_BUFFER_POOL_OPTION_VIDEO_META, without which downstream could not
 * find the planes. */
#define GST_DMAHEAP_POOL_STRIDE_ALIGN "dmaheap-stride-align"
/* Config field: one dma-buf per plane (gboolean, default FALSE), for
 * consumers that import each plane from a buffer of its own, as V4L2
 * multi-planar devices (NV12M) do. */
#define GST_DMAHEAP_POOL_SEPARATE_PLANES "dmaheap-separate-planes"

/*
 * gst_dmaheap_buffer_pool_new() - a video buffer pool.
 * @allocator: (transfer none) (nullable) a GstDmaHeapAllocator the pool
 *   takes a reference to, e.g. one of gst_dmaheap_allocator_new(); NULL:
 *   the pool makes one of its own (the default usage) when configured. A
 *   GstDmaHeapAllocator given in the config by
 *   gst_buffer_pool_config_set_allocator() replaces it; any other
 *   allocator there is ignored.
 * Return: (transfer full) the pool (gst_object_unref()), or NULL if
 * @allocator is not a GstDmaHeapAllocator.
 */
GstBufferPool *gst_dmaheap_buffer_pool_new(GstAllocator *allocator);

/*
 * gst_dmaheap_buffer_pool_set_element() - whose errors allocation failures
 * are: each is posted as an error message (RESOURCE domain, the text
 * naming the heap, the error and the knob to change) of @element
 * (weakly referenced; NULL: none, the message is only logged), whichever
 * thread allocates.
 */
void gst_dmaheap_buffer_pool_set_element(GstBufferPool *pool,
					 GstElement *element);

/*
 * gst_dmaheap_buffer_idle() - whether every fence of every dma-buf memory
 * of @buf has signalled (poll() for POLLOUT), waiting up to @timeout_ms
 * per memory (0: do not wait, -1: forever). Memory that is not dma-buf is
 * not looked at.
 */
gboolean gst_dmaheap_buffer_idle(GstBuffer *buf, int timeout_ms);

G_END_DECLS

#endif /* GST_DMAHEAP_H */
