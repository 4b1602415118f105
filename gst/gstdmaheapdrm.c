/* SPDX-License-Identifier: MIT */
/* DMA_DRM caps: see gstdmaheapdrm.h for the contract. */
#include <drm_fourcc.h>

#include "gstdmaheapallocator.h"
#include "gstdmaheapdrm.h"
#include "gstdmaheapformat.h"

#define GST_CAT_DEFAULT gst_dmaheap_debug

#ifdef GST_DMAHEAP_HAVE_DMA_DRM

typedef gchar *(*name_map)(const gchar *name);

/* The linear drm-format of @name, or NULL if it is not offered. */
static gchar *plain_to_drm(const gchar *name)
{
	GstVideoFormat format = gst_video_format_from_string(name);
	uint32_t fourcc = gst_dmaheap_format_to_fourcc(format);

	if (!fourcc || gst_video_dma_drm_fourcc_from_format(format) != fourcc)
		return NULL;
	return gst_video_dma_drm_fourcc_to_string(fourcc,
						  DRM_FORMAT_MOD_LINEAR);
}

/* The format of drm-format @name if it is linear and offered. */
static GstVideoFormat linear_format(const gchar *name)
{
	guint64 modifier = DRM_FORMAT_MOD_INVALID;
	guint32 fourcc = gst_video_dma_drm_fourcc_from_string(name, &modifier);
	GstVideoFormat format;

	if (!fourcc || modifier != DRM_FORMAT_MOD_LINEAR)
		return GST_VIDEO_FORMAT_UNKNOWN;
	format = gst_video_dma_drm_fourcc_to_format(fourcc);
	if (gst_dmaheap_format_to_fourcc(format) != fourcc)
		return GST_VIDEO_FORMAT_UNKNOWN;
	return format;
}

static gchar *drm_to_plain(const gchar *name)
{
	GstVideoFormat format = linear_format(name);

	if (format == GST_VIDEO_FORMAT_UNKNOWN)
		return NULL;
	return g_strdup(gst_video_format_to_string(format));
}

static void append_name(GValue *list, gchar *name)
{
	GValue v = G_VALUE_INIT;

	g_value_init(&v, G_TYPE_STRING);
	g_value_take_string(&v, name);
	gst_value_list_append_and_take_value(list, &v);
}

static void map_one(const GValue *v, name_map map, GValue *list)
{
	gchar *name;

	if (G_VALUE_HOLDS_STRING(v) && g_value_get_string(v) &&
	    (name = map(g_value_get_string(v))))
		append_name(list, name);
}

/* Every format offered as DMA_DRM, as drm-formats if @drm, else as
 * GStreamer's names. */
static void offered(GValue *list, gboolean drm)
{
	const gchar *name;

	for (guint i = 0; (name = gst_dmaheap_format_nth(i)); i++) {
		gchar *d = plain_to_drm(name);

		if (d && !drm) {
			g_free(d);
			d = g_strdup(name);
		}
		if (d)
			append_name(list, d);
	}
}

/* @v (a string, a list of them, or NULL for every one offered) through
 * @map into @list. */
static void map_names(const GValue *v, name_map map, gboolean drm,
		      GValue *list)
{
	if (!v)
		offered(list, drm);
	else if (GST_VALUE_HOLDS_LIST(v))
		for (guint i = 0; i < gst_value_list_get_size(v); i++)
			map_one(gst_value_list_get_value(v, i), map, list);
	else
		map_one(v, map, list);
}

/* @field of @s set to @list's names (taken), a plain string if there is
 * one; FALSE if there is none. */
static gboolean set_names(GstStructure *s, const gchar *field, GValue *list)
{
	guint n = gst_value_list_get_size(list);

	if (n == 1)
		gst_structure_set_value(s, field,
					gst_value_list_get_value(list, 0));
	if (n > 1)
		gst_structure_take_value(s, field, list);
	else
		g_value_unset(list);
	return n > 0;
}

GstCaps *gst_dmaheap_drm_template_caps(void)
{
	GstCaps *caps = gst_caps_from_string(GST_VIDEO_DMA_DRM_CAPS_MAKE);
	GValue list = G_VALUE_INIT;

	g_value_init(&list, GST_TYPE_LIST);
	offered(&list, TRUE);
	/* Without drm-format it would take any, tiled ones too. */
	if (!set_names(gst_caps_get_structure(caps, 0), "drm-format", &list)) {
		gst_caps_unref(caps);
		return gst_caps_new_empty();
	}
	return caps;
}

gboolean gst_dmaheap_is_dma_drm(const GstStructure *s)
{
	return g_strcmp0(gst_structure_get_string(s, "format"), "DMA_DRM") ==
	       0;
}

GstStructure *gst_dmaheap_drm_to_plain(const GstStructure *s)
{
	GstStructure *out = gst_structure_copy(s);
	GValue list = G_VALUE_INIT;

	g_value_init(&list, GST_TYPE_LIST);
	map_names(gst_structure_get_value(s, "drm-format"), drm_to_plain,
		  FALSE, &list);
	gst_structure_remove_field(out, "drm-format");
	if (!set_names(out, "format", &list)) {
		gst_structure_free(out);
		return NULL;
	}
	return out;
}

GstStructure *gst_dmaheap_drm_from_plain(const GstStructure *s)
{
	GstStructure *out = gst_structure_copy(s);
	GValue list = G_VALUE_INIT;

	g_value_init(&list, GST_TYPE_LIST);
	map_names(gst_structure_get_value(s, "format"), plain_to_drm, TRUE,
		  &list);
	gst_structure_set(out, "format", G_TYPE_STRING, "DMA_DRM", NULL);
	if (!set_names(out, "drm-format", &list)) {
		gst_structure_free(out);
		return NULL;
	}
	return out;
}

/* GStreamer takes a non-linear NV12 for NV12 in GStreamer's layout: the
 * modifier is checked here, first. */
static gboolean drm_video_info(GstVideoInfo *info, const GstCaps *caps)
{
	const gchar *name = gst_structure_get_string(
		gst_caps_get_structure(caps, 0), "drm-format");
	GstVideoInfoDmaDrm drm;

	if (!name || linear_format(name) == GST_VIDEO_FORMAT_UNKNOWN) {
		GST_WARNING("drm-format %s is not a linear format of the "
			    "element's: heap buffers are linear",
			    name ? name : "(none)");
		return FALSE;
	}
	gst_video_info_dma_drm_init(&drm);
	return gst_video_info_dma_drm_from_caps(&drm, caps) &&
	       gst_video_info_dma_drm_to_video_info(&drm, info);
}
#endif /* GST_DMAHEAP_HAVE_DMA_DRM */

gboolean gst_dmaheap_video_info_from_caps(GstVideoInfo *info,
					  const GstCaps *caps)
{
#ifdef GST_DMAHEAP_HAVE_DMA_DRM
	if (gst_video_is_dma_drm_caps(caps))
		return drm_video_info(info, caps);
#endif
	return gst_video_info_from_caps(info, caps);
}
