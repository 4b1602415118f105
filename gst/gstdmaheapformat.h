/* SPDX-License-Identifier: MIT */
/* GStreamer video formats and the DRM fourccs of libdmaheap's layouts. */
#ifndef GST_DMAHEAP_FORMAT_H
#define GST_DMAHEAP_FORMAT_H

#include <stdint.h>

#include <gst/video/video.h>

/* The DRM fourcc of @format, or 0 if the library has no layout for it. */
uint32_t gst_dmaheap_format_to_fourcc(GstVideoFormat format);

/* The name of the table's @i-th format, NULL past its end. */
const gchar *gst_dmaheap_format_nth(guint i);

/* The formats of the table as a caps list value, e.g. "{ NV12, I420 }". */
gchar *gst_dmaheap_format_caps_list(void);

#endif /* GST_DMAHEAP_FORMAT_H */
