/* SPDX-License-Identifier: MIT */
/* Usage-based allocation: the policy picks the heap, requirements hold. */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "policy.h"

_Static_assert(DMAHEAP_USAGE_SLOTS > (DMAHEAP_USAGE_CPU_READ_OFTEN |
				      DMAHEAP_USAGE_CPU_WRITE_OFTEN |
				      DMAHEAP_USAGE_CPU_RARELY |
				      DMAHEAP_USAGE_DEVICE_ONLY |
				      DMAHEAP_USAGE_CONTIGUOUS |
				      DMAHEAP_USAGE_PROTECTED |
				      DMAHEAP_USAGE_UNCACHED),
	       "a plan slot for every valid usage of 0.1");
_Static_assert((DMAHEAP_DEVICE_USAGE >> DMAHEAP_DEVICE_SHIFT) <
		       DMAHEAP_DEVICE_ROWS &&
	       (DMAHEAP_DEVICE_USAGE & (DMAHEAP_USAGE_SLOTS - 1)) == 0,
	       "a row of plan slots for every combination of devices");

/* Whether a heap with @props may serve @usage at all. */
static bool meets_requirements(unsigned int usage, unsigned int props)
{
	bool want_protected = usage & DMAHEAP_USAGE_PROTECTED;
	bool is_protected = props & DMAHEAP_PROP_PROTECTED;

	/* Protected memory is useless to whoever did not ask for it. */
	if (want_protected != is_protected)
		return false;
	if ((usage & DMAHEAP_USAGE_CONTIGUOUS) &&
	    !(props & DMAHEAP_PROP_CONTIGUOUS))
		return false;
	if ((usage & DMAHEAP_USAGE_UNCACHED) && !(props & DMAHEAP_PROP_UNCACHED))
		return false;
	return true;
}

/* Adds @heap to @plan if it may serve @usage. */
static int add_qualified_locked(struct dmaheap_ctx *ctx, unsigned int usage,
				const char *heap, struct dmaheap_plan *plan)
{
	int source;
	unsigned int props = dmaheap_props_lookup_locked(ctx, heap, &source);

	return meets_requirements(usage, props)
		       ? dmaheap_names_add(&plan->heaps, heap)
		       : 0;
}

/* The heaps to try for @usage, in order: aliases in the rule stand for
 * their members, which are heaps (aliases do not nest). */
static int build_plan_locked(struct dmaheap_ctx *ctx, unsigned int usage,
			     struct dmaheap_plan **ret)
{
	const char *const *names;
	size_t n;
	struct dmaheap_plan *plan = calloc(1, sizeof(*plan));
	int r = 0;

	if (!plan)
		return -ENOMEM;
	/* Rules and requirements see what the devices add. */
	usage = dmaheap_device_requirements_locked(ctx, usage);
	plan->effective = usage;
	n = dmaheap_rule_heaps_locked(ctx, usage, &names);
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct dmaheap_alias *a =
			dmaheap_alias_find_locked(ctx, names[i]);

		if (!a) {
			r = add_qualified_locked(ctx, usage, names[i], plan);
			continue;
		}
		for (size_t j = 0; j < a->members.n && r == 0; j++)
			r = add_qualified_locked(ctx, usage, a->members.v[j],
						 plan);
	}
	if (r == 0 && plan->heaps.n) {
		plan->found = calloc(plan->heaps.n, sizeof(*plan->found));
		if (!plan->found)
			r = -ENOMEM;
	}
	if (r) {
		dmaheap_names_clear(&plan->heaps);
		free(plan);
		return r;
	}
	*ret = plan;
	return 0;
}

static void plan_free(struct dmaheap_plan *plan)
{
	if (!plan)
		return;
	dmaheap_names_clear(&plan->heaps);
	free(plan->found);
	free(plan);
}

/*
 * Plans are read without the lock. A reader counts itself in its shard
 * before it loads a plan and uncounts itself when done; a replaced plan
 * waits on ctx->retired_plans until a scan finds no shard with a reader.
 *
 * The count has to be visible before the plan is loaded, or a scan could
 * miss a reader of the plan it frees. In a shard it owns, a reader counts
 * with plain stores, and the writer, before each scan, makes every
 * running thread of the process execute a full barrier (membarrier(2),
 * expedited): a reader the scan misses loads its plan after that barrier,
 * so it loads the new one. That keeps two locked instructions off every
 * dmaheap_alloc_usage() for a system call per replacement (BENCHMARKS.md).
 * In the shared shard, and where membarrier is refused, a reader counts
 * with a sequentially consistent read-modify-write instead, which the
 * writer's sequentially consistent store and loads see without it.
 */
