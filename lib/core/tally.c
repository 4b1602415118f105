/* SPDX-License-Identifier: MIT */
/*
 * A context's own accounting (dmaheap_ctx_stats()): per heap and in total,
 * kept in per-thread shards so that threads allocating at once write
 * different cache lines. A thread owns its shard (dmaheap_shard_index()),
 * so its updates are plain loads and stores; threads beyond the owned
 * shards share one and add atomically.
 *
 * Counts and live figures are sums over the shards. The peak cannot be
 * summed, so each shard holds a budget: its live bytes may rise up to it
 * without a look at the peak, and the budgets of all shards add up to at
 * most the peak, so the live total stays within the peak. A shard that
 * would exceed its budget takes ctx->stats_lock, takes unused budget from
 * the others, and only what is still missing raises the peak.
 */
#include <pthread.h>
#include <string.h>

#include "tally.h"

/* Threads a probe walks past their own index before they give up on
 * owning a shard; at most this many lines are read for a thread that owns
 * none, and 16 threads alive at once always find one. */
#define SHARD_PROBES 16
#define OWNED_SHARDS (DMAHEAP_SHARDS - 1)

/*
 * The first shard from @home on that @id owns, or claims. A shard is never
 * given back: the library cannot see a thread end. A thread that reuses a
 * dead one's id (libc recycles them) takes its shards over, which is safe,
 * as the dead one writes no more.
 */
unsigned int dmaheap_shard_claim(struct dmaheap_ctx *ctx, uintptr_t id,
				 unsigned int home)
{
	for (unsigned int k = 0; k < SHARD_PROBES; k++) {
		unsigned int j = (home + k) % OWNED_SHARDS;
		_Atomic(uintptr_t) *owner = &ctx->total.shard[j].s.owner;
		uintptr_t cur = atomic_load_explicit(owner,
						     memory_order_relaxed);

		if (cur == id)
			return j;
		if (cur == 0 &&
		    atomic_compare_exchange_strong_explicit(
			    owner, &cur, id, memory_order_relaxed,
			    memory_order_relaxed)) {
			/* Read by this thread only (and one that reuses its
			 * id, after it ended). */
			atomic_store_explicit(
				&ctx->total.shard[j].s.order,
				atomic_fetch_add_explicit(&ctx->shard_claims,
							  1,
							  memory_order_relaxed),
				memory_order_relaxed);
			return j;
		}
	}
	return DMAHEAP_SHARD_SHARED;
}

_Static_assert(DMAHEAP_SHARDS == 33, "the home index takes 5 bits");
_Static_assert(sizeof(struct dmaheap_shard) + 128 <=
		       sizeof(union dmaheap_shard_slot),
	       "a shard's fields and the next one's are two lines apart");

/*
 * Takes @j's unused budget, under ctx->stats_lock. The owner adds to its
 * live bytes, then reads its budget (an atomic addition, or a store and a
 * sequentially consistent fence); here the budget is written, then the
 * live bytes read (both sequentially consistent), so either the owner sees
 * the lowered budget and comes to the slow path, or its addition is seen
 * here and left within the budget. Returns the bytes taken.
 */
static int64_t take_unused(struct dmaheap_counters *c, struct dmaheap_shard *j)
{
	int64_t old = atomic_load(&j->budget);
	int64_t live = atomic_load(&j->live_bytes);
	int64_t now;

	if (live >= old)
		return 0;
	atomic_store(&j->budget, live);
	now = atomic_load(&j->live_bytes);
	if (now > live)
		atomic_store(&j->budget, now < old ? now : old);
	now = atomic_load_explicit(&j->budget, memory_order_relaxed);
	c->budgets -= old - now;
	return old - now;
}

/* @sh went over its budget: more budget, from the others or the peak. */
static void over_budget(struct dmaheap_ctx *ctx, struct dmaheap_counters *c,
			struct dmaheap_shard *sh)
{
	int64_t peak, spare, need;

	pthread_mutex_lock(&ctx->stats_lock);
	peak = (int64_t)atomic_load_explicit(&c->peak_bytes,
					     memory_order_relaxed);
	spare = peak - c->budgets;
	need = atomic_load(&sh->live_bytes) - atomic_load(&sh->budget);
	for (unsigned int i = 0; i < DMAHEAP_SHARDS && need > spare; i++)
		if (&c->shard[i].s != sh)
			spare += take_unused(c, &c->shard[i].s);
	if (need > spare) {
		/* Every other shard's live bytes are at their budgets: this
		 * is the most that has been live at once. */
		peak += need - spare;
		atomic_store_explicit(&c->peak_bytes, (uint64_t)peak,
				      memory_order_relaxed);
		spare = need;
	}
	/* All of it: the next allocations here need no lock. */
	atomic_fetch_add(&sh->budget, spare);
	c->budgets += spare;
	pthread_mutex_unlock(&ctx->stats_lock);
}

