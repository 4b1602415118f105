/* SPDX-License-Identifier: MIT */
/* Usage-based allocation: the policy picks the heap, requirements hold. */
#include <errno.h>
#include <string.h>

#include "private.h"

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

/* Aliases in a rule stand for all their members, in order. */
static int expand_aliases(struct dmaheap_ctx *ctx,
			  const struct dmaheap_names *in,
			  struct dmaheap_names *out)
{
	struct dmaheap_names members = { 0 };
	int r = 0;

	for (size_t i = 0; i < in->n && r == 0; i++) {
		r = dmaheap_alias_members(ctx, in->v[i], &members);
		if (r == -ENOENT) {
			r = dmaheap_names_add(out, in->v[i]);
			continue;
		}
		for (size_t j = 0; j < members.n && r == 0; j++)
			r = dmaheap_names_add(out, members.v[j]);
		dmaheap_names_clear(&members);
	}
	return r;
}

static int keep_qualified(struct dmaheap_ctx *ctx, unsigned int usage,
			  const struct dmaheap_names *in,
			  struct dmaheap_names *out)
{
	int r = 0, source;

	for (size_t i = 0; i < in->n && r == 0; i++) {
		unsigned int props;

		pthread_mutex_lock(&ctx->lock);
		props = dmaheap_props_lookup_locked(ctx, in->v[i], &source);
		pthread_mutex_unlock(&ctx->lock);
		if (meets_requirements(usage, props))
			r = dmaheap_names_add(out, in->v[i]);
	}
	return r;
}

/* The heaps to try for @usage, in order. */
static int candidates(struct dmaheap_ctx *ctx, unsigned int usage,
		      struct dmaheap_names *out)
{
	struct dmaheap_names rule = { 0 }, expanded = { 0 };
	int r = dmaheap_rule_heaps(ctx, usage, &rule);

	if (r == 0)
		r = expand_aliases(ctx, &rule, &expanded);
	if (r == 0)
		r = keep_qualified(ctx, usage, &expanded, out);
	dmaheap_names_clear(&rule);
	dmaheap_names_clear(&expanded);
	if (r)
		dmaheap_names_clear(out);
	return r;
}

DMAHEAP_EXPORT int dmaheap_usage_plan(struct dmaheap_ctx *ctx,
				      unsigned int usage,
				      struct dmaheap_heap_info **ret)
{
	struct dmaheap_names names = { 0 };
	int r;

	if (!ctx || !ret || !dmaheap_usage_valid(usage))
		return -EINVAL;
	r = candidates(ctx, usage, &names);
	if (r == 0)
		r = dmaheap_info_list(ctx, names.v, names.n, ret);
	dmaheap_names_clear(&names);
	return r;
}

static int try_candidates(struct dmaheap_ctx *ctx,
			  const struct dmaheap_names *names, size_t size,
			  unsigned int flags, struct dmaheap_buf **ret)
{
	int best = -ENOENT;

	for (size_t i = 0; i < names->n; i++) {
		int r = dmaheap_alloc_plain(ctx, names->v[i], size, flags, ret);

		if (r == 0)
			return 0;
		if (dmaheap_fallback_rank(r) == 0)
			return r;
		if (dmaheap_fallback_rank(r) > dmaheap_fallback_rank(best))
			best = r;
	}
	return best;
}

DMAHEAP_EXPORT int dmaheap_alloc_usage(struct dmaheap_ctx *ctx,
				       unsigned int usage, size_t size,
				       unsigned int flags,
				       struct dmaheap_buf **ret)
{
	struct dmaheap_names names = { 0 };
	size_t rounded;
	int r;

	if (!ctx || !ret || !dmaheap_usage_valid(usage))
		return -EINVAL;
	r = dmaheap_check_alloc_args(ctx, size, flags, &rounded);
	if (r == 0)
		r = candidates(ctx, usage, &names);
	if (r == 0 && names.n == 0) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "usage 0x%x: no heap of its rule has the properties it requires; "
			    "declare them with a 'heap NAME = PROP...' policy line or "
			    "dmaheap_ctx_set_heap_props(), or add a rule",
			    usage);
		r = -ENOENT;
	}
	if (r == 0)
		r = try_candidates(ctx, &names, rounded, flags, ret);
	dmaheap_names_clear(&names);
	return r;
}
