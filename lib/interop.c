/* SPDX-License-Identifier: MIT */
/*
 * What other APIs need to be told about an image: the description each of
 * them takes, filled from a layout.
 */
#include <errno.h>
#include <string.h>

#include <linux/videodev2.h>

#include "format.h"

/* V4L2's single-buffer multi-plane formats (NV12, YUV420...) fix where
 * chroma goes: right after the previous plane, with plane 0's stride
 * scaled by the subsampling. */
static bool v4l2_contiguous(const struct dmaheap_format *f,
			    const struct dmaheap_image_layout *l)
{
	const struct dmaheap_plane_layout *pl = l->planes;

	if (l->padded_height != l->height)
		return false;
	for (unsigned int p = 1; p < l->n_planes; p++) {
		uint64_t num = (uint64_t)pl[0].stride * f->bpb[p];
		uint64_t den = (uint64_t)f->bpb[0] * f->hsub;

		if (num % den || pl[p].stride != num / den ||
		    pl[p].offset != pl[p - 1].offset + pl[p - 1].size)
			return false;
	}
	return true;
}

static void fill_pix(const struct dmaheap_format *f,
		     const struct dmaheap_image_layout *l,
		     struct v4l2_pix_format *pix)
{
	memset(pix, 0, sizeof(*pix));
	pix->width = l->width;
	pix->height = l->height;
	pix->pixelformat = f->v4l2;
	pix->field = V4L2_FIELD_NONE;
	pix->bytesperline = l->planes[0].stride;
	pix->sizeimage = (uint32_t)l->size;
}

static void fill_pix_mp(const struct dmaheap_format *f,
			const struct dmaheap_image_layout *l,
			struct v4l2_pix_format_mplane *mp)
{
	memset(mp, 0, sizeof(*mp));
	mp->width = l->width;
	mp->height = l->height;
	mp->field = V4L2_FIELD_NONE;
	if (l->n_buffers == 1) {
		mp->pixelformat = f->v4l2;
		mp->num_planes = 1;
		mp->plane_fmt[0].bytesperline = l->planes[0].stride;
		mp->plane_fmt[0].sizeimage = (uint32_t)l->size;
		return;
	}
	mp->pixelformat = f->v4l2_mplane;
	mp->num_planes = (uint8_t)l->n_planes;
	for (unsigned int p = 0; p < l->n_planes; p++) {
		mp->plane_fmt[p].bytesperline = l->planes[p].stride;
		mp->plane_fmt[p].sizeimage = (uint32_t)l->buffer_size[p];
	}
}

static bool is_mplane(uint32_t type)
{
	return type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ||
	       type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

static bool v4l2_fits(const struct dmaheap_format *f,
		      const struct dmaheap_image_layout *l, uint32_t type)
{
	if (l->size > UINT32_MAX)
		return false;
	if (l->n_buffers > 1)
		return is_mplane(type) && f->v4l2_mplane != 0;
	return f->v4l2 != 0 && v4l2_contiguous(f, l);
}

DMAHEAP_EXPORT int dmaheap_image_v4l2_format(
	struct dmaheap_ctx *ctx, const struct dmaheap_image_layout *layout,
	uint32_t type, struct v4l2_format *fmt)
{
	const struct dmaheap_format *f;
	char name[16];

	if (!layout || !fmt)
		return -EINVAL;
	if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE &&
	    type != V4L2_BUF_TYPE_VIDEO_OUTPUT && !is_mplane(type))
		return -EINVAL;
	f = dmaheap_format_find(layout->fourcc);
	if (!f || !v4l2_fits(f, layout, type)) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "V4L2 has no pixel format for this layout of '%s' %ux%u (%u dma-bufs)",
				  dmaheap_format_name(layout->fourcc, name,
						      sizeof(name)),
				  layout->width, layout->height,
				  layout->n_buffers);
		return -EINVAL;
	}
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = type;
	if (is_mplane(type))
		fill_pix_mp(f, layout, &fmt->fmt.pix_mp);
	else
		fill_pix(f, layout, &fmt->fmt.pix);
	return 0;
}
