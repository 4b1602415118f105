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

#define TRACKED_FDS DMAHEAP_TRACKED_FDS
#define WORD_BITS DMAHEAP_FD_WORD_BITS
#define WORDS (TRACKED_FDS / WORD_BITS)

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

static bool tracked(int fd)
{
	return fd >= 0 && fd < TRACKED_FDS;
}

DMAHEAP_HOT
void dmaheap_dmabuf_fd_mark(struct dmaheap_ctx *ctx, int fd)
{
	atomic_ulong *t = tracked(fd) ? table(ctx, true) : NULL;

	if (t)
		atomic_fetch_or_explicit(&t[fd / WORD_BITS],
					 1ul << (fd % WORD_BITS),
					 memory_order_relaxed);
}
