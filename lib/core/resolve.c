/* SPDX-License-Identifier: MIT */
/*
 * Name resolution for allocation: a plain heap name or an alias, to the
 * heap that serves. What was found is remembered per policy generation
 * (struct dmaheap_ctx.gen), so that an allocation from a heap already
 * open, or through an alias already resolved, takes no lock, makes no
 * system call and allocates nothing here. Policy changes, rescans and
 * listings bump the generation; explicit probes (dmaheap_heap_open(),
 * dmaheap_heap_resolve()) always look afresh and refresh what is
 * remembered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static struct dmaheap_resolved *find_resolved(struct dmaheap_ctx *ctx,
					      const char *name)
{
	struct dmaheap_resolved *r = atomic_load_explicit(&ctx->resolved,
							  memory_order_acquire);

	for (; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

/* The entry for alias @name, made if need be; NULL when out of memory
 * (then nothing is remembered, which costs time, not correctness). The
 * list grows only with distinct alias names; the index finds an entry
 * without walking it, so resolving N aliases costs O(N), not O(N^2). */
static struct dmaheap_resolved *resolved_entry_locked(struct dmaheap_ctx *ctx,
						      const char *name)
{
	struct dmaheap_resolved *r = dmaheap_index_find(&ctx->resolved_index,
							name);
	size_t len = strlen(name) + 1;

	if (r)
		return r;
	r = calloc(1, sizeof(*r) + len);
	if (!r)
		return NULL;
	memcpy(r->name, name, len);
	if (dmaheap_index_put(&ctx->resolved_index, r->name, r)) {
		free(r);
		return NULL;
	}
	r->next = atomic_load_explicit(&ctx->resolved, memory_order_relaxed);
	atomic_store_explicit(&ctx->resolved, r, memory_order_release);
	return r;
}

static void remember_locked(struct dmaheap_ctx *ctx, const char *alias,
			    struct dmaheap_heap *heap, int err, uint64_t gen)
{
	struct dmaheap_resolved *r = resolved_entry_locked(ctx, alias);

	if (!r || err == -ENOMEM)
		return;
	atomic_store_explicit(&r->heap, heap, memory_order_relaxed);
	atomic_store_explicit(&r->err, err, memory_order_relaxed);
	/* Release: whoever sees @gen sees the heap and error above. */
	atomic_store_explicit(&r->gen, gen, memory_order_release);
}

/* The first member of @a that opens; else the most telling error. */
static int resolve_alias_locked(struct dmaheap_ctx *ctx,
				const struct dmaheap_alias *a,
				struct dmaheap_heap **ret)
{
	int best = -ENOENT;

	for (size_t i = 0; i < a->members.n; i++) {
		int e = dmaheap_heap_get_locked(ctx, a->members.v[i], ret);

		if (e == 0)
			return 0;
		if (dmaheap_fallback_rank(e) > dmaheap_fallback_rank(best))
			best = e;
	}
	return best;
}

static int lookup_locked(struct dmaheap_ctx *ctx, const char *name,
			 struct dmaheap_heap **ret)
{
	uint64_t gen = atomic_load_explicit(&ctx->gen, memory_order_relaxed);
	const struct dmaheap_alias *a = dmaheap_alias_find_locked(ctx, name);
	struct dmaheap_heap *h = NULL;
	int r;

	/* Each node that failed to open was logged, with its path, by
	 * node.c; what an alias stood for is said here. */
	if (a) {
		r = resolve_alias_locked(ctx, a, &h);
		/* No member there at all is not remembered (generation 0),
		 * as a plain name's failed open is not: a member that
		 * appears later (a heap module loaded) is found by the next
		 * allocation. Only a miss pays for looking again. */
		remember_locked(ctx, name, r ? NULL : h, r,
				r == -ENOENT ? 0 : gen);
		if (r)
			dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
				    "alias %s: none of its heaps could be opened: %s",
				    name, dmaheap_strerror(r));
	} else {
		/* A failed open is not remembered: a plain name that
		 * appears later is found by the next allocation. */
		r = dmaheap_heap_get_locked(ctx, name, &h);
		if (r == 0)
			atomic_store_explicit(&h->plain_gen, gen,
					      memory_order_release);
	}
	if (r == 0)
		*ret = h;
	return r;
}

