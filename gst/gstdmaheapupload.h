/* SPDX-License-Identifier: MIT */
/*
 * dmaheapupload: video frames into DMA-BUF heap memory.
 *
 * System-memory frames are copied into buffers of a GstDmaHeapBufferPool
 * (the writes bracketed by the allocator's CPU-access begin/end); buffers
 * whose memory is already dma-buf pass through untouched. Both pads take
 * video/x-raw(memory:DMABuf) and plain video/x-raw, in the formats the
 * library lays out, and, built against GStreamer >= 1.24, DMA_DRM caps
 * with a linear drm-format (gstdmaheapdrm.h): the same buffers, layout
 * and GstVideoMeta as for plain memory:DMABuf caps. Upstream's allocation query is answered with the
 * element's own pool and allocator (and GstVideoMeta), so a producer that
 * takes them writes straight into heap memory and nothing is copied.
 *
 * Properties heap, usage and pool are the allocator's (see
 * gstdmaheapallocator.h). separate-planes (boolean, default FALSE): the
 * pool's buffers have one dma-buf per plane (the pool's
 * "dmaheap-separate-planes"), as a multi-planar V4L2 device wants when
 * it imports them: v4l2src io-mode=dmabuf-import on such a device asks
 * for NV12M, not NV12, and fails with "Got 1 dmabuf but needed 2"
 * without it. Read when the pool is made (at negotiation).
 */
#ifndef GST_DMAHEAP_UPLOAD_H
#define GST_DMAHEAP_UPLOAD_H

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_DMAHEAP_UPLOAD (gst_dmaheap_upload_get_type())
#define GST_DMAHEAP_UPLOAD(o) \
	(G_TYPE_CHECK_INSTANCE_CAST((o), GST_TYPE_DMAHEAP_UPLOAD, \
				    GstDmaHeapUpload))

typedef struct _GstDmaHeapUpload GstDmaHeapUpload;
typedef struct _GstDmaHeapUploadClass GstDmaHeapUploadClass;

struct _GstDmaHeapUpload {
	GstBaseTransform parent;
	GstAllocator *allocator; /* a GstDmaHeapAllocator, the element's */
	GstVideoInfo in_info;
	GstVideoInfo out_info;
	gint separate_planes; /* gboolean, atomic: set from any thread */
};

struct _GstDmaHeapUploadClass {
	GstBaseTransformClass parent_class;
};

GType gst_dmaheap_upload_get_type(void);

G_END_DECLS

#endif /* GST_DMAHEAP_UPLOAD_H */