static void add_live(struct dmaheap_ctx *ctx, struct dmaheap_counters *c,
		     struct dmaheap_shard *sh, int64_t bytes)
{
	/* Sequentially consistent: see take_unused(). */
	int64_t now = atomic_fetch_add(&sh->live_bytes, bytes) + bytes;

	if (now > atomic_load(&sh->budget))
		over_budget(ctx, c, sh);
}

void dmaheap_shard_count(_Atomic(uint64_t) *counter, unsigned int i)
{
	if (i == DMAHEAP_SHARD_SHARED)
		atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
	else
		dmaheap_own_count(counter);
}

void dmaheap_stats_alloc(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			 uint64_t bytes, bool live)
{
	dmaheap_stats_alloc_at(ctx, heap, bytes, live,
			       dmaheap_shard_index(ctx));
}

/* Shard @i of @heap or of the total, or both, went over its budget. */
DMAHEAP_COLD void dmaheap_stats_over_budgets(struct dmaheap_ctx *ctx,
					    struct dmaheap_heap *heap,
					    unsigned int i)
{
	struct dmaheap_shard *sh = &heap->stats.shard[i].s;
	struct dmaheap_shard *all = &ctx->total.shard[i].s;

	if (atomic_load(&sh->live_bytes) > atomic_load(&sh->budget))
		over_budget(ctx, &heap->stats, sh);
	if (atomic_load(&all->live_bytes) > atomic_load(&all->budget))
		over_budget(ctx, &ctx->total, all);
}

/* The shared shard: other threads update it at the same time. */
DMAHEAP_COLD void dmaheap_stats_shared_alloc(struct dmaheap_ctx *ctx,
					    struct dmaheap_heap *heap,
					    uint64_t bytes, bool live)
{
	const unsigned int i = DMAHEAP_SHARD_SHARED;
	struct dmaheap_shard *sh = &heap->stats.shard[i].s;

	atomic_fetch_add_explicit(&sh->allocations, 1, memory_order_relaxed);
	if (!live)
		return;
	atomic_fetch_add_explicit(&sh->live_buffers, 1, memory_order_relaxed);
	add_live(ctx, &heap->stats, sh, (int64_t)bytes);
	add_live(ctx, &ctx->total, &ctx->total.shard[i].s, (int64_t)bytes);
}

void dmaheap_stats_shared_release(struct dmaheap_ctx *ctx,
				  struct dmaheap_heap *heap, uint64_t bytes)
{
	struct dmaheap_shard *sh = &heap->stats.shard[DMAHEAP_SHARD_SHARED].s;
	struct dmaheap_shard *all = &ctx->total.shard[DMAHEAP_SHARD_SHARED].s;

	/* Lowering never passes a budget: relaxed. */
	atomic_fetch_sub_explicit(&sh->live_buffers, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&sh->live_bytes, (int64_t)bytes,
				  memory_order_relaxed);
	atomic_fetch_sub_explicit(&all->live_bytes, (int64_t)bytes,
				  memory_order_relaxed);
}

void dmaheap_stats_fail(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap)
{
	if (!heap) {
		atomic_fetch_add_explicit(&ctx->lookup_failures, 1,
					  memory_order_relaxed);
		return;
	}
	dmaheap_counters_mark_used(&heap->stats);
	atomic_fetch_add_explicit(&heap->stats.failures, 1,
				  memory_order_relaxed);
}

void dmaheap_stats_release(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			   uint64_t bytes)
{
	dmaheap_stats_release_at(ctx, heap, bytes, dmaheap_shard_index(ctx));
}

/* Sums @c's shards; the total's counts come from the heaps. */
void dmaheap_counters_read(const struct dmaheap_counters *c,
			   struct dmaheap_stats *out)
{
	int64_t bytes = 0, buffers = 0;
	uint64_t allocations = 0;

	for (unsigned int i = 0; i < DMAHEAP_SHARDS; i++) {
		const struct dmaheap_shard *sh = &c->shard[i].s;

		bytes += atomic_load_explicit(&sh->live_bytes,
					      memory_order_relaxed);
		buffers += atomic_load_explicit(&sh->live_buffers,
						memory_order_relaxed);
		allocations += atomic_load_explicit(&sh->allocations,
						    memory_order_relaxed);
	}
	/* Shards read moments apart may sum below zero for an instant. */
	out->live_bytes = bytes > 0 ? (uint64_t)bytes : 0;
	out->live_buffers = buffers > 0 ? (uint64_t)buffers : 0;
	out->allocations = allocations;
	out->failures = atomic_load_explicit(&c->failures, memory_order_relaxed);
	out->peak_bytes = atomic_load_explicit(&c->peak_bytes,
					       memory_order_relaxed);
}
