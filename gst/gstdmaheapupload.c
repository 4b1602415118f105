/* SPDX-License-Identifier: MIT */
/* dmaheapupload: see gstdmaheapupload.h for the contract. */
#include <string.h>

#include <gst/allocators/gstdmabuf.h>

#include "gstdmaheapallocator.h"
#include "gstdmaheapdrm.h"
#include "gstdmaheapformat.h"
#include "gstdmaheappool.h"
#include "gstdmaheapupload.h"

#define GST_CAT_DEFAULT gst_dmaheap_debug

/* Buffers the pool keeps at least: one being filled, one downstream. */
#define POOL_MIN_BUFFERS 2

enum { PROP_0, PROP_HEAP, PROP_USAGE, PROP_POOL, PROP_SEPARATE_PLANES };

G_DEFINE_TYPE(GstDmaHeapUpload, gst_dmaheap_upload, GST_TYPE_BASE_TRANSFORM)

static GstCaps *template_caps(void)
{
	gchar *formats = gst_dmaheap_format_caps_list();
	gchar *dmabuf = g_strdup_printf(
		"video/x-raw(" GST_CAPS_FEATURE_MEMORY_DMABUF "), "
		"format=(string)%s, width=" GST_VIDEO_SIZE_RANGE ", "
		"height=" GST_VIDEO_SIZE_RANGE ", framerate=" GST_VIDEO_FPS_RANGE,
		formats);
	gchar *sysmem = g_strdup_printf(
		"video/x-raw, format=(string)%s, "
		"width=" GST_VIDEO_SIZE_RANGE ", height=" GST_VIDEO_SIZE_RANGE
		", framerate=" GST_VIDEO_FPS_RANGE,
		formats);
	GstCaps *caps = gst_caps_from_string(dmabuf);

#ifdef GST_DMAHEAP_HAVE_DMA_DRM
	gst_caps_append(caps, gst_dmaheap_drm_template_caps());
#endif
	gst_caps_append(caps, gst_caps_from_string(sysmem));
	g_free(sysmem);
	g_free(dmabuf);
	g_free(formats);
	return caps;
}

static void append(GstCaps *caps, GstStructure *s, const char *feature)
{
	if (s)
		gst_caps_append_structure_full(
			caps, s, gst_caps_features_new(feature, NULL));
}

/* @s with plain formats: a DMA_DRM one's linear drm-formats as formats;
 * NULL if it has none the element takes. */
static GstStructure *plain_structure(const GstStructure *s)
{
#ifdef GST_DMAHEAP_HAVE_DMA_DRM
	if (gst_dmaheap_is_dma_drm(s))
		return gst_dmaheap_drm_to_plain(s);
#endif
	return gst_structure_copy(s);
}

/*
 * Every structure of @caps with dma-buf memory, then as DMA_DRM (when
 * GStreamer has it), then with system memory. A DMA_DRM structure stands
 * for the plain formats of its linear drm-formats.
 */
static GstCaps *transform_caps(GstBaseTransform *trans,
			       GstPadDirection dir, GstCaps *caps,
			       GstCaps *filter)
{
	GstCaps *dmabuf = gst_caps_new_empty();
	GstCaps *drm = gst_caps_new_empty();
	GstCaps *sysmem = gst_caps_new_empty();
	GstCaps *ret;

	for (guint i = 0; i < gst_caps_get_size(caps); i++) {
		GstStructure *plain =
			plain_structure(gst_caps_get_structure(caps, i));

		if (!plain)
			continue;
#ifdef GST_DMAHEAP_HAVE_DMA_DRM
		append(drm, gst_dmaheap_drm_from_plain(plain),
		       GST_CAPS_FEATURE_MEMORY_DMABUF);
#endif
		append(dmabuf, gst_structure_copy(plain),
		       GST_CAPS_FEATURE_MEMORY_DMABUF);
		append(sysmem, plain, GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY);
	}
	ret = gst_caps_merge(gst_caps_merge(dmabuf, drm), sysmem);
	if (filter) {
		GstCaps *f = gst_caps_intersect_full(filter, ret,
						     GST_CAPS_INTERSECT_FIRST);

		gst_caps_unref(ret);
		ret = f;
	}
	return ret;
}

static gboolean set_caps(GstBaseTransform *trans, GstCaps *in, GstCaps *out)
{
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(trans);

	return gst_dmaheap_video_info_from_caps(&self->in_info, in) &&
	       gst_dmaheap_video_info_from_caps(&self->out_info, out);
}

/* A configured pool of the element's for @caps; @size gets its buffers'
 * size. */
