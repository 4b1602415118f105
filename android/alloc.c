/* SPDX-License-Identifier: MIT */
/* Allocation: DmabufHeapAlloc*() and DmabufHeapAllocSystem*(). */
#include <errno.h>

#include "private.h"

/*
 * Android's library gave heap_flags to ION only, so its callers pass ION
 * flags; a kernel without heap flags refuses those, and the caller gets
 * what Android gave it (see the header). Out of line: the common call has
 * no flags, and then nothing but the result lives across the call into
 * libdmaheap.
 */
static __attribute__((noinline)) int alloc_flags(struct dmaheap_ctx *ctx,
						 const char *heap_name,
						 size_t len,
						 unsigned int heap_flags)
{
	int r = dmaheap_alloc_fd_heap_flags(ctx, heap_name, len, 0, heap_flags);

	if (r == -EINVAL)
		r = dmaheap_alloc_fd(ctx, heap_name, len, 0);
	return r;
}

/* Every allocation's one path; the exported calls reach it directly, not
 * through each other's interposable symbols. */
static inline int alloc(struct dmaheap_ctx *ctx, const char *heap_name,
			size_t len, unsigned int heap_flags)
{
	if (!heap_name)
		return -EINVAL;
	if (heap_flags)
		return alloc_flags(ctx, heap_name, len, heap_flags);
	return dmaheap_alloc_fd_heap_flags(ctx, heap_name, len, 0, 0);
}

ANDROID_EXPORT int DmabufHeapAlloc2(BufferAllocator *ba, const char *heap_name,
				    size_t len, unsigned int heap_flags)
{
	struct dmaheap_ctx *ctx;
	int r = android_ctx(ba, &ctx);

	return android_ret(r ? r : alloc(ctx, heap_name, len, heap_flags));
}

ANDROID_EXPORT int DmabufHeapAlloc(BufferAllocator *ba, const char *heap_name,
				   size_t len, unsigned int heap_flags,
				   size_t legacy_align)
{
	struct dmaheap_ctx *ctx;
	int r = android_ctx(ba, &ctx);

	(void)legacy_align;
	return android_ret(r ? r : alloc(ctx, heap_name, len, heap_flags));
}

/* Whether to use "system-uncached": decided once, when the answer is
 * certain; an error other than absence is left for the allocation to
 * report. */
static bool use_uncached(struct dmaheap_android *st, struct dmaheap_ctx *ctx)
{
	int known = atomic_load_explicit(&st->uncached, memory_order_relaxed);
	int r;

	if (known != UNCACHED_UNKNOWN)
		return known == UNCACHED_YES;
	r = dmaheap_heap_open(ctx, kDmabufSystemUncachedHeapName);
	if (r == 0 || r == -ENOENT)
		atomic_store_explicit(&st->uncached,
				      r == 0 ? UNCACHED_YES : UNCACHED_NO,
				      memory_order_relaxed);
	return r != -ENOENT;
}

static inline int alloc_system(BufferAllocator *ba, bool cpu_access,
				size_t len, unsigned int heap_flags)
{
	struct dmaheap_ctx *ctx;
	const char *heap = kDmabufSystemHeapName;
	int r = android_ctx(ba, &ctx);

	if (r)
		return android_ret(r);
	if (!cpu_access && use_uncached(ba->state, ctx))
		heap = kDmabufSystemUncachedHeapName;
	return android_ret(alloc(ctx, heap, len, heap_flags));
}

ANDROID_EXPORT int DmabufHeapAllocSystem2(BufferAllocator *ba, bool cpu_access,
					  size_t len, unsigned int heap_flags)
{
	return alloc_system(ba, cpu_access, len, heap_flags);
}

ANDROID_EXPORT int DmabufHeapAllocSystem(BufferAllocator *ba, bool cpu_access,
					 size_t len, unsigned int heap_flags,
					 size_t legacy_align)
{
	(void)legacy_align;
	return alloc_system(ba, cpu_access, len, heap_flags);
}