enum plan_barrier {
	BARRIER_UNKNOWN = 0, /* no plan made yet: readers fence */
	BARRIER_MEMBARRIER,  /* registered: owners' counts need no fence */
	BARRIER_FENCE,	     /* refused: every reader fences */
};

static bool readers_fence(struct dmaheap_ctx *ctx)
{
	/* Never leaves BARRIER_MEMBARRIER once there: a reader that saw it
	 * is covered by every later scan's barrier. */
	return atomic_load_explicit(&ctx->plan_barrier,
				    memory_order_relaxed) != BARRIER_MEMBARRIER;
}

static DMAHEAP_INLINE void plan_enter(struct dmaheap_ctx *ctx, unsigned int i)
{
	atomic_uint *n = &ctx->total.shard[i].s.plan_readers;
	unsigned int readers;

	if (i == DMAHEAP_SHARD_SHARED || readers_fence(ctx)) {
		atomic_fetch_add(n, 1);
		return;
	}
	readers = atomic_load_explicit(n, memory_order_relaxed);
	atomic_store_explicit(n, readers + 1, memory_order_relaxed);
	/* The compiler keeps the count before the plan's load; the
	 * writer's membarrier does the same for the processor. */
	atomic_signal_fence(memory_order_seq_cst);
}

static DMAHEAP_INLINE void plan_leave(struct dmaheap_ctx *ctx, unsigned int i)
{
	atomic_uint *n = &ctx->total.shard[i].s.plan_readers;
	unsigned int readers;

	/* Release: the plan's reads come before a scan sees the count
	 * drop. The owner is the count's only writer. */
	if (i == DMAHEAP_SHARD_SHARED) {
		atomic_fetch_sub_explicit(n, 1, memory_order_release);
		return;
	}
	readers = atomic_load_explicit(n, memory_order_relaxed);
	atomic_store_explicit(n, readers - 1, memory_order_release);
}

/* Before the first plan is published: whether readers may count without
 * a fence. ThreadSanitizer cannot see what membarrier orders. */
static void choose_barrier_locked(struct dmaheap_ctx *ctx)
{
	int r = -ENOSYS;

	if (atomic_load_explicit(&ctx->plan_barrier, memory_order_relaxed) !=
	    BARRIER_UNKNOWN)
		return;
#ifndef DMAHEAP_TSAN
	r = ctx->sys->membarrier(ctx->sys,
				 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0);
#endif
	if (r < 0)
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
			    "usage plans: membarrier: %s: readers use locked "
			    "instructions", dmaheap_strerror(r));
	atomic_store_explicit(&ctx->plan_barrier,
			      r < 0 ? BARRIER_FENCE : BARRIER_MEMBARRIER,
			      memory_order_relaxed);
}

/* Makes every reader's count visible to the scan that follows; false if
 * it cannot, and the replaced plans then wait. */
static bool readers_visible_locked(struct dmaheap_ctx *ctx)
{
	int r;

	if (readers_fence(ctx))
		return true;
	r = ctx->sys->membarrier(ctx->sys, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
				 0);
	if (r < 0)
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
			    "usage plans: membarrier: %s: replaced plans kept "
			    "until a later replacement or dmaheap_ctx_free()",
			    dmaheap_strerror(r));
	return r >= 0;
}

static void reclaim_locked(struct dmaheap_ctx *ctx)
{
	struct dmaheap_plan *p = ctx->retired_plans;

	if (!p || !readers_visible_locked(ctx))
		return;
	for (size_t i = 0; i < DMAHEAP_SHARDS; i++)
		if (atomic_load(&ctx->total.shard[i].s.plan_readers))
			return;
	ctx->retired_plans = NULL;
	while (p) {
		struct dmaheap_plan *next = p->retired_next;

		plan_free(p);
		p = next;
	}
}

/* Where the plan for @usage is kept; NULL if its row is not made yet. */
static _Atomic(struct dmaheap_plan *) *plan_slot(struct dmaheap_ctx *ctx,
						 unsigned int usage)
{
	unsigned int row = usage >> DMAHEAP_DEVICE_SHIFT;
	_Atomic(struct dmaheap_plan *) *rowp;

	if (row == 0)
		return &ctx->plans[usage];
	rowp = atomic_load_explicit(&ctx->device_plans[row],
				    memory_order_acquire);
	return rowp ? &rowp[usage & (DMAHEAP_USAGE_SLOTS - 1)] : NULL;
}

