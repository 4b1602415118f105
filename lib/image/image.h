/* SPDX-License-Identifier: MIT */
/*
 * What image/'s files share: the per-format table (format.c) and the
 * layout check (layout.c) that images, interop and hand-off build on.
 * No other folder includes this.
 */
#ifndef DMAHEAP_IMAGE_H
#define DMAHEAP_IMAGE_H

#include <stdint.h>

#include "core/core.h"

/*
 * How one DRM format stores its pixels. A plane is rows of blocks; a block
 * is block_w x block_h pixels of that plane in bpb bytes. Planes 1 and up
 * of a YUV format cover the image subsampled by hsub x vsub.
 */
struct dmaheap_format {
	uint32_t fourcc;
	const char *name; /* drm_fourcc.h's, without DRM_FORMAT_ */
	uint8_t n_planes;
	uint8_t hsub;
	uint8_t vsub;
	uint8_t bpb[DMAHEAP_IMAGE_MAX_PLANES];
	uint8_t block_w[DMAHEAP_IMAGE_MAX_PLANES];
	uint8_t block_h[DMAHEAP_IMAGE_MAX_PLANES];
	/* The V4L2 pixel formats of the same memory layout: all planes in one
	 * buffer, and one buffer per plane ("M" formats); 0 where V4L2 has
	 * none. */
	uint32_t v4l2;
	uint32_t v4l2_mplane;
};

/* The table entry of @fourcc, or NULL. */
const struct dmaheap_format *dmaheap_format_find(uint32_t fourcc);

/* layout.c */

/* Logs through @ctx when there is one: layouts may be computed without. */
#define dmaheap_image_log(ctx, prio, ...) \
	do { \
		if (ctx) \
			dmaheap_log((ctx), (prio), __VA_ARGS__); \
	} while (0)

int dmaheap_layout_check(struct dmaheap_ctx *ctx,
			 const struct dmaheap_image_layout *l);

#endif /* DMAHEAP_IMAGE_H */