/* Looks afresh, and remembers what it found for later allocations. */
int dmaheap_heap_lookup_fresh(struct dmaheap_ctx *ctx, const char *name,
			      struct dmaheap_heap **ret)
{
	int r;

	pthread_mutex_lock(&ctx->lock);
	r = lookup_locked(ctx, name, ret);
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

/* The plain heap @name if it was last seen not to be an alias at @gen. */
static struct dmaheap_heap *plain_cached(struct dmaheap_ctx *ctx,
					 const char *name, uint64_t gen)
{
	struct dmaheap_heap *h = dmaheap_heap_find(ctx, name);

	if (h && atomic_load_explicit(&h->plain_gen, memory_order_acquire) ==
			 gen)
		return h;
	return NULL;
}

/* What alias @name resolved to at @gen: as dmaheap_heap_lookup_cached(). */
static int alias_cached(struct dmaheap_ctx *ctx, const char *name,
			uint64_t gen, struct dmaheap_heap **ret)
{
	struct dmaheap_resolved *r = find_resolved(ctx, name);
	struct dmaheap_heap *h;
	int err;

	if (!r || atomic_load_explicit(&r->gen, memory_order_acquire) != gen)
		return 0;
	err = atomic_load_explicit(&r->err, memory_order_relaxed);
	h = atomic_load_explicit(&r->heap, memory_order_relaxed);
	if (h) {
		*ret = h;
		return 1;
	}
	/* A newer generation may be half written: then look. */
	return err < 0 ? err : 0;
}

/* The heap that serves @name if remembered at the current generation:
 * 1 and *@ret, or the error remembered for an alias, or 0 when nothing is
 * remembered. Only valid names are ever remembered, so a hit needs no
 * validation of @name (which must not be NULL). */
int dmaheap_heap_lookup_cached(struct dmaheap_ctx *ctx, const char *name,
			       struct dmaheap_heap **ret)
{
	return dmaheap_heap_lookup_cached_at(ctx, name, dmaheap_shard_index(ctx),
					     ret);
}

int dmaheap_heap_lookup_remembered(struct dmaheap_ctx *ctx, const char *name,
				   unsigned int i, struct dmaheap_heap **ret)
{
	uint64_t gen = atomic_load_explicit(&ctx->gen, memory_order_acquire);
	struct dmaheap_heap *h = plain_cached(ctx, name, gen);

	if (!h)
		return alias_cached(ctx, name, gen, ret);
	/* The thread's next request for this name stops at its shard. */
	atomic_store_explicit(&ctx->total.shard[i].s.last_heap, h,
			      memory_order_release);
	*ret = h;
	return 1;
}

/* The heap that serves @name, as remembered at the current generation if
 * it was; otherwise as dmaheap_heap_lookup_fresh(). */
int dmaheap_heap_lookup(struct dmaheap_ctx *ctx, const char *name,
			struct dmaheap_heap **ret)
{
	int r = dmaheap_heap_lookup_cached(ctx, name, ret);

	if (r)
		return r > 0 ? 0 : r;
	return dmaheap_heap_lookup_fresh(ctx, name, ret);
}

void dmaheap_resolved_free_all(struct dmaheap_ctx *ctx)
{
	struct dmaheap_resolved *r = atomic_load(&ctx->resolved);

	while (r) {
		struct dmaheap_resolved *next = r->next;

		free(r);
		r = next;
	}
	dmaheap_index_clear(&ctx->resolved_index);
}

DMAHEAP_EXPORT int dmaheap_ctx_rescan(struct dmaheap_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	dmaheap_ctx_bump_gen_locked(ctx);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}