static GstBufferPool *make_pool(GstDmaHeapUpload *self, GstCaps *caps,
				gboolean meta, guint min, guint *size)
{
	GstBufferPool *pool = gst_dmaheap_buffer_pool_new(self->allocator);
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstVideoInfo info;

	gst_dmaheap_buffer_pool_set_element(pool, GST_ELEMENT(self));
	if (!gst_dmaheap_video_info_from_caps(&info, caps))
		goto fail;
	gst_buffer_pool_config_set_params(config, caps, (guint)info.size,
					  MAX(min, POOL_MIN_BUFFERS), 0);
	gst_buffer_pool_config_set_allocator(config, self->allocator, NULL);
	if (meta)
		gst_buffer_pool_config_add_option(
			config, GST_BUFFER_POOL_OPTION_VIDEO_META);
	gst_structure_set(config, GST_DMAHEAP_POOL_SEPARATE_PLANES,
			  G_TYPE_BOOLEAN,
			  g_atomic_int_get(&self->separate_planes), NULL);
	if (!gst_buffer_pool_set_config(pool, config)) {
		config = NULL;
		goto fail;
	}
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_get_params(config, NULL, size, NULL, NULL);
	gst_structure_free(config);
	return pool;
fail:
	if (config)
		gst_structure_free(config);
	gst_object_unref(pool);
	GST_ERROR_OBJECT(self, "no pool for %" GST_PTR_FORMAT, (void *)caps);
	return NULL;
}

static gboolean decide_allocation(GstBaseTransform *trans, GstQuery *query)
{
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(trans);
	gboolean meta = gst_query_find_allocation_meta(
		query, GST_VIDEO_META_API_TYPE, NULL);
	guint min = 0, size = 0;
	GstBufferPool *pool;
	GstCaps *caps;

	gst_query_parse_allocation(query, &caps, NULL);
	if (!caps)
		return FALSE;
	if (gst_query_get_n_allocation_pools(query) > 0)
		gst_query_parse_nth_allocation_pool(query, 0, NULL, NULL, &min,
						    NULL);
	pool = make_pool(self, caps, meta, min, &size);
	if (!pool)
		return FALSE;
	/* Downstream's pool, if any, is not heap memory: ours replaces it. */
	while (gst_query_get_n_allocation_pools(query) > 0)
		gst_query_remove_nth_allocation_pool(query, 0);
	gst_query_add_allocation_pool(query, pool, size,
				      MAX(min, POOL_MIN_BUFFERS), 0);
	gst_object_unref(pool);
	return TRUE;
}

static gboolean propose_allocation(GstBaseTransform *trans,
				   GstQuery *decide_query, GstQuery *query)
{
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(trans);
	GstBufferPool *pool = NULL;
	gboolean need_pool;
	GstCaps *caps;
	guint size = 0;

	gst_query_parse_allocation(query, &caps, &need_pool);
	if (!caps)
		return FALSE;
	gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
	gst_query_add_allocation_param(query, self->allocator, NULL);
	if (!need_pool)
		return TRUE;
	pool = make_pool(self, caps, TRUE, 0, &size);
	if (!pool)
		return FALSE;
	gst_query_add_allocation_pool(query, pool, size, POOL_MIN_BUFFERS, 0);
	gst_object_unref(pool);
	return TRUE;
}

static gboolean all_dmabuf(GstBuffer *buf)
{
	guint n = gst_buffer_n_memory(buf);

	for (guint i = 0; i < n; i++)
		if (!gst_is_dmabuf_memory(gst_buffer_peek_memory(buf, i)))
			return FALSE;
	return n > 0;
}

static GstFlowReturn prepare_output_buffer(GstBaseTransform *trans,
					   GstBuffer *in, GstBuffer **out)
{
	/* dma-buf already: through untouched, no copy. */
	if (all_dmabuf(in)) {
		*out = in;
		return GST_FLOW_OK;
	}
	return GST_BASE_TRANSFORM_CLASS(gst_dmaheap_upload_parent_class)
		->prepare_output_buffer(trans, in, out);
}

/*
 * Plane @p of @src into @dst: with equal strides one memcpy() of all its
 * rows (the last one only as wide as the picture), else one a row. What
 * gst_video_frame_copy() does for the formats the element takes, without
 * its per-row calls where one call will do. FALSE for a plane whose row
 * size does not follow from its components (left to GStreamer).
 */
static gboolean copy_plane(GstVideoFrame *dst, const GstVideoFrame *src,
			   guint p)
{
	const GstVideoFormatInfo *f = dst->info.finfo;
	const guint8 *s = GST_VIDEO_FRAME_PLANE_DATA(src, p);
	guint8 *d = GST_VIDEO_FRAME_PLANE_DATA(dst, p);
	gint ss = GST_VIDEO_FRAME_PLANE_STRIDE(src, p);
	gint ds = GST_VIDEO_FRAME_PLANE_STRIDE(dst, p);
	gsize row, rows;

	if (GST_VIDEO_FORMAT_INFO_IS_TILED(f) ||
	    GST_VIDEO_FORMAT_INFO_HAS_PALETTE(f) ||
	    GST_VIDEO_FRAME_COMP_PSTRIDE(dst, p) <= 0)
		return FALSE;
	/* As GStreamer: plane p's row size from component p. */
	row = (gsize)GST_VIDEO_FRAME_COMP_WIDTH(dst, p) *
	      (gsize)GST_VIDEO_FRAME_COMP_PSTRIDE(dst, p);
	rows = (gsize)GST_VIDEO_FRAME_COMP_HEIGHT(dst, p);
	if (ss <= 0 || ds <= 0 || row > (gsize)MIN(ss, ds))
		return FALSE;
	if (rows == 0)
		return TRUE;
	if (ss == ds) {
		memcpy(d, s, (rows - 1) * (gsize)ss + row);
		return TRUE;
	}
	for (gsize i = 0; i < rows; i++)
		memcpy(d + i * (gsize)ds, s + i * (gsize)ss, row);
	return TRUE;
}