/* The same, its row made if need be; NULL out of memory. */
static _Atomic(struct dmaheap_plan *) *plan_slot_locked(struct dmaheap_ctx *ctx,
							unsigned int usage)
{
	unsigned int row = usage >> DMAHEAP_DEVICE_SHIFT;
	_Atomic(struct dmaheap_plan *) *rowp;

	if (row == 0 || plan_slot(ctx, usage))
		return plan_slot(ctx, usage);
	rowp = calloc(DMAHEAP_USAGE_SLOTS, sizeof(*rowp));
	if (!rowp)
		return NULL;
	atomic_store_explicit(&ctx->device_plans[row], rowp,
			      memory_order_release);
	return &rowp[usage & (DMAHEAP_USAGE_SLOTS - 1)];
}

/* Builds the plan for @usage if the slot's is missing or of another
 * generation; then counts the caller (shard @i) as its reader. Once per
 * usage and policy generation. */
static DMAHEAP_COLD int plan_make(struct dmaheap_ctx *ctx,
				  unsigned int usage, unsigned int i,
				  struct dmaheap_plan **ret)
{
	_Atomic(struct dmaheap_plan *) *slot;
	struct dmaheap_plan *p;
	uint64_t gen;
	int r = 0;

	pthread_mutex_lock(&ctx->lock);
	slot = plan_slot_locked(ctx, usage);
	if (!slot) {
		pthread_mutex_unlock(&ctx->lock);
		return -ENOMEM;
	}
	gen = atomic_load_explicit(&ctx->gen, memory_order_relaxed);
	p = atomic_load_explicit(slot, memory_order_relaxed);
	choose_barrier_locked(ctx);
	if (!p || p->gen != gen) {
		struct dmaheap_plan *old = p;

		r = build_plan_locked(ctx, usage, &p);
		if (r == 0) {
			p->gen = gen;
			atomic_store(slot, p);
			if (old) {
				old->retired_next = ctx->retired_plans;
				ctx->retired_plans = old;
			}
			reclaim_locked(ctx);
		}
	}
	/* Counted before the lock goes: no replacement can free it. */
	if (r == 0) {
		plan_enter(ctx, i);
		*ret = p;
	}
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

/* The plan for @usage at the current policy generation, built once and
 * shared: the caller, of shard @i, reads it until plan_leave(). A plan
 * already built costs no lock, and no call: inline. */
static DMAHEAP_INLINE int plan_get(struct dmaheap_ctx *ctx,
				   unsigned int usage, unsigned int i,
				   struct dmaheap_plan **ret)
{
	_Atomic(struct dmaheap_plan *) *slot;
	struct dmaheap_plan *p;
	uint64_t gen;

	dmaheap_device_probe(ctx, usage);
	gen = atomic_load_explicit(&ctx->gen, memory_order_acquire);
	slot = plan_slot(ctx, usage);
	if (slot) {
		plan_enter(ctx, i);
		p = atomic_load(slot);
		if (p && p->gen == gen) {
			*ret = p;
			return 0;
		}
		plan_leave(ctx, i);
	}
	return plan_make(ctx, usage, i, ret);
}

void dmaheap_plans_free(struct dmaheap_ctx *ctx)
{
	for (size_t i = 0; i < DMAHEAP_USAGE_SLOTS; i++)
		plan_free(atomic_load(&ctx->plans[i]));
	for (size_t row = 1; row < DMAHEAP_DEVICE_ROWS; row++) {
		_Atomic(struct dmaheap_plan *) *rowp =
			atomic_load(&ctx->device_plans[row]);

		if (!rowp)
			continue;
		for (size_t i = 0; i < DMAHEAP_USAGE_SLOTS; i++)
			plan_free(atomic_load(&rowp[i]));
		free(rowp);
	}
	while (ctx->retired_plans) {
		struct dmaheap_plan *next = ctx->retired_plans->retired_next;

		plan_free(ctx->retired_plans);
		ctx->retired_plans = next;
	}
}

DMAHEAP_EXPORT int dmaheap_usage_plan(struct dmaheap_ctx *ctx,
				      unsigned int usage,
				      struct dmaheap_heap_info **ret)
{
	struct dmaheap_plan *plan;
	unsigned int i;
	int r;

