/* SPDX-License-Identifier: MIT */
/*
 * GstDmaHeapBufferPool: video buffers in DMA-BUF heap memory. Its insides;
 * the API is in gstdmaheap.h (the installed <gst/dmaheap/dmaheap.h>).
 *
 * Each buffer is one GstDmaHeapAllocator memory laid out by the library's
 * image API (dmaheap_image_layout(), planes at offsets in one dma-buf),
 * with GstVideoMeta when GST_BUFFER_POOL_OPTION_VIDEO_META is set. With
 * the config field "dmaheap-separate-planes" (gboolean) TRUE, each plane
 * is a dma-buf of its own instead (DMAHEAP_PLANES_SEPARATE): a buffer of
 * as many memories as planes, in plane order, the way a multi-planar V4L2
 * device importing NV12M or YUV420M wants them. The planes then follow
 * one another with no gap, so the offsets (counted across the memories,
 * as GstVideoMeta does) and strides are those of the one-buffer layout;
 * such buffers always carry GstVideoMeta (without it, mapping a frame
 * would merge the memories into one of system memory). The
 * layout always has GStreamer's own rules (strides a multiple of 4, an
 * even plane-0 height for vertically subsampled formats), so without
 * further alignment it is byte for byte the one GstVideoInfo computes.
 * Further stride alignment comes from GstVideoAlignment
 * (GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT: the stride masks; paddings are
 * not supported and refused) or the config field "dmaheap-stride-align"
 * (guint, bytes); it is applied only with VIDEO_META, without which
 * downstream could not find the planes.
 *
 * Each memory of a buffer is mapped once when the pool allocates it
 * (dmaheap_buf_map()) and stays mapped while the buffer lives, so that
 * mapping a frame is a reference count, not an mmap() whose pages fault
 * in again at every frame; memories that cannot be mapped (a protected
 * heap's) are handed out all the same.
 *
 * Free buffers are handed out last released, first out, so that a stream
 * that returns each buffer before it asks for the next keeps reusing the
 * one whose pages are in the CPU's caches and TLB.
 *
 * A released buffer is handed out again only once its fences have
 * signalled (poll() of the dma-buf for POLLOUT: no device still reads or
 * writes it); busy ones are skipped. If every buffer is busy (or out) and
 * the pool is at its maximum, an acquire with
 * GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT returns GST_FLOW_EOS at once;
 * without it, it sleeps in poll() on the busy buffers' fds and an eventfd
 * of the pool until a fence signals, a buffer is released or the pool
 * flushes (gst_buffer_pool_set_flushing(), deactivation: GST_FLOW_FLUSHING),
 * looking again every 100 ms at most. Buffers the pool frees go back to
 * the library's recycling pool when the allocator's "pool" property is on.
 *
 * An allocation that fails is posted as an error message (RESOURCE domain,
 * the text naming the heap, the error and the knob to change) of the
 * element set with gst_dmaheap_buffer_pool_set_element(), whichever thread
 * allocates: the pool of an element is often activated by its upstream
 * peer, which would only report "not-negotiated". Without an element the
 * message is only logged.
 */
#ifndef GST_DMAHEAP_POOL_H
#define GST_DMAHEAP_POOL_H

#include "gstdmaheap.h"

G_BEGIN_DECLS

struct _GstDmaHeapBufferPool {
	GstBufferPool parent;
	GstAllocator *allocator; /* a GstDmaHeapAllocator */
	GstAllocationParams params;
	GstVideoInfo info; /* offsets, strides and size of the layout */
	struct dmaheap_image_layout layout;
	gboolean add_meta;
	GWeakRef element; /* whose errors allocation failures are */
	int wake_fd;	  /* eventfd: a buffer came back, or a flush */
	gint waiters;	  /* acquires about to wait (atomic) */
	GMutex free_lock;
	GQueue free_bufs; /* free buffers, the last released at the head */
};

G_END_DECLS

#endif /* GST_DMAHEAP_POOL_H */
