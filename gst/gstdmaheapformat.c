/* SPDX-License-Identifier: MIT */
/*
 * Which GStreamer format is which DRM fourcc. GStreamer names packed RGB
 * by byte order, DRM by the little-endian word: GStreamer's BGRx is DRM's
 * XRGB8888. tests/unit/test-gst-video.c checks the layouts agree.
 */
#include <string.h>

#include <drm_fourcc.h>

#include "gstdmaheapformat.h"

static const struct {
	const char *gst; /* by name: some formats postdate older headers */
	uint32_t fourcc;
} formats[] = {
	{ "NV12", DRM_FORMAT_NV12 },
	{ "NV21", DRM_FORMAT_NV21 },
	{ "NV16", DRM_FORMAT_NV16 },
	{ "NV61", DRM_FORMAT_NV61 },
	{ "NV24", DRM_FORMAT_NV24 },
	{ "P010_10LE", DRM_FORMAT_P010 },
	{ "P012_LE", DRM_FORMAT_P012 },
	{ "P016_LE", DRM_FORMAT_P016 },
	{ "I420", DRM_FORMAT_YUV420 },
	{ "YV12", DRM_FORMAT_YVU420 },
	{ "Y42B", DRM_FORMAT_YUV422 },
	{ "Y444", DRM_FORMAT_YUV444 },
	{ "YUY2", DRM_FORMAT_YUYV },
	{ "YVYU", DRM_FORMAT_YVYU },
	{ "UYVY", DRM_FORMAT_UYVY },
	{ "VYUY", DRM_FORMAT_VYUY },
	{ "BGRx", DRM_FORMAT_XRGB8888 },
	{ "BGRA", DRM_FORMAT_ARGB8888 },
	{ "RGBx", DRM_FORMAT_XBGR8888 },
	{ "RGBA", DRM_FORMAT_ABGR8888 },
	{ "xBGR", DRM_FORMAT_RGBX8888 },
	{ "ABGR", DRM_FORMAT_RGBA8888 },
	{ "xRGB", DRM_FORMAT_BGRX8888 },
	{ "ARGB", DRM_FORMAT_BGRA8888 },
	{ "BGR", DRM_FORMAT_RGB888 },
	{ "RGB", DRM_FORMAT_BGR888 },
	{ "RGB16", DRM_FORMAT_RGB565 },
	{ "BGR16", DRM_FORMAT_BGR565 },
	{ "BGR10A2_LE", DRM_FORMAT_ARGB2101010 },
	{ "RGB10A2_LE", DRM_FORMAT_ABGR2101010 },
	{ "GRAY8", DRM_FORMAT_R8 },
	{ "GRAY16_LE", DRM_FORMAT_R16 },
	{ "RG88", DRM_FORMAT_GR88 },
	{ "GR88", DRM_FORMAT_RG88 },
};

uint32_t gst_dmaheap_format_to_fourcc(GstVideoFormat format)
{
	/* GStreamer has no name for UNKNOWN, only a critical warning. */
	const char *name = format == GST_VIDEO_FORMAT_UNKNOWN
				   ? NULL
				   : gst_video_format_to_string(format);

	for (size_t i = 0; name && i < G_N_ELEMENTS(formats); i++)
		if (strcmp(formats[i].gst, name) == 0)
			return formats[i].fourcc;
	return 0;
}

const gchar *gst_dmaheap_format_nth(guint i)
{
	return i < G_N_ELEMENTS(formats) ? formats[i].gst : NULL;
}

gchar *gst_dmaheap_format_caps_list(void)
{
	GString *s = g_string_new("{ ");

	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "",
				       formats[i].gst);
	g_string_append(s, " }");
	return g_string_free(s, FALSE);
}
