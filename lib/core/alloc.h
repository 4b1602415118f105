/* SPDX-License-Identifier: MIT */
/*
 * The checks of an allocation's arguments and the body of an allocation
 * from a resolved heap, inline for the exported functions that allocate
 * (alloc.c, policy/usage.c; pool/pool.c's prewarm takes the checks), so
 * that each makes the ALLOC from its own frame. On machines whose kernel
 * refills the return predictor at each system call, every function still
 * on the stack while the ALLOC runs costs a mispredicted return when it
 * is back: about 0.02x of a 4 KiB allocation (BENCHMARKS.md, "Where the
 * time goes"). What only a failure or an over-long name needs stays out
 * of line.
 */
#ifndef DMAHEAP_CORE_ALLOC_H
#define DMAHEAP_CORE_ALLOC_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "buffer.h"
#include "core.h"
#include "tally.h"
#include "uapi.h"

/* alloc.c, out of line. */
DMAHEAP_COLD int dmaheap_alloc_set_cut_name(struct dmaheap_ctx *ctx,
					   struct dmaheap_heap *heap, int fd);
DMAHEAP_COLD void dmaheap_alloc_name_failed(struct dmaheap_ctx *ctx,
					   struct dmaheap_heap *heap, int err);
DMAHEAP_COLD void dmaheap_alloc_failed(struct dmaheap_ctx *ctx,
				      struct dmaheap_heap *heap, size_t size,
				      int err);
DMAHEAP_COLD int dmaheap_alloc_wrap_failed(struct dmaheap_ctx *ctx,
					  struct dmaheap_heap *heap, int fd,
					  int err);

#define DMAHEAP_KNOWN_ALLOC_FLAGS (DMAHEAP_ALLOC_NO_NAME | DMAHEAP_ALLOC_FRESH)

/*
 * The flags and size of an allocation, its size rounded to pages in
 * @rounded. Refuses what the kernel would get wrong: a size whose page
 * rounding wraps, and one larger than RAM, which the system heap answers
 * with the OOM killer rather than ENOMEM.
 */
static inline int dmaheap_check_alloc_args(const struct dmaheap_ctx *ctx,
					   size_t size, unsigned int flags,
					   size_t *rounded)
{
	size_t mask = ctx->page_size - 1;

	if (flags & ~(unsigned int)DMAHEAP_KNOWN_ALLOC_FLAGS)
		return -EINVAL;
	if (size == 0)
		return -EINVAL;
	if (size > SIZE_MAX - mask)
		return -EOVERFLOW;
	*rounded = (size + mask) & ~mask;
	if ((uint64_t)*rounded > ctx->ram_bytes)
		return -ENOMEM;
	return 0;
}

/* Whether @heap's name is too long for the kernel's buffer names; found
 * once, the name never changes. */
static inline bool dmaheap_alloc_name_too_long(struct dmaheap_heap *heap)
{
	unsigned char cut = atomic_load_explicit(&heap->name_cut,
						 memory_order_relaxed);

	if (cut == 0) {
		cut = strnlen(heap->name, DMA_BUF_NAME_LEN) ==
		      DMA_BUF_NAME_LEN ? 2 : 1;
		atomic_store_explicit(&heap->name_cut, cut,
				      memory_order_relaxed);
	}
	return cut == 2;
}

static DMAHEAP_INLINE void dmaheap_alloc_auto_name(struct dmaheap_ctx *ctx,
						   struct dmaheap_heap *heap,
						   int fd, unsigned int flags)
{
	int r;

	if ((flags & DMAHEAP_ALLOC_NO_NAME) ||
	    (ctx->flags & DMAHEAP_CTX_NO_AUTONAME))
		return;
	/* A label, not an identity: cutting a long heap name is fine here.
	 * A short one goes as it is: the kernel only reads it. */
	if (dmaheap_alloc_name_too_long(heap))
		r = dmaheap_alloc_set_cut_name(ctx, heap, fd);
	else
		r = dmaheap_sys_ioctl(ctx->sys, fd, DMA_BUF_SET_NAME,
				      (void *)(uintptr_t)heap->name);
	if (r)
		dmaheap_alloc_name_failed(ctx, heap, r);
}

static DMAHEAP_INLINE int dmaheap_alloc_ioctl(struct dmaheap_ctx *ctx,
					      struct dmaheap_heap *heap,
					      size_t size, uint64_t heap_flags)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.heap_flags = heap_flags,
	};
	int r;

	do
		r = dmaheap_sys_ioctl(ctx->sys, heap->fd,
				      DMA_HEAP_IOCTL_ALLOC, &data);
	while (r == -EINTR);
	return r < 0 ? r : (int)data.fd;
}

/* The fd of a new buffer of the resolved @heap, named; failures counted.
 * A failure returns its errno itself (not a cold call's value): gcc then
 * keeps the success path in the hot section. */
static DMAHEAP_INLINE int dmaheap_alloc_new_fd(struct dmaheap_ctx *ctx,
					       struct dmaheap_heap *heap,
					       size_t size, unsigned int flags,
					       uint64_t heap_flags)
{
	/* The check passes smaller sizes itself; no call for them. */
	int fd = size < DMAHEAP_MEMCG_CHECK_MIN ? 0 :
		 dmaheap_memcg_check(ctx, heap, size);

	/* udmabuf has no flags of a heap to take them. */
	if (fd == 0 && heap->udmabuf)
		fd = heap_flags ? -EINVAL : dmaheap_udmabuf_alloc(ctx, heap, size);
	else if (fd == 0)
		fd = dmaheap_alloc_ioctl(ctx, heap, size, heap_flags);

	if (DMAHEAP_UNLIKELY(fd < 0)) {
		dmaheap_alloc_failed(ctx, heap, size, fd);
		return fd;
	}
	dmaheap_alloc_auto_name(ctx, heap, fd, flags);
	return fd;
}

/* A new buffer object of the resolved @heap, from the pool when it has
 * one (what dmaheap_alloc_on_heap() does); @i is the caller's shard. */
static DMAHEAP_INLINE int dmaheap_alloc_body(struct dmaheap_ctx *ctx,
					     struct dmaheap_heap *heap,
					     size_t size, unsigned int flags,
					     unsigned int i,
					     struct dmaheap_buf **ret)
{
	int fd, r;

	/* The pool is off on most contexts: no call to find that out. */
	if (atomic_load_explicit(&ctx->pool, memory_order_acquire) &&
	    dmaheap_pool_take(ctx, heap, size, flags, i, ret))
		return 0;
	fd = dmaheap_alloc_new_fd(ctx, heap, size, flags, 0);
	if (fd < 0)
		return fd;
	r = dmaheap_buf_wrap_at(ctx, heap, fd, size, PROT_READ | PROT_WRITE, i,
				ret);
	if (DMAHEAP_UNLIKELY(r))
		return dmaheap_alloc_wrap_failed(ctx, heap, fd, r);
	dmaheap_stats_alloc_at(ctx, heap, size, true, i);
	return 0;
}

#endif
