/* SPDX-License-Identifier: MIT */
/*
 * Image objects: a layout (layout.c) and the dma-bufs that hold it, made
 * of ordinary buffer objects so that stats, naming, mapping and CPU access
 * work as for any buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

struct dmaheap_image {
	struct dmaheap_image_layout layout;
	struct dmaheap_buf *bufs[DMAHEAP_IMAGE_MAX_PLANES];
	pthread_mutex_t lock; /* guards map_refs */
	unsigned int map_refs;
};

static int image_new(const struct dmaheap_image_layout *l,
		     struct dmaheap_image **ret)
{
	struct dmaheap_image *img = calloc(1, sizeof(*img));

	if (!img)
		return -ENOMEM;
	if (pthread_mutex_init(&img->lock, NULL) != 0) {
		free(img);
		return -ENOMEM;
	}
	img->layout = *l;
	*ret = img;
	return 0;
}

DMAHEAP_EXPORT void dmaheap_image_free(struct dmaheap_image *img)
{
	if (!img)
		return;
	for (unsigned int b = 0; b < DMAHEAP_IMAGE_MAX_PLANES; b++)
		dmaheap_buf_free(img->bufs[b]);
	pthread_mutex_destroy(&img->lock);
	free(img);
}

/* Bytes of buffer @b: the layout's, which dmaheap_alloc() page-rounds. */
static size_t buffer_bytes(const struct dmaheap_image *img, unsigned int b)
{
	return (size_t)img->layout.buffer_size[b];
}

/* Separate planes after the first come from the heap that served it. */
static int alloc_rest(struct dmaheap_ctx *ctx, struct dmaheap_image *img,
		      unsigned int flags)
{
	const char *heap = dmaheap_buf_heap_name(img->bufs[0]);

	for (unsigned int b = 1; b < img->layout.n_buffers; b++) {
		int r = dmaheap_alloc(ctx, heap, buffer_bytes(img, b), flags,
				      &img->bufs[b]);

		if (r)
			return r;
	}
	return 0;
}

/* How the first dma-buf is allocated: from a heap, a list or a usage. */
struct first_alloc {
	const char *heap;
	const char *const *heaps;
	size_t n;
	unsigned int usage;
	int (*fn)(struct dmaheap_ctx *ctx, const struct first_alloc *how,
		  size_t size, unsigned int flags, struct dmaheap_buf **ret);
};

static int first_from_heap(struct dmaheap_ctx *ctx,
			   const struct first_alloc *how, size_t size,
			   unsigned int flags, struct dmaheap_buf **ret)
{
	return dmaheap_alloc(ctx, how->heap, size, flags, ret);
}

static int first_from_list(struct dmaheap_ctx *ctx,
			   const struct first_alloc *how, size_t size,
			   unsigned int flags, struct dmaheap_buf **ret)
{
	return dmaheap_alloc_from(ctx, how->heaps, how->n, size, flags, ret);
}

static int first_by_usage(struct dmaheap_ctx *ctx,
			  const struct first_alloc *how, size_t size,
			  unsigned int flags, struct dmaheap_buf **ret)
{
	return dmaheap_alloc_usage(ctx, how->usage, size, flags, ret);
}

/* Returns what the first allocation returned (a heap index for lists). */
static int image_alloc(struct dmaheap_ctx *ctx, const struct first_alloc *how,
		       const struct dmaheap_image_spec *spec,
		       unsigned int flags, struct dmaheap_image **ret)
{
	struct dmaheap_image_layout l;
	struct dmaheap_image *img;
	int first, r;

	if (!ctx || !ret)
		return -EINVAL;
	r = dmaheap_image_layout(ctx, spec, &l);
	if (r == 0)
		r = image_new(&l, &img);
	if (r)
		return r;
	first = how->fn(ctx, how, buffer_bytes(img, 0), flags, &img->bufs[0]);
	r = first < 0 ? first : alloc_rest(ctx, img, flags);
	if (r) {
		dmaheap_image_free(img);
		return r;
	}
	*ret = img;
	return first;
}

DMAHEAP_EXPORT int dmaheap_image_alloc(struct dmaheap_ctx *ctx,
				       const char *heap,
				       const struct dmaheap_image_spec *spec,
				       unsigned int flags,
				       struct dmaheap_image **ret)
{
	const struct first_alloc how = { .heap = heap, .fn = first_from_heap };

	return image_alloc(ctx, &how, spec, flags, ret);
}

DMAHEAP_EXPORT int dmaheap_image_alloc_from(
	struct dmaheap_ctx *ctx, const char *const heaps[], size_t n,
	const struct dmaheap_image_spec *spec, unsigned int flags,
	struct dmaheap_image **ret)
{
	const struct first_alloc how = {
		.heaps = heaps, .n = n, .fn = first_from_list,
	};

	return image_alloc(ctx, &how, spec, flags, ret);
}

DMAHEAP_EXPORT int dmaheap_image_alloc_usage(
	struct dmaheap_ctx *ctx, unsigned int usage,
	const struct dmaheap_image_spec *spec, unsigned int flags,
	struct dmaheap_image **ret)
{
	const struct first_alloc how = { .usage = usage, .fn = first_by_usage };

