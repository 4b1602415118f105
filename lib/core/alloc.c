/* SPDX-License-Identifier: MIT */
/* Allocation: the ALLOC ioctl, naming, fallback chains (the argument checks
 * and the hot path are in alloc.h). */
#include <errno.h>
#include <string.h>

#include "alloc.h"

#define MAX_FALLBACK_HEAPS 128 /* the kernel's own limit on heaps */

/* A heap name too long for a buffer's: cut to fit. */
DMAHEAP_COLD int dmaheap_alloc_set_cut_name(struct dmaheap_ctx *ctx,
					   struct dmaheap_heap *heap, int fd)
{
	char cut[DMA_BUF_NAME_LEN];

	memcpy(cut, heap->name, sizeof(cut) - 1);
	cut[sizeof(cut) - 1] = '\0';
	return dmaheap_sys_ioctl(ctx->sys, fd, DMA_BUF_SET_NAME, cut);
}

DMAHEAP_COLD void dmaheap_alloc_name_failed(struct dmaheap_ctx *ctx,
					   struct dmaheap_heap *heap, int err)
{
	dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "naming buffer of %s: %s",
		    heap->name, dmaheap_strerror(err));
}

/* Counts a failed allocation from @heap. */
DMAHEAP_COLD void dmaheap_alloc_failed(struct dmaheap_ctx *ctx,
				      struct dmaheap_heap *heap, size_t size,
				      int err)
{
	dmaheap_stats_fail(ctx, heap);
	/* A fallback search may go on: not for the user to act on. */
	dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "alloc %zu bytes from %s: %s",
		    size, heap->name, dmaheap_strerror(err));
}

/* Counts that @heap_name could not be opened; returns @err. The lookup
 * logged why (node.c, resolve.c). */
int dmaheap_lookup_failed(struct dmaheap_ctx *ctx, const char *heap_name,
			  int err)
{
	(void)heap_name;
	dmaheap_stats_fail(ctx, NULL);
	return err;
}

/*
 * A new buffer object of the resolved @heap: the one place where every
 * dmaheap_alloc*() function turns a heap into a buffer.
 */
int dmaheap_alloc_on_heap(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			  size_t size, unsigned int flags,
			  struct dmaheap_buf **ret)
{
	return dmaheap_alloc_body(ctx, heap, size, flags,
				  dmaheap_shard_index(ctx), ret);
}

/* No buffer object for @fd: the kernel's buffer is given back, and that
 * is a failure, not a success. Returns @err. */
DMAHEAP_COLD int dmaheap_alloc_wrap_failed(struct dmaheap_ctx *ctx,
					  struct dmaheap_heap *heap, int fd,
					  int err)
{
	ctx->sys->close(ctx->sys, fd);
	dmaheap_stats_fail(ctx, heap);
	return err;
}

/* Allocates with arguments already checked and @size already rounded;
 * @heap_name may be an alias. Inline: the ALLOC is made from
 * dmaheap_alloc_from()'s own frame (alloc.h says why). */
static DMAHEAP_INLINE int alloc_checked(struct dmaheap_ctx *ctx,
					const char *heap_name, size_t size,
					unsigned int flags, unsigned int i,
					struct dmaheap_buf **ret)
{
	struct dmaheap_heap *heap;
	int r = dmaheap_heap_lookup(ctx, heap_name, &heap);

	return r ? dmaheap_lookup_failed(ctx, heap_name, r)
		 : dmaheap_alloc_body(ctx, heap, size, flags, i, ret);
}

/*
 * Checks the arguments of an allocation from @name and finds its heap.
 * Only valid names are ever remembered by the resolver, so a name it
 * remembers is not validated again. Errors keep their documented order:
 * a bad name, then size and flags, then the lookup.
 */
static DMAHEAP_INLINE int prepare(struct dmaheap_ctx *ctx, const char *name,
				  size_t size, unsigned int flags,
				  unsigned int i, size_t *rounded,
				  struct dmaheap_heap **heap)
{
	int hit, r;

