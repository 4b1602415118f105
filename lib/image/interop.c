/* SPDX-License-Identifier: MIT */
/*
 * What other APIs need to be told about an image: the description each of
 * them takes, filled from a layout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>
#include <linux/videodev2.h>

#include "image.h"

/*
 * V4L2's single-buffer multi-plane formats (NV12, YUV420...) fix where
 * chroma goes: right after the previous plane, which holds exactly
 * @height rows, with plane 0's stride scaled by the subsampling. NULL if
 * @l is so, else why not, in @why.
 */
static const char *v4l2_packing(const struct dmaheap_format *f,
				const struct dmaheap_image_layout *l,
				char *why, size_t len)
{
	const struct dmaheap_plane_layout *pl = l->planes;

	if (l->padded_height != l->height && l->n_planes == 1) {
		snprintf(why, len,
			 "its rows are padded to %u for a height of %u, and V4L2's '%s' describes exactly %u rows; lay it out with height_align 1",
			 l->padded_height, l->height, f->name, l->height);
		return why;
	}
	if (l->padded_height != l->height) {
		snprintf(why, len,
			 "its planes are padded to %u rows for a height of %u, and V4L2's single-buffer '%s' puts plane 1 right after %u rows of plane 0; lay it out with height_align 1, or with DMAHEAP_PLANES_SEPARATE for V4L2's separate-plane format and a _MPLANE buffer type",
			 l->padded_height, l->height, f->name, l->height);
		return why;
	}
	for (unsigned int p = 1; p < l->n_planes; p++) {
		uint64_t num = (uint64_t)pl[0].stride * f->bpb[p];
		uint64_t den = (uint64_t)f->bpb[0] * f->hsub;

		if (num % den || pl[p].stride != num / den) {
			snprintf(why, len,
				 "plane %u's stride is %u bytes, and V4L2 derives %.1f from plane 0's %u (drop stride_align, or use separate planes)",
				 p, pl[p].stride, (double)num / (double)den,
				 pl[0].stride);
			return why;
		}
		if (pl[p].offset != pl[p - 1].offset + pl[p - 1].size) {
			snprintf(why, len,
				 "plane %u starts at byte %llu, and V4L2 needs it right after plane %u, at %llu (drop offset_align, or use separate planes)",
				 p, (unsigned long long)pl[p].offset, p - 1,
				 (unsigned long long)(pl[p - 1].offset +
						      pl[p - 1].size));
			return why;
		}
	}
	return NULL;
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

/* NULL if V4L2 can describe @l as @type, else why not, in @why. */
static const char *v4l2_refusal(const struct dmaheap_format *f,
				const struct dmaheap_image_layout *l,
				uint32_t type, char *why, size_t len)
{
	if (!f)
		return "V4L2 has no pixel format for this fourcc";
	if (l->size > UINT32_MAX) {
		snprintf(why, len, "%llu bytes is over V4L2's 32-bit sizeimage",
			 (unsigned long long)l->size);
		return why;
	}
	if (l->n_buffers > 1) {
		if (!is_mplane(type))
			return "separate planes need a _MPLANE buffer type";
		return f->v4l2_mplane ? NULL :
		       "V4L2 has no separate-plane format for this fourcc";
	}
	if (!f->v4l2)
		return "V4L2 has no single-buffer format for this fourcc";
	return v4l2_packing(f, l, why, len);
}

DMAHEAP_EXPORT int dmaheap_image_v4l2_format(
	struct dmaheap_ctx *ctx, const struct dmaheap_image_layout *layout,
	uint32_t type, struct v4l2_format *fmt)
{
	const struct dmaheap_format *f;
	const char *refusal;
	char name[16], why[320];

	if (!layout || !fmt)
		return -EINVAL;
	if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE &&
	    type != V4L2_BUF_TYPE_VIDEO_OUTPUT && !is_mplane(type))
		return -EINVAL;
	f = dmaheap_format_find(layout->fourcc);
	refusal = v4l2_refusal(f, layout, type, why, sizeof(why));
	if (refusal) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "no V4L2 format for '%s' %ux%u in %u dma-buf%s: %s",
				  dmaheap_format_name(layout->fourcc, name,
						      sizeof(name)),
				  layout->width, layout->height,
				  layout->n_buffers,
				  layout->n_buffers == 1 ? "" : "s", refusal);
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

DMAHEAP_EXPORT int dmaheap_image_gst_drm_format(
	const struct dmaheap_image_layout *layout, char *buf, size_t len)
{
	if (!layout || !buf || !dmaheap_format_find(layout->fourcc) ||
	    layout->modifier != DRM_FORMAT_MOD_LINEAR)
		return -EINVAL;
	if (len < 5)
		return -ENOSPC;
	/* GStreamer writes all four characters ("R8  ") and, for LINEAR, no
	 * modifier: its parser refuses an explicit ":0x0000000000000000". */
	for (int i = 0; i < 4; i++)
		buf[i] = (char)((layout->fourcc >> (8 * i)) & 0xff);
	buf[4] = '\0';
	return 4;
}

