/* SPDX-License-Identifier: MIT */
/*
 * Raw fds a context knows to be dma-bufs: those dmaheap_alloc_fd() made,
 * and those an earlier raw sync checked. Raw sync on a known fd goes
 * straight to the kernel; others are checked once (one fstatfs). One bit
 * per fd number, lock-free; fd numbers past the table are always checked.
 *
 * The library cannot see the caller close an fd. The number is forgotten
 * (dmaheap_dmabuf_fd_forget(), inline in core.h: every free asks)
 * when the library itself opens a heap node under it (the case that would
 * turn a SYNC into an ALLOC), and when a raw sync on it fails as on a
 * closed fd or a file that is not a dma-buf.
 */
#include <limits.h>
#include <stdlib.h>

#include "core.h"

#define WORDS (DMAHEAP_TRACKED_FDS / DMAHEAP_FD_WORD_BITS)

static atomic_ulong *table(struct dmaheap_ctx *ctx, bool create)
{
	atomic_ulong *t = atomic_load_explicit(&ctx->dmabuf_fds,
					       memory_order_acquire);
	atomic_ulong *none = NULL;

	if (t || !create)
		return t;
	t = calloc(WORDS, sizeof(*t));
	if (!t)
		return NULL; /* then fds are checked every time */
	if (!atomic_compare_exchange_strong_explicit(&ctx->dmabuf_fds, &none, t,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		free(t);
		t = none;
	}
	return t;
}

DMAHEAP_HOT
void dmaheap_dmabuf_fd_mark(struct dmaheap_ctx *ctx, int fd)
{
	/* No table is made for an fd it would not hold. */
	bool tracked = fd >= 0 && fd < DMAHEAP_TRACKED_FDS;
	unsigned long bit;
	atomic_ulong *word = dmaheap_dmabuf_fd_word(table(ctx, tracked), fd,
						    &bit);

	if (word)
		atomic_fetch_or_explicit(word, bit, memory_order_relaxed);
}
