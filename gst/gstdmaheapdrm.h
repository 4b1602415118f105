/* SPDX-License-Identifier: MIT */
/*
 * DMA_DRM caps: video/x-raw(memory:DMABuf), format=DMA_DRM,
 * drm-format=<fourcc>[:<modifier>], GStreamer's way (since 1.24) of
 * naming a dma-buf's layout by DRM fourcc and modifier.
 *
 * Heap buffers are linear, and GStreamer spells linear as the bare fourcc
 * ("NV12"; it refuses an explicit ":0x0000000000000000"). Only those are
 * offered, and a drm-format with any modifier is dropped, so caps that
 * ask for a tiled or compressed layout do not negotiate. A format is
 * offered as DMA_DRM when GStreamer's fourcc for it is the library's
 * (gstdmaheapformat.c): then the GstVideoInfo, and so the layout and the
 * GstVideoMeta, are those of the plain caps.
 *
 * Built against GStreamer < 1.24 only gst_dmaheap_video_info_from_caps()
 * exists, and takes plain caps only.
 */
#ifndef GST_DMAHEAP_DRM_H
#define GST_DMAHEAP_DRM_H

#include <gst/video/video.h>

G_BEGIN_DECLS

/* @info from plain caps or from DMA_DRM caps with a linear drm-format the
 * element supports; FALSE for any other caps. */
gboolean gst_dmaheap_video_info_from_caps(GstVideoInfo *info,
					  const GstCaps *caps);

#if GST_CHECK_VERSION(1, 24, 0)
#define GST_DMAHEAP_HAVE_DMA_DRM 1

/* The DMA_DRM pad template structure: memory:DMABuf, format=DMA_DRM and
 * every linear drm-format offered, any size and frame rate. */
GstCaps *gst_dmaheap_drm_template_caps(void);

/* Whether @s is a DMA_DRM structure (its format is the string DMA_DRM). */
gboolean gst_dmaheap_is_dma_drm(const GstStructure *s);

/* A copy of DMA_DRM structure @s with its linear drm-formats as plain
 * formats, drm-format removed; NULL if none is offered. An absent
 * drm-format stands for every one offered. */
GstStructure *gst_dmaheap_drm_to_plain(const GstStructure *s);

/* A copy of plain structure @s as DMA_DRM, its formats as linear
 * drm-formats; NULL if none is offered. An absent format stands for every
 * format offered. */
GstStructure *gst_dmaheap_drm_from_plain(const GstStructure *s);
#endif

G_END_DECLS

#endif /* GST_DMAHEAP_DRM_H */