/* EGL_EXT_image_dma_buf_import and _modifiers (Khronos registry). */
#define EGL_NONE_ 0x3038
#define EGL_WIDTH_ 0x3057
#define EGL_HEIGHT_ 0x3056
#define EGL_LINUX_DRM_FOURCC_EXT_ 0x3271

static const int32_t egl_plane_keys[DMAHEAP_IMAGE_MAX_PLANES][5] = {
	/* FD, OFFSET, PITCH, MODIFIER_LO, MODIFIER_HI */
	{ 0x3272, 0x3273, 0x3274, 0x3443, 0x3444 },
	{ 0x3275, 0x3276, 0x3277, 0x3445, 0x3446 },
	{ 0x3278, 0x3279, 0x327a, 0x3447, 0x3448 },
	{ 0x3440, 0x3441, 0x3442, 0x3449, 0x344a },
};

#define EGL_ATTRIB_MAX (6 + 10 * DMAHEAP_IMAGE_MAX_PLANES + 1)
_Static_assert(EGL_ATTRIB_MAX == DMAHEAP_EGL_ATTRIBS_MAX,
	       "the header's bound is the real one");

DMAHEAP_EXPORT int dmaheap_image_egl_attribs(const struct dmaheap_image *img,
					     int32_t *attribs, size_t n)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	int32_t a[EGL_ATTRIB_MAX];
	size_t k = 0;

	if (!l || !attribs)
		return -EINVAL;
	if (l->width > INT32_MAX || l->height > INT32_MAX)
		return -EOVERFLOW;
	a[k++] = EGL_WIDTH_;
	a[k++] = (int32_t)l->width;
	a[k++] = EGL_HEIGHT_;
	a[k++] = (int32_t)l->height;
	a[k++] = EGL_LINUX_DRM_FOURCC_EXT_;
	a[k++] = (int32_t)l->fourcc;
	for (unsigned int p = 0; p < l->n_planes; p++) {
		const int32_t *key = egl_plane_keys[p];

		/* EGLint attributes: offsets past 2 GiB cannot be said. */
		if (l->planes[p].offset > INT32_MAX ||
		    l->planes[p].stride > INT32_MAX)
			return -EOVERFLOW;
		a[k++] = key[0];
		a[k++] = dmaheap_image_plane_fd(img, p);
		a[k++] = key[1];
		a[k++] = (int32_t)l->planes[p].offset;
		a[k++] = key[2];
		a[k++] = (int32_t)l->planes[p].stride;
		a[k++] = key[3];
		a[k++] = (int32_t)(uint32_t)(l->modifier & 0xffffffffu);
		a[k++] = key[4];
		a[k++] = (int32_t)(uint32_t)(l->modifier >> 32);
	}
	a[k++] = EGL_NONE_;
	if (n < k)
		return -ENOSPC;
	memcpy(attribs, a, k * sizeof(a[0]));
	return (int)k;
}

static int prime_import(const struct dmaheap_sys *sys, int drm_fd, int fd,
			uint32_t *handle)
{
	struct drm_prime_handle h = { .fd = fd };
	int r;

	do
		r = sys->ioctl(sys, drm_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &h);
	while (r == -EINTR || r == -EAGAIN);
	if (r == 0)
		*handle = h.handle;
	return r;
}

static void gem_close(const struct dmaheap_sys *sys, int drm_fd,
		      uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	sys->ioctl(sys, drm_fd, DRM_IOCTL_GEM_CLOSE, &c);
}

DMAHEAP_EXPORT int dmaheap_image_drm_fb(const struct dmaheap_image *img,
					int drm_fd, struct dmaheap_drm_fb *out)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	uint32_t handles[DMAHEAP_IMAGE_MAX_PLANES] = { 0 };
	const struct dmaheap_sys *sys;
	struct dmaheap_drm_fb fb;
	unsigned int b;
	int r = 0;

	if (!l || !out || drm_fd < 0)
		return -EINVAL;
	if (l->planes[l->n_planes - 1].offset > UINT32_MAX)
		return -EOVERFLOW;
	sys = dmaheap_image_buf(img, 0)->ctx->sys;
	for (b = 0; r == 0 && b < l->n_buffers; b++)
		r = prime_import(sys, drm_fd,
				 dmaheap_buf_fd(dmaheap_image_buf(img, b)),
				 &handles[b]);
	if (r) {
		/* b - 1 failed; the ones before it hold handles. */
		for (unsigned int i = 0; i + 1 < b; i++)
			gem_close(sys, drm_fd, handles[i]);
		return r;
	}
	memset(&fb, 0, sizeof(fb));
	fb.width = l->width;
	fb.height = l->height;
	fb.fourcc = l->fourcc;
	fb.flags = DRM_MODE_FB_MODIFIERS;
	for (unsigned int p = 0; p < l->n_planes; p++) {
		fb.handles[p] = handles[l->planes[p].buffer];
		fb.pitches[p] = l->planes[p].stride;
		fb.offsets[p] = (uint32_t)l->planes[p].offset;
		fb.modifiers[p] = l->modifier;
	}
	*out = fb;
	return 0;
}