	if (!ctx || !ret || !dmaheap_usage_valid(usage))
		return -EINVAL;
	i = dmaheap_shard_index(ctx);
	r = plan_get(ctx, usage, i, &plan);
	if (r)
		return r;
	r = dmaheap_info_list(ctx, plan->heaps.v, plan->heaps.n, ret);
	plan_leave(ctx, i);
	return r;
}

/* Candidate @i of @plan, opened; what opening gave is remembered in the
 * plan, failures too, until the policy generation changes. */
static int candidate_heap(struct dmaheap_ctx *ctx, struct dmaheap_plan *plan,
			  size_t i, struct dmaheap_heap **ret)
{
	struct dmaheap_plan_heap *found = &plan->found[i];
	struct dmaheap_heap *h = atomic_load_explicit(&found->heap,
						      memory_order_acquire);
	int r = atomic_load_explicit(&found->err, memory_order_relaxed);

	if (h) {
		*ret = h;
		return 0;
	}
	if (r)
		return r;
	r = dmaheap_heap_get(ctx, plan->heaps.v[i], &h);
	if (r == 0) {
		atomic_store_explicit(&found->heap, h, memory_order_release);
		*ret = h;
	} else if (r != -ENOMEM && r != -EMFILE && r != -ENFILE) {
		/* Out of memory or fds passes; absence lasts. */
		atomic_store_explicit(&found->err, r, memory_order_relaxed);
	}
	return r;
}

static bool denied(int err)
{
	return err == -EACCES || err == -EPERM;
}

/* Once per plan, so once per policy generation: a HAL that retries every
 * frame logs this once, and again after a rescan. */
static bool first_warning(struct dmaheap_plan *plan)
{
	return !atomic_exchange_explicit(&plan->warned, true,
					 memory_order_relaxed);
}

/* Every candidate failed and permission is the best reason: the one
 * thing here a user can fix. */
static void warn_denied(struct dmaheap_ctx *ctx, struct dmaheap_plan *plan,
			unsigned int usage, const char *heap, int err)
{
	bool udmabuf = strcmp(heap, DMAHEAP_UDMABUF) == 0;

	if (!first_warning(plan))
		return;
	dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
		    "usage 0x%x: no heap could serve; %s%s%s: %s: grant access "
		    "with a udev rule (%s, GROUP=\"video\", MODE=\"0660\")",
		    usage, udmabuf ? ctx->udmabuf_dev : ctx->dir,
		    udmabuf ? "" : "/", udmabuf ? "" : heap,
		    dmaheap_strerror(err),
		    udmabuf ? "KERNEL==\"udmabuf\"" : "SUBSYSTEM==\"dma_heap\"");
}

/* Inline, with the allocation's body: the ALLOC is made from
 * dmaheap_alloc_usage()'s own frame (core/alloc.h says why). */
static DMAHEAP_INLINE int try_candidates(struct dmaheap_ctx *ctx,
					 struct dmaheap_plan *plan,
					 unsigned int usage, size_t size,
					 unsigned int flags, unsigned int shard,
					 struct dmaheap_buf **ret)
{
	const char *denied_heap = NULL;
	int best = -ENOENT;

	for (size_t i = 0; i < plan->heaps.n; i++) {
		struct dmaheap_heap *heap;
		int r = candidate_heap(ctx, plan, i, &heap);

		if (r)
			r = dmaheap_lookup_failed(ctx, plan->heaps.v[i], r);
		else
			r = dmaheap_alloc_body(ctx, heap, size, flags, shard,
					       ret);
		if (r == 0)
			return 0;
		if (dmaheap_fallback_rank(r) == 0)
			return r;
		if (denied(r) && !denied_heap)
			denied_heap = plan->heaps.v[i];
		if (dmaheap_fallback_rank(r) > dmaheap_fallback_rank(best))
			best = r;
	}
	if (denied(best))
		warn_denied(ctx, plan, usage, denied_heap, best);
	return best;
}

DMAHEAP_HOT
DMAHEAP_EXPORT int dmaheap_alloc_usage(struct dmaheap_ctx *ctx,
				       unsigned int usage, size_t size,
				       unsigned int flags,
				       struct dmaheap_buf **ret)
{
	struct dmaheap_plan *plan;
	size_t rounded;
	unsigned int i;
	int r;

	if (!ctx || !ret || !dmaheap_usage_valid(usage))
		return -EINVAL;
	r = dmaheap_check_alloc_args(ctx, size, flags, &rounded);
	if (r)
		return r;
	i = dmaheap_shard_index(ctx);
	r = plan_get(ctx, usage, i, &plan);
	if (r)
		return r;
	if (plan->heaps.n == 0) {
		if (first_warning(plan))
			dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
				    "usage 0x%x: no heap of its rule has the properties it requires; "
				    "declare them with a 'heap NAME = PROP...' policy line or "
				    "dmaheap_ctx_set_heap_props(), or add a rule%s",
				    usage,
				    plan->effective != usage ?
				    " (its device has no IOMMU, so it requires contiguous "
				    "memory; if it has one, say so with a 'device ... = iommu' "
				    "policy line or dmaheap_ctx_set_device_iommu())" : "");
		r = -ENOENT;
	} else {
		r = try_candidates(ctx, plan, usage, rounded, flags, i, ret);
	}
	plan_leave(ctx, i);
	return r;
}
