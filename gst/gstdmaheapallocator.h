/* SPDX-License-Identifier: MIT */
/*
 * GstDmaHeapAllocator: GStreamer memory from DMA-BUF heaps, through
 * libdmaheap. A GstDmaBufAllocator subclass, so downstream sees dma-buf
 * memory (gst_is_dmabuf_memory()); registered as "dmaheap".
 *
 * Properties:
 *  heap  (string)  a heap name or alias, or a comma list tried in order
 *                  (dmaheap_alloc_from()); NULL: the usage decides. A
 *                  string that is itself the name of a heap ("linux,cma")
 *                  is that heap.
 *  usage (flags)   what the memory is for (enum dmaheap_usage); the
 *                  library's policy picks the heap (dmaheap_alloc_usage()).
 *                  Used when heap is NULL. Default: cpu-write-often.
 *  pool  (boolean) recycle freed buffers through the library's pool
 *                  (dmaheap_ctx_set_pool() with its defaults).
 *
 * Fd ownership: the library's buffer object (struct dmaheap_buf) keeps its
 * fd; the GstMemory borrows it (GST_FD_MEMORY_FLAG_DONT_CLOSE) and holds
 * the buffer object as qdata, freed with the memory. The context's
 * dmaheap_ctx_stats() therefore counts exactly the live GstMemory, and a
 * freed one goes back to the library's pool when that is on. Code that
 * wants the fd beyond the memory's life dup()s it (gst_dmabuf_memory_get_fd
 * gives the borrowed one).
 *
 * CPU access: gst_memory_map() maps through dmaheap_buf_map() and brackets
 * the access with dmaheap_buf_begin_cpu_access() (READ, WRITE or both, as
 * the map flags say), gst_memory_unmap() ends it: the library's retries on
 * EINTR/EAGAIN apply, and a protected heap's memory refuses to map (the
 * library's -EPERM) instead of faulting.
 *
 * GstAllocationParams: prefix and padding are allocated around the
 * requested size (the memory's offset is the prefix); alignment up to the
 * page size is met by every mapping (mmap() is page-aligned), larger ones
 * are refused; ZERO_PREFIXED and ZERO_PADDED are honoured (a recycled
 * buffer is not zero). Memory from a contiguous heap (DMAHEAP_PROP_CONTIGUOUS)
 * carries GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS.
 *
 * The library's log goes to the "dmaheap" GStreamer debug category.
 * Thread-safety: an allocator may be used from any thread.
 */
#ifndef GST_DMAHEAP_ALLOCATOR_H
#define GST_DMAHEAP_ALLOCATOR_H

#include <gst/allocators/gstdmabuf.h>
#include <gst/gst.h>

#include "dmaheap.h"

G_BEGIN_DECLS

#define GST_DMAHEAP_ALLOCATOR_NAME "dmaheap"

#define GST_TYPE_DMAHEAP_ALLOCATOR (gst_dmaheap_allocator_get_type())
#define GST_DMAHEAP_ALLOCATOR(o) \
	(G_TYPE_CHECK_INSTANCE_CAST((o), GST_TYPE_DMAHEAP_ALLOCATOR, \
				    GstDmaHeapAllocator))
#define GST_IS_DMAHEAP_ALLOCATOR(o) \
	(G_TYPE_CHECK_INSTANCE_TYPE((o), GST_TYPE_DMAHEAP_ALLOCATOR))

typedef struct _GstDmaHeapAllocator GstDmaHeapAllocator;
typedef struct _GstDmaHeapAllocatorClass GstDmaHeapAllocatorClass;

struct _GstDmaHeapAllocator {
	GstDmaBufAllocator parent;
	/* NULL when the context could not be made (logged); allocations
	 * then fail. */
	struct dmaheap_ctx *ctx;
	int ctx_error; /* why ctx is NULL (-errno) */
	GMutex lock; /* the properties, and map/begin/end pairs */
	gchar *heap;
	guint usage;
	gboolean pool;
};

struct _GstDmaHeapAllocatorClass {
	GstDmaBufAllocatorClass parent_class;
};

GType gst_dmaheap_allocator_get_type(void);
GType gst_dmaheap_usage_get_type(void);

GST_DEBUG_CATEGORY_EXTERN(gst_dmaheap_debug);

/* Installs the "heap", "usage" and "pool" properties the allocator and
 * dmaheapupload share, as ids @heap_id, @heap_id + 1 and @heap_id + 2,
 * so both document and default them the same way. */
void gst_dmaheap_install_properties(GObjectClass *oc, guint heap_id);

/* A new allocator (full reference); NULL only if GObject fails. */
GstAllocator *gst_dmaheap_allocator_new(void);

/*
 * gst_allocator_alloc() on @alloc (a GstDmaHeapAllocator), but a failure
 * sets @error (GST_RESOURCE_ERROR: NOT_FOUND for a missing heap,
 * NOT_AUTHORIZED, NO_SPACE_LEFT, SETTINGS for bad @params, else FAILED)
 * with a message naming the heap or usage, the error, and the knob that
 * picks the heap (the heap property, DMAHEAP_DIR, the policy file), for an
 * element to post. gst_allocator_alloc() only logs that message.
 */
GstMemory *gst_dmaheap_allocator_alloc_full(GstAllocator *alloc, gsize size,
					    GstAllocationParams *params,
					    GError **error);

/* The allocator's context (owned by it), or NULL. */
struct dmaheap_ctx *gst_dmaheap_allocator_get_ctx(GstAllocator *alloc);

/* Whether @mem (or the memory it was shared from) came from a
 * GstDmaHeapAllocator. */
gboolean gst_is_dmaheap_memory(GstMemory *mem);

/* The library's buffer behind @mem (owned by the memory), or NULL. */
struct dmaheap_buf *gst_dmaheap_memory_get_buf(GstMemory *mem);

G_END_DECLS

#endif /* GST_DMAHEAP_ALLOCATOR_H */