	return image_alloc(ctx, &how, spec, flags, ret);
}

static int import_one(struct dmaheap_ctx *ctx, struct dmaheap_image *img,
		      unsigned int b, int fd)
{
	int r = dmaheap_import(ctx, fd, &img->bufs[b]);
	size_t have;

	if (r)
		return r;
	have = dmaheap_buf_size(img->bufs[b]);
	if (have < img->layout.buffer_size[b]) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "dma-buf %u of the image has %zu bytes, its layout needs %llu",
			    b, have,
			    (unsigned long long)img->layout.buffer_size[b]);
		return -EMSGSIZE;
	}
	return 0;
}

DMAHEAP_EXPORT int dmaheap_image_import(struct dmaheap_ctx *ctx,
					const struct dmaheap_image_layout *layout,
					const int fds[], size_t n_fds,
					struct dmaheap_image **ret)
{
	struct dmaheap_image *img;
	int r;

	if (!ctx || !layout || !fds || !ret)
		return -EINVAL;
	r = dmaheap_layout_check(ctx, layout);
	if (r)
		return r;
	if (n_fds != layout->n_buffers)
		return -EINVAL;
	r = image_new(layout, &img);
	if (r)
		return r;
	for (unsigned int b = 0; r == 0 && b < n_fds; b++)
		r = import_one(ctx, img, b, fds[b]);
	if (r) {
		dmaheap_image_free(img);
		return r;
	}
	*ret = img;
	return 0;
}

DMAHEAP_EXPORT const struct dmaheap_image_layout *
dmaheap_image_get_layout(const struct dmaheap_image *img)
{
	return img ? &img->layout : NULL;
}

DMAHEAP_EXPORT struct dmaheap_buf *
dmaheap_image_buf(const struct dmaheap_image *img, unsigned int index)
{
	return img && index < img->layout.n_buffers ? img->bufs[index] : NULL;
}

DMAHEAP_EXPORT int dmaheap_image_plane_fd(const struct dmaheap_image *img,
					  unsigned int plane)
{
	if (!img || plane >= img->layout.n_planes)
		return -EINVAL;
	return dmaheap_buf_fd(img->bufs[img->layout.planes[plane].buffer]);
}

static void unmap_first(struct dmaheap_image *img, unsigned int n)
{
	for (unsigned int b = 0; b < n; b++)
		dmaheap_buf_unmap(img->bufs[b]);
}

DMAHEAP_EXPORT int dmaheap_image_map(struct dmaheap_image *img,
				     void *planes[DMAHEAP_IMAGE_MAX_PLANES])
{
	void *base[DMAHEAP_IMAGE_MAX_PLANES] = { NULL };
	const struct dmaheap_image_layout *l;
	int r = 0;

	if (!img || !planes)
		return -EINVAL;
	l = &img->layout;
	pthread_mutex_lock(&img->lock);
	if (img->map_refs == UINT32_MAX)
		r = -EOVERFLOW;
	for (unsigned int b = 0; r == 0 && b < l->n_buffers; b++) {
		r = dmaheap_buf_map(img->bufs[b], &base[b]);
		if (r)
			unmap_first(img, b);
	}
	if (r == 0)
		img->map_refs++;
	pthread_mutex_unlock(&img->lock);
	if (r)
		return r;
	for (unsigned int p = 0; p < DMAHEAP_IMAGE_MAX_PLANES; p++)
		planes[p] = p < l->n_planes
			? (char *)base[l->planes[p].buffer] + l->planes[p].offset
			: NULL;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_image_unmap(struct dmaheap_image *img)
{
	int r = 0;

	if (!img)
		return -EINVAL;
	pthread_mutex_lock(&img->lock);
	if (img->map_refs == 0) {
		r = -EINVAL;
	} else {
		img->map_refs--;
		for (unsigned int b = 0; b < img->layout.n_buffers; b++) {
			int e = dmaheap_buf_unmap(img->bufs[b]);

			if (r == 0)
				r = e;
		}
	}
	pthread_mutex_unlock(&img->lock);
	return r;
}

DMAHEAP_EXPORT int dmaheap_image_begin_cpu_access(struct dmaheap_image *img,
						  unsigned int access)
{
	if (!img)
		return -EINVAL;
	for (unsigned int b = 0; b < img->layout.n_buffers; b++) {
		int r = dmaheap_buf_begin_cpu_access(img->bufs[b], access);

		if (r) {
			while (b-- > 0)
				dmaheap_buf_end_cpu_access(img->bufs[b],
							   access);
			return r;
		}
	}
	return 0;
}

DMAHEAP_EXPORT int dmaheap_image_end_cpu_access(struct dmaheap_image *img,
						unsigned int access)
{
	int r = 0;

	if (!img)
		return -EINVAL;
	for (unsigned int b = 0; b < img->layout.n_buffers; b++) {
		int e = dmaheap_buf_end_cpu_access(img->bufs[b], access);

		if (r == 0)
			r = e;
	}
	return r;
}