	if (!name)
		return -EINVAL;
	hit = dmaheap_heap_lookup_cached_at(ctx, name, i, heap);
	if (hit == 0 && !dmaheap_heap_name_valid(name))
		return -EINVAL;
	r = dmaheap_check_alloc_args(ctx, size, flags, rounded);
	if (r || hit > 0)
		return r;
	r = hit < 0 ? hit : dmaheap_heap_lookup_fresh(ctx, name, heap);
	return r ? dmaheap_lookup_failed(ctx, name, r) : 0;
}

DMAHEAP_HOT
DMAHEAP_EXPORT int dmaheap_alloc(struct dmaheap_ctx *ctx, const char *heap,
				 size_t size, unsigned int flags,
				 struct dmaheap_buf **ret)
{
	struct dmaheap_heap *h;
	size_t rounded;
	unsigned int i;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	i = dmaheap_shard_index(ctx);
	r = prepare(ctx, heap, size, flags, i, &rounded, &h);
	return r ? r : dmaheap_alloc_body(ctx, h, rounded, flags, i, ret);
}

DMAHEAP_HOT
DMAHEAP_EXPORT int dmaheap_alloc_fd_heap_flags(struct dmaheap_ctx *ctx,
					       const char *heap, size_t size,
					       unsigned int flags,
					       uint64_t heap_flags)
{
	struct dmaheap_heap *h;
	size_t rounded;
	unsigned int i;
	int r;

	if (!ctx)
		return -EINVAL;
	i = dmaheap_shard_index(ctx);
	r = prepare(ctx, heap, size, flags, i, &rounded, &h);
	if (r)
		return r;
	r = dmaheap_alloc_new_fd(ctx, h, rounded, flags, heap_flags);
	if (r < 0)
		return r;
	dmaheap_stats_alloc_at(ctx, h, rounded, false, i);
	/* Made here: raw sync on it needs no check (see sync.c). A number
	 * the caller closed and the kernel handed out again is still
	 * marked: a load, and no write to a line all threads share. */
	if (!dmaheap_dmabuf_fd_known(ctx, r))
		dmaheap_dmabuf_fd_mark(ctx, r);
	return r;
}

DMAHEAP_HOT
DMAHEAP_EXPORT int dmaheap_alloc_fd(struct dmaheap_ctx *ctx, const char *heap,
				    size_t size, unsigned int flags)
{
	return dmaheap_alloc_fd_heap_flags(ctx, heap, size, flags, 0);
}

/* Errors that mean "this heap cannot serve, another may", ranked by how
 * much they tell the caller; 0 for errors that end a search. */
int dmaheap_fallback_rank(int err)
{
	switch (err) {
	case -ENOMEM:
		return 5;
	case -EFBIG:
		return 4;
	case -EACCES:
	case -EPERM:
		return 3;
	case -ENODEV:
	case -ENOTTY:
		return 2;
	case -ENOENT:
		return 1;
	default:
		return 0;
	}
}

DMAHEAP_HOT
DMAHEAP_EXPORT int dmaheap_alloc_from(struct dmaheap_ctx *ctx,
				      const char *const heaps[], size_t n,
				      size_t size, unsigned int flags,
				      struct dmaheap_buf **ret)
{
	size_t rounded;
	int best = -ENOENT;
	unsigned int shard;
	int r;

	if (!ctx || !ret || !heaps || n == 0 || n > MAX_FALLBACK_HEAPS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!dmaheap_heap_name_valid(heaps[i]))
			return -EINVAL;
	r = dmaheap_check_alloc_args(ctx, size, flags, &rounded);
	if (r)
		return r;
	shard = dmaheap_shard_index(ctx);
	for (size_t i = 0; i < n; i++) {
		r = alloc_checked(ctx, heaps[i], rounded, flags, shard, ret);
		if (r == 0)
			return (int)i;
		if (dmaheap_fallback_rank(r) == 0)
			return r;
		if (dmaheap_fallback_rank(r) > dmaheap_fallback_rank(best))
			best = r;
	}
	return best;
}