static gboolean copy_frame(GstVideoFrame *dst, const GstVideoFrame *src)
{
	for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(dst); p++)
		if (!copy_plane(dst, src, p) &&
		    !gst_video_frame_copy_plane(dst, src, p))
			return FALSE;
	return TRUE;
}

static GstFlowReturn transform(GstBaseTransform *trans, GstBuffer *in,
			       GstBuffer *out)
{
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(trans);
	GstVideoFrame src, dst;
	gboolean ok;

	if (in == out)
		return GST_FLOW_OK;
	if (!gst_video_frame_map(&src, &self->in_info, in, GST_MAP_READ))
		goto map_failed;
	/* The write is bracketed by the allocator's map and unmap. */
	if (!gst_video_frame_map(&dst, &self->out_info, out, GST_MAP_WRITE)) {
		gst_video_frame_unmap(&src);
		goto map_failed;
	}
	ok = copy_frame(&dst, &src);
	gst_video_frame_unmap(&dst);
	gst_video_frame_unmap(&src);
	if (!ok) {
		GST_ELEMENT_ERROR(self, STREAM, FAILED, (NULL),
				  ("copying the frame failed"));
		return GST_FLOW_ERROR;
	}
	return GST_FLOW_OK;
map_failed:
	GST_ELEMENT_ERROR(self, RESOURCE, FAILED, (NULL),
			  ("cannot map a frame (see the dmaheap debug "
			   "category)"));
	return GST_FLOW_ERROR;
}

static void set_property(GObject *obj, guint id, const GValue *v,
			 GParamSpec *pspec)
{
	static const char *const names[] = { NULL, "heap", "usage", "pool" };
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(obj);

	if (id == PROP_SEPARATE_PLANES) {
		g_atomic_int_set(&self->separate_planes,
				 g_value_get_boolean(v));
		return;
	}
	if (id == PROP_0 || id >= G_N_ELEMENTS(names)) {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
		return;
	}
	g_object_set_property(G_OBJECT(self->allocator), names[id], v);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *pspec)
{
	static const char *const names[] = { NULL, "heap", "usage", "pool" };
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(obj);

	if (id == PROP_SEPARATE_PLANES) {
		g_value_set_boolean(v, g_atomic_int_get(&self->separate_planes));
		return;
	}
	if (id == PROP_0 || id >= G_N_ELEMENTS(names)) {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
		return;
	}
	g_object_get_property(G_OBJECT(self->allocator), names[id], v);
}

static void finalize(GObject *obj)
{
	GstDmaHeapUpload *self = GST_DMAHEAP_UPLOAD(obj);

	gst_clear_object(&self->allocator);
	G_OBJECT_CLASS(gst_dmaheap_upload_parent_class)->finalize(obj);
}

static void gst_dmaheap_upload_class_init(GstDmaHeapUploadClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstBaseTransformClass *bc = GST_BASE_TRANSFORM_CLASS(klass);
	GstCaps *caps = template_caps();

	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	gst_dmaheap_install_properties(oc, PROP_HEAP);
	g_object_class_install_property(oc, PROP_SEPARATE_PLANES,
		g_param_spec_boolean("separate-planes", "Separate planes",
			"One dma-buf per plane in the pool's buffers (for a "
			"multi-planar V4L2 device importing NV12M and the like)",
			FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
	gst_element_class_add_pad_template(ec,
		gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
				     caps));
	gst_element_class_add_pad_template(ec,
		gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				     caps));
	gst_caps_unref(caps);
	gst_element_class_set_static_metadata(ec, "DMA-BUF heap upload",
		"Filter/Video", "Puts video frames into DMA-BUF heap memory",
		"libdmaheap");
	bc->transform_caps = transform_caps;
	bc->set_caps = set_caps;
	bc->decide_allocation = decide_allocation;
	bc->propose_allocation = propose_allocation;
	bc->prepare_output_buffer = prepare_output_buffer;
	bc->transform = transform;
}

static void gst_dmaheap_upload_init(GstDmaHeapUpload *self)
{
	self->allocator = gst_dmaheap_allocator_new(NULL, 0);
}
