/* SPDX-License-Identifier: MIT */
/*
 * Making a buffer object (buffer.c), inline for the functions that
 * allocate (alloc.h): like the accounting (tally.h), it then costs them
 * no call between the ALLOC and their return.
 */
#ifndef DMAHEAP_CORE_BUFFER_H
#define DMAHEAP_CORE_BUFFER_H

#include <errno.h>

#include "core.h"

/* The buffer's mutex is made by the first thread that needs it; the
 * others that need it meanwhile wait for it to be made. */
enum dmaheap_buf_lock_state {
	DMAHEAP_BUF_LOCK_NONE,
	DMAHEAP_BUF_LOCK_MAKING,
	DMAHEAP_BUF_LOCK_MADE,
};

/*
 * Buffer objects: each shard of the context keeps the last one freed by
 * its threads for the next allocation there, so a thread that allocates
 * and frees in turn does not go through malloc and free each time. An
 * owned shard's slot has one user, its thread (dmaheap_shard_index()).
 */
DMAHEAP_COLD struct dmaheap_buf *dmaheap_buf_object_new(void);

/* Puts @buf (or NULL) in shard @i's slot; returns what was there. */
static inline struct dmaheap_buf *
dmaheap_buf_spare_swap(struct dmaheap_ctx *ctx, unsigned int i,
		       struct dmaheap_buf *buf)
{
	_Atomic(struct dmaheap_buf *) *spare = &ctx->total.shard[i].s.spare;
	struct dmaheap_buf *old;

	/* Acquire and release: one thread's last writes to an object come
	 * before the next one's first. */
	if (DMAHEAP_UNLIKELY(i == DMAHEAP_SHARD_SHARED))
		return atomic_exchange_explicit(spare, buf,
						memory_order_acq_rel);
	/* This thread's own slot: nobody else reads or writes it. */
	old = atomic_load_explicit(spare, memory_order_relaxed);
	atomic_store_explicit(spare, buf, memory_order_relaxed);
	return old;
}

/* dmaheap_buf_wrap(), for a thread whose shard index @i is known. */
static DMAHEAP_INLINE int dmaheap_buf_wrap_at(struct dmaheap_ctx *ctx,
					      struct dmaheap_heap *heap,
					      int fd, size_t size, int prot,
					      unsigned int i,
					      struct dmaheap_buf **ret)
{
	struct dmaheap_buf *buf = dmaheap_buf_spare_swap(ctx, i, NULL);

	if (DMAHEAP_UNLIKELY(!buf)) {
		buf = dmaheap_buf_object_new();
		if (!buf)
			return -ENOMEM;
	}
	/* The mutex is left unwritten: it is made on first use. */
	buf->ctx = ctx;
	buf->heap = heap;
	buf->fd = fd;
	buf->prot = prot;
	buf->size = size;
	buf->addr = NULL;
	buf->map_refs = 0;
	buf->reads = 0;
	buf->writes = 0;
	buf->info_fd = -1;
	buf->origin_heap = NULL;
	buf->origin_props = 0;
	atomic_init(&buf->lock_state, DMAHEAP_BUF_LOCK_NONE);
	dmaheap_ctx_ref_at(ctx, i);
	*ret = buf;
	return 0;
}

#endif
