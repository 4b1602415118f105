/* SPDX-License-Identifier: MIT */
/*
 * Image layouts: merging consumers' constraints, and from format, size and
 * constraints to planes, strides, offsets and sizes (the rules are in
 * dmaheap.h, "Images"). Pure arithmetic: no system call, no allocation.
 */
#include <errno.h>
#include <string.h>

#include <drm_fourcc.h>

#include "image.h"

static const char *const align_names[] = {
	"stride", "offset", "height", "size",
};

#define N_ALIGNS 4

static void get_aligns(const struct dmaheap_image_constraints *c,
		       uint32_t v[N_ALIGNS])
{
	v[0] = c->stride_align;
	v[1] = c->offset_align;
	v[2] = c->height_align;
	v[3] = c->size_align;
}

static int check_constraints(struct dmaheap_ctx *ctx,
			     const struct dmaheap_image_constraints *c)
{
	uint32_t v[N_ALIGNS];

	get_aligns(c, v);
	for (size_t i = 0; i < N_ALIGNS; i++) {
		if (v[i] > DMAHEAP_IMAGE_ALIGN_MAX) {
			dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
					  "%s alignment %u is over DMAHEAP_IMAGE_ALIGN_MAX (%u)",
					  align_names[i], v[i],
					  DMAHEAP_IMAGE_ALIGN_MAX);
			return -EINVAL;
		}
	}
	if (c->placement > DMAHEAP_PLANES_SEPARATE) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "unknown plane placement %u", c->placement);
		return -EINVAL;
	}
	return 0;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The least common multiple of two alignments (0 counts as 1). */
static uint64_t lcm(uint32_t a, uint32_t b)
{
	uint64_t x = a ? a : 1, y = b ? b : 1;

	return x / gcd(x, y) * y;
}

static int merge_placement(struct dmaheap_ctx *ctx, uint32_t a, uint32_t b,
			   uint32_t *out)
{
	if (a != DMAHEAP_PLANES_ANY && b != DMAHEAP_PLANES_ANY && a != b) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "constraints conflict: one consumer needs all planes in one dma-buf, another one dma-buf per plane");
		return -EINVAL;
	}
	*out = a != DMAHEAP_PLANES_ANY ? a : b;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_image_constraints_merge(
	struct dmaheap_ctx *ctx, const struct dmaheap_image_constraints *a,
	const struct dmaheap_image_constraints *b,
	struct dmaheap_image_constraints *out)
{
	uint32_t va[N_ALIGNS], vb[N_ALIGNS], res[N_ALIGNS], placement;
	int r;

	if (!a || !b || !out)
		return -EINVAL;
	r = check_constraints(ctx, a);
	if (r == 0)
		r = check_constraints(ctx, b);
	if (r == 0)
		r = merge_placement(ctx, a->placement, b->placement,
				    &placement);
	if (r)
		return r;
	get_aligns(a, va);
	get_aligns(b, vb);
	for (int i = 0; i < N_ALIGNS; i++) {
		uint64_t m = lcm(va[i], vb[i]);

		if (m > DMAHEAP_IMAGE_ALIGN_MAX) {
			dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
					  "constraints conflict: no %s alignment up to DMAHEAP_IMAGE_ALIGN_MAX (%u) is a multiple of both %u and %u",
					  align_names[i],
					  DMAHEAP_IMAGE_ALIGN_MAX, va[i],
					  vb[i]);
			return -EINVAL;
		}
		/* Keep "no constraint" as 0, as callers wrote it. */
		res[i] = (va[i] | vb[i]) ? (uint32_t)m : 0;
	}
	out->stride_align = res[0];
	out->offset_align = res[1];
	out->height_align = res[2];
	out->size_align = res[3];
	out->placement = placement;
	return 0;
}

/* The largest size a dma-buf can have here: it must fit in size_t for
 * mmap and in off_t, which is how lseek(2) reports a dma-buf's size. */
#define SIZE_LIMIT ((uint64_t)SIZE_MAX < (uint64_t)INT64_MAX \
			    ? (uint64_t)SIZE_MAX : (uint64_t)INT64_MAX)

