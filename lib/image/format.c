/* SPDX-License-Identifier: MIT */
/*
 * The formats the library can lay out: one table, data not code. Each
 * entry says how a DRM format stores its pixels (drm_fourcc.h describes the
 * bits; the table the blocks and subsampling) and which V4L2 pixel formats
 * have the same memory layout.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <strings.h>

#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include "image.h"
#include "core/core.h"

/* "XRGB8888" of DRM_FORMAT_XRGB8888: the name without its prefix. */
#define NAME(str) ((str) + sizeof("DRM_FORMAT_") - 1)

/* Single-plane formats of whole pixels. */
#define PACKED(fmt, bytes, v4l2_fmt) \
	{ .fourcc = (fmt), .name = NAME(#fmt), .n_planes = 1, \
	  .hsub = 1, .vsub = 1, \
	  .bpb = { (bytes) }, .block_w = { 1 }, .block_h = { 1 }, \
	  .v4l2 = (v4l2_fmt) }

/* Packed 4:2:2 YUV: 2-pixel blocks of 4 bytes. */
#define YUV422_PACKED(fmt, v4l2_fmt) \
	{ .fourcc = (fmt), .name = NAME(#fmt), .n_planes = 1, \
	  .hsub = 2, .vsub = 1, \
	  .bpb = { 4 }, .block_w = { 2 }, .block_h = { 1 }, \
	  .v4l2 = (v4l2_fmt) }

/* Luma plus one interleaved chroma plane (two samples per chroma pixel). */
#define SEMIPLANAR(fmt, cpp, h, v, v4l2_fmt, v4l2_m) \
	{ .fourcc = (fmt), .name = NAME(#fmt), .n_planes = 2, \
	  .hsub = (h), .vsub = (v), \
	  .bpb = { (cpp), 2 * (cpp) }, .block_w = { 1, 1 }, \
	  .block_h = { 1, 1 }, .v4l2 = (v4l2_fmt), .v4l2_mplane = (v4l2_m) }

/* Three planes of one sample each. */
#define PLANAR(fmt, h, v, v4l2_fmt, v4l2_m) \
	{ .fourcc = (fmt), .name = NAME(#fmt), .n_planes = 3, \
	  .hsub = (h), .vsub = (v), \
	  .bpb = { 1, 1, 1 }, .block_w = { 1, 1, 1 }, \
	  .block_h = { 1, 1, 1 }, .v4l2 = (v4l2_fmt), .v4l2_mplane = (v4l2_m) }

static const struct dmaheap_format formats[] = {
	PACKED(DRM_FORMAT_XRGB8888, 4, V4L2_PIX_FMT_XBGR32),
	PACKED(DRM_FORMAT_ARGB8888, 4, V4L2_PIX_FMT_ABGR32),
	PACKED(DRM_FORMAT_XBGR8888, 4, V4L2_PIX_FMT_RGBX32),
	PACKED(DRM_FORMAT_ABGR8888, 4, V4L2_PIX_FMT_RGBA32),
	PACKED(DRM_FORMAT_RGBX8888, 4, V4L2_PIX_FMT_BGRX32),
	PACKED(DRM_FORMAT_RGBA8888, 4, V4L2_PIX_FMT_BGRA32),
	PACKED(DRM_FORMAT_BGRX8888, 4, V4L2_PIX_FMT_XRGB32),
	PACKED(DRM_FORMAT_BGRA8888, 4, V4L2_PIX_FMT_ARGB32),
	PACKED(DRM_FORMAT_RGB888, 3, V4L2_PIX_FMT_BGR24),
	PACKED(DRM_FORMAT_BGR888, 3, V4L2_PIX_FMT_RGB24),
	PACKED(DRM_FORMAT_RGB565, 2, V4L2_PIX_FMT_RGB565),
	PACKED(DRM_FORMAT_BGR565, 2, 0),
	PACKED(DRM_FORMAT_XRGB2101010, 4, 0),
	PACKED(DRM_FORMAT_ARGB2101010, 4, 0),
	PACKED(DRM_FORMAT_XBGR2101010, 4, 0),
	PACKED(DRM_FORMAT_ABGR2101010, 4, 0),
	PACKED(DRM_FORMAT_XBGR16161616F, 8, 0),
	PACKED(DRM_FORMAT_ABGR16161616F, 8, 0),
	PACKED(DRM_FORMAT_XBGR16161616, 8, 0),
	PACKED(DRM_FORMAT_ABGR16161616, 8, 0),
	PACKED(DRM_FORMAT_R8, 1, V4L2_PIX_FMT_GREY),
	PACKED(DRM_FORMAT_R16, 2, V4L2_PIX_FMT_Y16),
	PACKED(DRM_FORMAT_GR88, 2, 0),
	PACKED(DRM_FORMAT_RG88, 2, 0),
	SEMIPLANAR(DRM_FORMAT_NV12, 1, 2, 2, V4L2_PIX_FMT_NV12,
		   V4L2_PIX_FMT_NV12M),
	SEMIPLANAR(DRM_FORMAT_NV21, 1, 2, 2, V4L2_PIX_FMT_NV21,
		   V4L2_PIX_FMT_NV21M),
	SEMIPLANAR(DRM_FORMAT_NV16, 1, 2, 1, V4L2_PIX_FMT_NV16,
		   V4L2_PIX_FMT_NV16M),
	SEMIPLANAR(DRM_FORMAT_NV61, 1, 2, 1, V4L2_PIX_FMT_NV61,
		   V4L2_PIX_FMT_NV61M),
	SEMIPLANAR(DRM_FORMAT_NV24, 1, 1, 1, V4L2_PIX_FMT_NV24, 0),
	SEMIPLANAR(DRM_FORMAT_NV42, 1, 1, 1, V4L2_PIX_FMT_NV42, 0),
	SEMIPLANAR(DRM_FORMAT_P010, 2, 2, 2, V4L2_PIX_FMT_P010, 0),
	SEMIPLANAR(DRM_FORMAT_P012, 2, 2, 2, 0, 0),
	SEMIPLANAR(DRM_FORMAT_P016, 2, 2, 2, 0, 0),
	PLANAR(DRM_FORMAT_YUV420, 2, 2, V4L2_PIX_FMT_YUV420,
	       V4L2_PIX_FMT_YUV420M),
	PLANAR(DRM_FORMAT_YVU420, 2, 2, V4L2_PIX_FMT_YVU420,
	       V4L2_PIX_FMT_YVU420M),
	PLANAR(DRM_FORMAT_YUV422, 2, 1, V4L2_PIX_FMT_YUV422P,
	       V4L2_PIX_FMT_YUV422M),
	PLANAR(DRM_FORMAT_YVU422, 2, 1, 0, V4L2_PIX_FMT_YVU422M),
	PLANAR(DRM_FORMAT_YUV444, 1, 1, 0, V4L2_PIX_FMT_YUV444M),
	PLANAR(DRM_FORMAT_YVU444, 1, 1, 0, V4L2_PIX_FMT_YVU444M),
	YUV422_PACKED(DRM_FORMAT_YUYV, V4L2_PIX_FMT_YUYV),
	YUV422_PACKED(DRM_FORMAT_YVYU, V4L2_PIX_FMT_YVYU),
	YUV422_PACKED(DRM_FORMAT_UYVY, V4L2_PIX_FMT_UYVY),
	YUV422_PACKED(DRM_FORMAT_VYUY, V4L2_PIX_FMT_VYUY),
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

const struct dmaheap_format *dmaheap_format_find(uint32_t fourcc)
{
	for (size_t i = 0; i < N_FORMATS; i++)
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	return NULL;
}

DMAHEAP_EXPORT int dmaheap_format_planes(uint32_t fourcc)
{
	const struct dmaheap_format *f = dmaheap_format_find(fourcc);

	return f ? f->n_planes : -EINVAL;
}

DMAHEAP_EXPORT uint32_t dmaheap_format_at(unsigned int index)
{
	return index < N_FORMATS ? formats[index].fourcc : 0;
}

static bool same_name(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

DMAHEAP_EXPORT int dmaheap_format_parse(const char *name, uint32_t *fourcc)
{
	char code[8];

	if (!name || !fourcc)
		return -EINVAL;
	if (strncasecmp(name, "DRM_FORMAT_", 11) == 0)
		name += 11;
	for (size_t i = 0; i < N_FORMATS; i++) {
		const struct dmaheap_format *f = &formats[i];

		if (same_name(name, f->name) ||
		    same_name(name, dmaheap_format_name(f->fourcc, code,
							sizeof(code)))) {
			*fourcc = f->fourcc;
			return 0;
		}
	}
	return -EINVAL;
}

static int printable(uint32_t fourcc)
{
	for (int i = 0; i < 4; i++) {
		unsigned int c = (fourcc >> (8 * i)) & 0xff;

		if (c < 0x20 || c > 0x7e)
			return 0;
	}
	return 1;
}

DMAHEAP_EXPORT const char *dmaheap_format_name(uint32_t fourcc, char *buf,
					       size_t len)
{
	int n;

	if (!buf)
		return NULL;
	if (!printable(fourcc)) {
		n = snprintf(buf, len, "0x%08x", (unsigned int)fourcc);
	} else {
		char s[5];

		for (int i = 0; i < 4; i++)
			s[i] = (char)((fourcc >> (8 * i)) & 0xff);
		s[4] = '\0';
		/* "R8  " is spelled "R8": the padding is not part of a name. */
		for (int i = 3; i > 0 && s[i] == ' '; i--)
			s[i] = '\0';
		n = snprintf(buf, len, "%s", s);
	}
	return n < 0 || (size_t)n >= len ? NULL : buf;
}
