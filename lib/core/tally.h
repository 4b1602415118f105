/* SPDX-License-Identifier: MIT */
/*
 * The accounting of an allocation and a free (tally.c), inline, so that
 * the functions that allocate and free make no call for it: as calls,
 * this and the rest of a buffer's bookkeeping (buffer.h, the context
 * reference in core.h) made a 4 KiB alloc+free about 0.03x of the raw
 * system calls' time slower (BENCHMARKS.md, "Where the time goes"). A
 * thread that owns its shard updates it with plain loads and stores; the
 * shared shard, and a shard over its budget, go out of line.
 */
#ifndef DMAHEAP_CORE_TALLY_H
#define DMAHEAP_CORE_TALLY_H

#include "core.h"

/* tally.c, out of line. */
DMAHEAP_COLD void dmaheap_stats_shared_alloc(struct dmaheap_ctx *ctx,
					    struct dmaheap_heap *heap,
					    uint64_t bytes, bool live);
void dmaheap_stats_shared_release(struct dmaheap_ctx *ctx,
				  struct dmaheap_heap *heap, uint64_t bytes);
DMAHEAP_COLD void dmaheap_stats_over_budgets(struct dmaheap_ctx *ctx,
					    struct dmaheap_heap *heap,
					    unsigned int i);

/* Counters of a shard the calling thread owns: nobody else writes them,
 * so a load and a store do, without a locked instruction. */
static inline void dmaheap_own_add(_Atomic(int64_t) *c, int64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) +
				      v, memory_order_relaxed);
}

static inline void dmaheap_own_count(_Atomic(uint64_t) *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) +
				      1, memory_order_relaxed);
}

/* Counters are independent figures: relaxed order is enough. */
static inline void dmaheap_counters_mark_used(struct dmaheap_counters *c)
{
	/* A load first: the store would make every allocation write the
	 * line other threads read. */
	if (!atomic_load_explicit(&c->used, memory_order_relaxed))
		atomic_store_explicit(&c->used, true, memory_order_relaxed);
}

/* Counts an allocation of @bytes from @heap in shard @i
 * (dmaheap_shard_index()); with @live, a buffer the context now holds. */
static DMAHEAP_INLINE void dmaheap_stats_alloc_at(struct dmaheap_ctx *ctx,
						  struct dmaheap_heap *heap,
						  uint64_t bytes, bool live,
						  unsigned int i)
{
	struct dmaheap_shard *sh = &heap->stats.shard[i].s;
	struct dmaheap_shard *all = &ctx->total.shard[i].s;
	int64_t now, total;
	bool over;

	dmaheap_counters_mark_used(&heap->stats);
	if (DMAHEAP_UNLIKELY(i == DMAHEAP_SHARD_SHARED)) {
		dmaheap_stats_shared_alloc(ctx, heap, bytes, live);
		return;
	}
	dmaheap_own_count(&sh->allocations);
	if (!live)
		return;
	dmaheap_own_add(&sh->live_buffers, 1);
	now = atomic_load_explicit(&sh->live_bytes, memory_order_relaxed) +
	      (int64_t)bytes;
	atomic_store_explicit(&sh->live_bytes, now, memory_order_relaxed);
	total = atomic_load_explicit(&all->live_bytes, memory_order_relaxed) +
		(int64_t)bytes;
	atomic_store_explicit(&all->live_bytes, total, memory_order_relaxed);
	/* One fence for both stores before both budgets are read: see
	 * take_unused() in tally.c. */
	dmaheap_fence();
	/* Both compared, not one then the other: a branch on each put the
	 * second in the cold section, with a jump there and back on every
	 * allocation. */
	over = now > atomic_load_explicit(&sh->budget, memory_order_relaxed);
	over |= total > atomic_load_explicit(&all->budget,
					     memory_order_relaxed);
	if (DMAHEAP_UNLIKELY(over))
		dmaheap_stats_over_budgets(ctx, heap, i);
}

/* Counts that a live buffer of @bytes from @heap is gone, in shard @i. */
static DMAHEAP_INLINE void dmaheap_stats_release_at(struct dmaheap_ctx *ctx,
						    struct dmaheap_heap *heap,
						    uint64_t bytes,
						    unsigned int i)
{
	struct dmaheap_shard *sh = &heap->stats.shard[i].s;
	struct dmaheap_shard *all = &ctx->total.shard[i].s;

	if (DMAHEAP_UNLIKELY(i == DMAHEAP_SHARD_SHARED)) {
		dmaheap_stats_shared_release(ctx, heap, bytes);
		return;
	}
	dmaheap_own_add(&sh->live_buffers, -1);
	dmaheap_own_add(&sh->live_bytes, -(int64_t)bytes);
	dmaheap_own_add(&all->live_bytes, -(int64_t)bytes);
}

#endif