static uint64_t div_round_up(uint64_t v, uint64_t d)
{
	return v / d + (v % d != 0);
}

/* @v rounded up to a multiple of @align (0 counts as 1), or -EOVERFLOW
 * when that leaves 64 bits. */
static int round_up(uint64_t v, uint32_t align, uint64_t *out)
{
	uint64_t a = align ? align : 1;

	if (__builtin_mul_overflow(div_round_up(v, a), a, out))
		return -EOVERFLOW;
	return 0;
}

static int check_spec(struct dmaheap_ctx *ctx,
		      const struct dmaheap_image_spec *spec,
		      const struct dmaheap_format **fmt)
{
	char name[16];

	if (spec->width == 0 || spec->height == 0)
		return -EINVAL;
	*fmt = dmaheap_format_find(spec->fourcc);
	if (!*fmt) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "format '%s' has no layout in libdmaheap",
				  dmaheap_format_name(spec->fourcc, name,
						      sizeof(name)));
		return -EINVAL;
	}
	if (spec->modifier != DRM_FORMAT_MOD_LINEAR) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "modifier 0x%016llx of '%s': only DRM_FORMAT_MOD_LINEAR is supported",
				  (unsigned long long)spec->modifier,
				  dmaheap_format_name(spec->fourcc, name,
						      sizeof(name)));
		return -EOPNOTSUPP;
	}
	return check_constraints(ctx, &spec->constraints);
}

/* The smallest stride of plane @p of an image @width pixels wide. */
static uint64_t min_stride(const struct dmaheap_format *f, unsigned int p,
			   uint32_t width)
{
	uint64_t w = p ? div_round_up(width, f->hsub) : width;

	return div_round_up(w, f->block_w[p]) * f->bpb[p];
}

/* Rows of blocks of plane @p of an image @height rows high. */
static uint64_t plane_rows(const struct dmaheap_format *f, unsigned int p,
			   uint64_t height)
{
	uint64_t h = p ? div_round_up(height, f->vsub) : height;

	return div_round_up(h, f->block_h[p]);
}

/* A plane's row rounded up to the alignment. For chroma this is also
 * V4L2's and minigbm's "plane 0's stride scaled" once both are aligned. */
static int plane_stride(const struct dmaheap_format *f, unsigned int p,
			uint32_t width, uint32_t align, uint64_t *out)
{
	if (round_up(min_stride(f, p, width), align, out) || *out > UINT32_MAX)
		return -EOVERFLOW;
	return 0;
}

static int place_planes(struct dmaheap_image_layout *l,
			const struct dmaheap_image_constraints *c)
{
	bool separate = c->placement == DMAHEAP_PLANES_SEPARATE;
	uint64_t end = 0, total = 0;

	l->n_buffers = separate ? l->n_planes : 1;
	for (unsigned int p = 0; p < l->n_planes; p++) {
		struct dmaheap_plane_layout *pl = &l->planes[p];

		if (separate) {
			pl->buffer = p;
			if (round_up(pl->size, c->size_align,
				     &l->buffer_size[p]))
				return -EOVERFLOW;
			continue;
		}
		if (p && round_up(end, c->offset_align, &pl->offset))
			return -EOVERFLOW;
		if (__builtin_add_overflow(pl->offset, pl->size, &end))
			return -EOVERFLOW;
	}
	if (!separate && round_up(end, c->size_align, &l->buffer_size[0]))
		return -EOVERFLOW;
	for (unsigned int b = 0; b < l->n_buffers; b++) {
		if (l->buffer_size[b] > SIZE_LIMIT ||
		    __builtin_add_overflow(total, l->buffer_size[b], &total))
			return -EOVERFLOW;
	}
	if (total > SIZE_LIMIT)
		return -EOVERFLOW;
	l->size = total;
	return 0;
}

static int compute(const struct dmaheap_format *f,
		   const struct dmaheap_image_spec *spec,
		   struct dmaheap_image_layout *l)
{
	const struct dmaheap_image_constraints *c = &spec->constraints;
	uint64_t height;

	if (round_up(spec->height, c->height_align, &height) ||
	    height > UINT32_MAX)
		return -EOVERFLOW;
	l->fourcc = spec->fourcc;
	l->width = spec->width;
	l->height = spec->height;
	l->padded_height = (uint32_t)height;
	l->modifier = spec->modifier;
	l->n_planes = f->n_planes;
	for (unsigned int p = 0; p < f->n_planes; p++) {
		uint64_t stride;

		if (plane_stride(f, p, spec->width, c->stride_align, &stride))
			return -EOVERFLOW;
		l->planes[p].stride = (uint32_t)stride;
		if (__builtin_mul_overflow(stride, plane_rows(f, p, height),
					   &l->planes[p].size))
			return -EOVERFLOW;
	}
	return place_planes(l, c);
}

DMAHEAP_EXPORT int dmaheap_image_layout(struct dmaheap_ctx *ctx,
					const struct dmaheap_image_spec *spec,
					struct dmaheap_image_layout *out)
{
	const struct dmaheap_format *f;
	struct dmaheap_image_layout l;
	char name[16];
	int r;

	if (!spec || !out)
		return -EINVAL;
	r = check_spec(ctx, spec, &f);
	if (r)
		return r;
	memset(&l, 0, sizeof(l));
	r = compute(f, spec, &l);
	if (r) {
		dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
				  "'%s' %ux%u is too large: a stride over 4 GiB or a size mmap and lseek cannot express",
				  dmaheap_format_name(spec->fourcc, name,
						      sizeof(name)),
				  spec->width, spec->height);
		return r;
	}
	*out = l;
	return 0;
}

/* Where plane @p of @l ends in its buffer, or 0 on overflow. */
static uint64_t plane_end(const struct dmaheap_image_layout *l, unsigned int p)
{
	uint64_t end;

	if (__builtin_add_overflow(l->planes[p].offset, l->planes[p].size,
				   &end))
		return 0;
	return end;
}

static bool plane_sane(const struct dmaheap_format *f,
		       const struct dmaheap_image_layout *l, unsigned int p)
{
	const struct dmaheap_plane_layout *pl = &l->planes[p];
	uint64_t need, end = plane_end(l, p);

	if (pl->buffer != (l->n_buffers == 1 ? 0 : p))
		return false;
	if (pl->stride < min_stride(f, p, l->width))
		return false;
	if (__builtin_mul_overflow((uint64_t)pl->stride,
				   plane_rows(f, p, l->height), &need) ||
	    pl->size < need)
		return false;
	if (end == 0 || end > l->buffer_size[pl->buffer])
		return false;
	/* Planes sharing a buffer come in order and do not overlap. */
	return l->n_buffers != 1 || p == 0 || pl->offset >= plane_end(l, p - 1);
}

static bool layout_sane(const struct dmaheap_format *f,
			const struct dmaheap_image_layout *l)
{
	uint64_t total = 0;

	if (l->width == 0 || l->height == 0 || l->padded_height < l->height ||
	    l->modifier != DRM_FORMAT_MOD_LINEAR ||
	    l->n_planes != f->n_planes ||
	    (l->n_buffers != 1 && l->n_buffers != l->n_planes))
		return false;
	for (unsigned int p = 0; p < l->n_planes; p++)
		if (!plane_sane(f, l, p))
			return false;
	for (unsigned int b = 0; b < l->n_buffers; b++)
		if (__builtin_add_overflow(total, l->buffer_size[b], &total))
			return false;
	return total == l->size && total <= SIZE_LIMIT;
}

/* Whether a layout from elsewhere (a caller, another process) makes sense:
 * every plane inside its buffer, no overlap, strides that hold a row. */
int dmaheap_layout_check(struct dmaheap_ctx *ctx,
			 const struct dmaheap_image_layout *l)
{
	const struct dmaheap_format *f = dmaheap_format_find(l->fourcc);
	char name[16];

	if (f && layout_sane(f, l))
		return 0;
	dmaheap_image_log(ctx, DMAHEAP_LOG_WARNING,
			  "image layout of '%s' %ux%u is inconsistent",
			  dmaheap_format_name(l->fourcc, name, sizeof(name)),
			  l->width, l->height);
	return -EINVAL;
}
